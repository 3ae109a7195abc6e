package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// noReportCommand makes sockbench-report impossible to find until the test
// ends: this executable seems to live in an empty directory and PATH is
// another empty one.
func noReportCommand(t *testing.T) {
	t.Helper()
	besideReportCommand(t, filepath.Join(t.TempDir(), "sockbench"))
	t.Setenv("PATH", t.TempDir())
}

// besideReportCommand makes run believe that its executable is exe (so
// sockbench-report is looked for in exe's directory first) until the test
// ends.
func besideReportCommand(t *testing.T, exe string) {
	t.Helper()
	old := executable
	executable = func() (string, error) { return exe, nil }
	t.Cleanup(func() { executable = old })
}

// listDir returns the names of the files in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// TestReportInProcess: text formats, and every run without sockbench-report
// to be found, are handled by sockbench itself: the files asked for (or the
// text formats of the default set, with one line saying charts and HTML
// were skipped and how to get them), or a failure for an explicit chart
// format, with the exit status the help states.
func TestReportInProcess(t *testing.T) {
	noReportCommand(t)
	dir := t.TempDir()
	in := writeRun(t, dir, "run.json", synthRun(3, 1, 0.02))
	text := []string{"bench.txt", "run.csv", "run.json", "table.md", "table.txt"}
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantFiles []string // in --out, sorted; nil: --out is not created
		wantErr   []string // in stderr
	}{
		{"text formats", []string{"--out", filepath.Join(dir, "a"), "--format", "table,markdown,csv,bench", in}, 0,
			[]string{"bench.txt", "run.csv", "table.md", "table.txt"}, nil},
		{"default formats", []string{in, "--out", filepath.Join(dir, "b")}, 0, text,
			[]string{"charts and HTML skipped", "go install ./cmd/...", "go run ./cmd/sockbench-report " + in + " --out " + filepath.Join(dir, "b")}},
		{"explicit html", []string{in, "--out", filepath.Join(dir, "c"), "--format", "bench,html"}, 1, nil,
			[]string{"--format html needs sockbench-report", "go install ./cmd/..."}},
		{"explicit svg and png", []string{"--format", "svg,png", "--out", filepath.Join(dir, "d"), in}, 1, nil,
			[]string{"--format svg,png needs sockbench-report"}},
		{"bad format", []string{"--format", "pdf", in}, 2, nil, []string{"unknown report format"}},
		{"no file", []string{}, 2, nil, []string{"want one run file"}},
		{"missing file", []string{"--out", filepath.Join(dir, "e"), filepath.Join(dir, "nope.json")}, 3, nil, []string{"nope.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"report"}, tt.args...), &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if n := strings.Count(stderr.String(), "\n"); tt.wantCode == 1 || tt.name == "default formats" {
				if n != 1 {
					t.Errorf("stderr has %d lines, want one:\n%s", n, stderr.String())
				}
			}
			out, _ := flagValueOf(tt.args, "--out")
			if tt.wantFiles == nil {
				if _, err := os.Stat(out); out != "" && err == nil {
					t.Errorf("%s was created", out)
				}
				return
			}
			if diff := cmp.Diff(tt.wantFiles, listDir(t, out)); diff != "" {
				t.Errorf("files written (-want +got):\n%s", diff)
			}
			for _, f := range tt.wantFiles {
				if !strings.Contains(stdout.String(), filepath.Join(out, f)) {
					t.Errorf("stdout does not list %s:\n%s", f, stdout.String())
				}
			}
		})
	}
}

// sorted returns s sorted.
func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// flagValueOf returns the value following name in args.
func flagValueOf(args []string, name string) (string, bool) {
	i := slices.Index(args, name)
	if i < 0 || i+1 >= len(args) {
		return "", false
	}
	return args[i+1], true
}

var (
	reportBuildOnce sync.Once
	reportBuildErr  error
	reportBuildOut  []byte
)

// reportCommandBinary builds cmd/sockbench-report beside the sockbench
// binary that sockbenchBinary builds (TestMain removes both), once, and
// returns the sockbench binary's path.
func reportCommandBinary(t *testing.T) string {
	t.Helper()
	bin := sockbenchBinary(t)
	reportBuildOnce.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			reportBuildErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goCmd, "build", "-o", filepath.Join(filepath.Dir(bin), "sockbench-report"), "../sockbench-report")
		reportBuildOut, reportBuildErr = cmd.CombinedOutput()
	})
	if reportBuildErr != nil {
		t.Fatalf("go build ../sockbench-report: %v\n%s", reportBuildErr, reportBuildOut)
	}
	return bin
}

// TestReportDelegates: with sockbench-report beside the sockbench binary or
// on PATH, chart and HTML formats are drawn by it, with the same arguments,
// its output passed through and its exit status returned.
func TestReportDelegates(t *testing.T) {
	bin := reportCommandBinary(t)
	dir := t.TempDir()
	in := writeRun(t, dir, "run.json", synthRun(3, 1, 0.02))
	charts := func(ext string) []string {
		var names []string
		for _, m := range []string{"cpu-per-request-us", "latency", "mem-per-conn-bytes", "requests-per-cpu-s", "throughput-rps"} {
			if m == "latency" { // one chart per connection count
				names = append(names, m+"-keepalive-closed-c1."+ext, m+"-keepalive-closed-c16."+ext)
				continue
			}
			names = append(names, m+"-keepalive-closed."+ext)
		}
		return names
	}
	tests := []struct {
		name      string
		beside    bool // sockbench-report beside the executable, else on PATH
		args      []string
		wantCode  int
		wantFiles []string // in --out, sorted
		wantErr   string
	}{
		{"beside, svg and bench", true, []string{"--format", "svg,bench", "--out", filepath.Join(dir, "a"), in}, 0,
			append([]string{"bench.txt"}, charts("svg")...), ""},
		{"on PATH, html", false, []string{in, "--format", "html", "--out", filepath.Join(dir, "b")}, 0, []string{"report.html"}, ""},
		{"on PATH, default formats", false, []string{in, "--out", filepath.Join(dir, "c")}, 0,
			sorted(append([]string{"bench.txt", "report.html", "run.csv", "run.json", "table.md", "table.txt"}, append(charts("png"), charts("svg")...)...)), ""},
		{"beside, missing run file", true, []string{"--format", "png", "--out", filepath.Join(dir, "d"), filepath.Join(dir, "nope.json")}, 3,
			nil, "sockbench-report: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			var code int
			if tt.beside {
				// The built binary, which finds sockbench-report beside itself.
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, bin, append([]string{"report"}, tt.args...)...)
				cmd.Env = append(os.Environ(), "PATH="+t.TempDir())
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code = cmd.ProcessState.ExitCode()
				if code < 0 {
					t.Fatalf("sockbench report: %v", err)
				}
			} else {
				besideReportCommand(t, filepath.Join(t.TempDir(), "sockbench"))
				t.Setenv("PATH", filepath.Dir(bin))
				code = run(context.Background(), append([]string{"report"}, tt.args...), &stdout, &stderr)
			}
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) || (tt.wantErr == "" && stderr.Len() > 0) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tt.wantErr)
			}
			out, _ := flagValueOf(tt.args, "--out")
			if tt.wantCode != 0 {
				return
			}
			got := listDir(t, out)
			if diff := cmp.Diff(tt.wantFiles, got); diff != "" {
				t.Errorf("files written (-want +got):\n%s", diff)
			}
			for _, f := range got {
				if !strings.Contains(stdout.String(), filepath.Join(out, f)) {
					t.Errorf("stdout does not list %s:\n%s", f, stdout.String())
				}
			}
		})
	}
}
