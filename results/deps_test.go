package results

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestOnlyReportLinksPlotting: plotting (gonum.org/v1/plot) is reached only
// through package results/report and the command that links it; results
// itself, the harness and every other package of the module, the serving
// code among them, build without it.
func TestOnlyReportLinksPlotting(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const module = "github.com/gosocketserver/socketserver"
	allowed := map[string]bool{
		module + "/results/report": true,
		module + "/cmd/sockbench":  true, // links report for "sockbench report"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "list", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", module+"/...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		seen++
		for _, d := range strings.Fields(deps) {
			if (d == "gonum.org/v1/plot" || strings.HasPrefix(d, "gonum.org/v1/plot/")) && !allowed[pkg] {
				t.Errorf("%s depends on %s; only %v may link plotting", pkg, d, allowed)
				break
			}
		}
		if pkg == module+"/results" && strings.Contains(deps, "gonum.org/") {
			t.Errorf("results depends on gonum: %s", deps)
		}
	}
	if seen < 5 {
		t.Fatalf("go list listed %d packages:\n%s", seen, out)
	}
}
