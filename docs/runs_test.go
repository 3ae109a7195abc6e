package docs

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/results"
)

// TestCommittedRunsMatchTheirCommands checks that every documented bench
// command that wrote a committed run (--out docs/runs/X.json) would make the
// same run again: it states duration, warm-up and repetitions itself (so a
// change of the defaults cannot change what it reproduces), and those and
// its matrix flags equal what the run recorded.
func TestCommittedRunsMatchTheirCommands(t *testing.T) {
	cmds, err := allCommands()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, c := range cmds {
		if len(c.Args) == 0 || c.Args[0] != "bench" {
			continue
		}
		out, ok := flagValue(c.Args, "out")
		if !ok || !strings.HasPrefix(out, "docs/runs/") {
			continue
		}
		checked++
		t.Run(c.name(), func(t *testing.T) {
			run, err := results.ReadFile(filepath.Join("..", out))
			if err != nil {
				t.Fatal(err)
			}
			settings := []struct {
				flag string
				want string
				same func(v string) bool
			}{
				{"duration", time.Duration(run.Config.Duration).String(), func(v string) bool {
					d, err := time.ParseDuration(v)
					return err == nil && d == time.Duration(run.Config.Duration)
				}},
				{"warmup", time.Duration(run.Config.Warmup).String(), func(v string) bool {
					d, err := time.ParseDuration(v)
					return err == nil && d == time.Duration(run.Config.Warmup)
				}},
				{"reps", strconv.Itoa(run.Config.Repetitions), func(v string) bool {
					n, err := strconv.Atoi(v)
					return err == nil && n == run.Config.Repetitions
				}},
			}
			for _, s := range settings {
				v, ok := flagValue(c.Args, s.flag)
				switch {
				case !ok:
					t.Errorf("%s:%d: %q states no --%s; %s was made with --%s %s", c.File, c.Line, c.Text, s.flag, out, s.flag, s.want)
				case !s.same(v):
					t.Errorf("%s:%d: --%s %s, but %s was made with %s", c.File, c.Line, s.flag, v, out, s.want)
				}
			}
			recorded := run.Config.Args
			if len(recorded) >= 2 {
				recorded = recorded[2:] // "sockbench", "bench"
			}
			for _, name := range []string{"strategies", "workloads", "conns", "rate", "addr", "exec"} {
				got, _ := flagValue(c.Args, name)
				want, _ := flagValue(recorded, name)
				if got != want {
					t.Errorf("%s:%d: --%s %q, but %s was made with %q", c.File, c.Line, name, got, out, want)
				}
			}
			if a, b := slices.Contains(c.Args, "--pin"), slices.Contains(recorded, "--pin"); a != b {
				t.Errorf("%s:%d: --pin %v, but %s was made with --pin %v", c.File, c.Line, a, out, b)
			}
		})
	}
	if checked == 0 {
		t.Fatal("no documented command writes a committed run under docs/runs")
	}
}
