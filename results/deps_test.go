package results

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestOnlyReportLinksPlotting: plotting (gonum.org/v1/plot) is reached only
// through package results/report and the command that links it,
// sockbench-report; results itself, the harness and every other package of
// the module build without it, and the measured binary, cmd/sockbench, and
// results link nothing of gonum at all (go list -deps ./cmd/sockbench | grep
// gonum prints nothing): a linked package's init runs at every start.
func TestOnlyReportLinksPlotting(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const module = "github.com/gosocketserver/socketserver"
	allowed := map[string]bool{
		module + "/results/report":       true,
		module + "/cmd/sockbench-report": true, // draws for "sockbench report"
	}
	noGonum := map[string]bool{
		module + "/results":       true,
		module + "/cmd/sockbench": true,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", module+"/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		seen[pkg] = true
		for _, d := range strings.Fields(deps) {
			if (d == "gonum.org/v1/plot" || strings.HasPrefix(d, "gonum.org/v1/plot/")) && !allowed[pkg] {
				t.Errorf("%s depends on %s; only %v may link plotting", pkg, d, allowed)
				break
			}
		}
		if noGonum[pkg] && strings.Contains(deps, "gonum.org/") {
			t.Errorf("%s depends on gonum: %s", pkg, deps)
		}
	}
	for pkg := range noGonum {
		if !seen[pkg] {
			t.Errorf("go list did not list %s:\n%s", pkg, out)
		}
	}
	for pkg := range allowed {
		if !seen[pkg] {
			t.Errorf("go list did not list %s:\n%s", pkg, out)
		}
	}
}
