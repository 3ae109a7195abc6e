package docs

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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
			settings := []struct{ flag, want string }{
				{"duration", time.Duration(run.Config.Duration).String()},
				{"warmup", time.Duration(run.Config.Warmup).String()},
				{"reps", strconv.Itoa(run.Config.Repetitions)},
			}
			for _, s := range settings {
				v, ok := flagValue(c.Args, s.flag)
				switch {
				case !ok:
					t.Errorf("%s:%d: %q states no --%s; %s was made with --%s %s", c.File, c.Line, c.Text, s.flag, out, s.flag, s.want)
				case canonical(s.flag, v) != s.want:
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

// TestFiguresAreTheToolsOutput redraws every chart directory in docs/img
// with the documented report command on the committed run, and requires the
// same files, byte for byte but for the last digits of coordinates (which
// floating-point contraction may change on other architectures): the figures on the pages are what the tool
// draws from the runs beside them, not hand-edited and not stale. It also
// checks that every image a page links to is one of them.
func TestFiguresAreTheToolsOutput(t *testing.T) {
	cmds, err := allCommands()
	if err != nil {
		t.Fatal(err)
	}
	bin := buildSockbench(t)
	drawn := map[string]bool{} // docs/img/... paths the report commands draw
	for _, c := range cmds {
		if len(c.Args) < 2 || c.Args[0] != "report" {
			continue
		}
		out, ok := flagValue(c.Args, "out")
		if !ok || !strings.HasPrefix(out, "docs/img/") || drawn[out] {
			continue
		}
		drawn[out] = true
		t.Run(c.name(), func(t *testing.T) {
			tmp := filepath.Join(t.TempDir(), "img")
			args := append(withoutFlag(c.Args, "out"), "--out", tmp)
			cmd := exec.Command(bin, args...)
			cmd.Dir = ".." // the repository root: the run is docs/runs/X.json
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("sockbench %s: %v\n%s", strings.Join(args, " "), err, b)
			}
			want, err := os.ReadDir(filepath.Join("..", out))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			names := func(es []os.DirEntry) []string {
				var n []string
				for _, e := range es {
					n = append(n, e.Name())
				}
				return n
			}
			if diff := cmp.Diff(names(want), names(got)); diff != "" {
				t.Fatalf("%s holds other files than the tool draws (-committed +drawn):\n%s", out, diff)
			}
			for _, e := range want {
				a, _ := os.ReadFile(filepath.Join("..", out, e.Name()))
				b, _ := os.ReadFile(filepath.Join(tmp, e.Name()))
				if !bytes.Equal(roundFloats(a), roundFloats(b)) {
					t.Errorf("%s/%s differs from what %q draws now: redraw it with that command", out, e.Name(), c.Text)
				}
			}
		})
	}
	if len(drawn) == 0 {
		t.Fatal("no documented report command draws into docs/img")
	}

	files, err := docFiles()
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`\]\(([^)\s]*img/[^)\s]+)\)`)
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(text), -1) {
			p, err := filepath.Abs(filepath.Join(filepath.Dir(f), m[1]))
			if err != nil {
				t.Fatal(err)
			}
			rel, err := filepath.Rel(root, p)
			if err != nil || !drawn[filepath.ToSlash(filepath.Dir(rel))] {
				t.Errorf("%s links %s, which no documented report command draws", f, m[1])
				continue
			}
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s links %s: %v", f, m[1], err)
			}
		}
	}
}

var floatRE = regexp.MustCompile(`-?[0-9]+\.[0-9]+`)

// roundFloats rounds every decimal number in b to two places, so that
// drawings that differ only in the last bits of a coordinate compare equal.
func roundFloats(b []byte) []byte {
	return floatRE.ReplaceAllFunc(b, func(m []byte) []byte {
		f, err := strconv.ParseFloat(string(m), 64)
		if err != nil {
			return m
		}
		return strconv.AppendFloat(nil, math.Round(f*100)/100, 'f', 2, 64)
	})
}

// canonical writes a bench flag's value as the run records it: "1000ms" as
// "1s", "03" as "3". A value that does not parse is returned as is.
func canonical(flag, v string) string {
	if flag == "reps" {
		if n, err := strconv.Atoi(v); err == nil {
			return strconv.Itoa(n)
		}
		return v
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d.String()
	}
	return v
}
