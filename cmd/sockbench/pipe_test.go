package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/results"
)

// setStdin makes the commands read "-" from data until the test ends.
func setStdin(t *testing.T, data []byte) {
	t.Helper()
	old := stdin
	stdin = bytes.NewReader(data)
	t.Cleanup(func() { stdin = old })
}

// TestDashIsStdinStdout checks that "-" names standard input or output
// wherever a command names a file, so that
// "sockbench report --format bench --out - run.json | benchstat /dev/stdin"
// works, and that nothing but the asked-for output reaches stdout.
func TestDashIsStdinStdout(t *testing.T) {
	dir := t.TempDir()
	in := writeRun(t, dir, "run.json", synthRun(3, 1, 0.02))
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantPrefix string // stdout starts with it
		wantOut    string // in stdout
	}{
		{"report bench to stdout", []string{"report", "--format", "bench", "--out", "-", in}, 0, "goos: ", "BenchmarkServe/strategy="},
		{"report json from stdin", []string{"report", "--format", "json", "--out", "-", "-"}, 0, "{\n", `"schema"`},
		{"report txt from stdin", []string{"report", "-", "--out", "-", "--format", "txt"}, 0, "sockbench run ", "requests per server-CPU-second"},
		{"compare stdin against file", []string{"compare", "-", in}, 0, "", "no significant regression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setStdin(t, data)
			t.Chdir(t.TempDir()) // a folder named "-" must not appear
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			out := stdout.String()
			if !strings.HasPrefix(out, tt.wantPrefix) || !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout does not start with %q and hold %q:\n%.400s", tt.wantPrefix, tt.wantOut, out)
			}
			if _, err := os.Stat(filepath.Join(".", "-")); err == nil {
				t.Error(`a file or folder named "-" was created`)
			}
		})
	}
}

// TestMissingInputStatus checks that a missing or malformed input file
// exits with its own status, 3, not the usage status 2.
func TestMissingInputStatus(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := writeRun(t, dir, "run.json", synthRun(3, 1, 0.02))
	for _, args := range [][]string{
		{"report", "--format", "txt", filepath.Join(dir, "nope.json")},
		{"report", "--format", "txt", "--out", "-", bad},
		{"compare", filepath.Join(dir, "nope.json"), in},
		{"compare", in, bad},
		{"compare", "--by", "strategy", filepath.Join(dir, "nope.json")},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 3 {
			t.Errorf("%q: exit %d, want 3; stderr:\n%s", args, code, stderr.String())
		}
	}
}

// starvingRun is synthRun(6, 1, 0.02) in which the pool starved 12 of 16
// clients, as a pool of 4 does: it looks 10% faster than goroutine.
func starvingRun() *results.Run {
	r := synthRun(6, 1, 0.02)
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		if sc.Strategy == "pool:workers=4" && sc.Conns == 16 {
			sc.Warnings = append(sc.Warnings, results.Warning{Kind: results.Starved, Clients: 12, OfClients: 16})
			for j := range sc.Samples {
				sc.Samples[j].Starved = 12
			}
		}
	}
	return r
}

// TestCompareStarvation checks that compare says when a side starved
// clients (a verdict line and the summary) and, with --fail-on-starved,
// exits 1 for it.
func TestCompareStarvation(t *testing.T) {
	dir := t.TempDir()
	starving := writeRun(t, dir, "starving.json", starvingRun())
	fine := writeRun(t, dir, "fine.json", synthRun(6, 1, 0.02))
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{"by strategy", []string{"compare", "--by", "strategy", "--base", "goroutine", "--metric", "rps", starving}, 0,
			[]string{"starved more: pool:workers=4 keepalive closed conns=16: pool:workers=4 starved 12 of 16 clients, goroutine 0", "1 scenario(s) starved more clients than goroutine"}, ""},
		{"by strategy, fail on starved", []string{"compare", "--by", "strategy", "--base", "goroutine", "--metric", "rps", "--fail-on-starved", starving}, 1,
			[]string{"starved more:"}, "starved more clients than goroutine in 1 scenario(s)"},
		{"two runs, fail on starved", []string{"compare", "--fail-on-starved", "--metric", "rps", fine, starving}, 1,
			[]string{"starved more: pool:workers=4 keepalive closed conns=16: new starved 12 of 16 clients, old 0"}, "new starved more clients than old"},
		{"starvation gone", []string{"compare", "--fail-on-starved", "--metric", "rps", starving, fine}, 0,
			[]string{"starved: pool:workers=4 keepalive closed conns=16: new starved 0 of 16 clients, old 12"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr.String())
			}
		})
	}
}
