package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/gosocketserver/socketserver/results"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// smallRun is a run of two strategies at two connection counts, one
// repetition each: enough for every chart, cheap to draw under -race.
func smallRun() *results.Run {
	r := &results.Run{
		Env:    results.Env{Date: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), GoVersion: "go1.26.0", GOOS: "linux", GOARCH: "amd64", CPUModel: "Test CPU", NumCPU: 2, GOMAXPROCS: 2},
		Config: results.Config{Duration: results.Duration(time.Second), Repetitions: 1},
	}
	for si, s := range []string{"goroutine", "sync"} {
		for _, c := range []int{1, 16} {
			rps := float64(10000*c) * (1 + 0.1*float64(si))
			r.Scenarios = append(r.Scenarios, results.Scenario{Strategy: s, Workload: "keepalive", Mode: "closed", Conns: c,
				Samples: []results.Sample{{Duration: 1, Requests: int64(rps), Throughput: rps, RequestsPerCPU: 120000, CPUPerRequest: 8.3,
					Latency: results.Latency{P50: float64(c) / rps * 1e6, P99: 3 * float64(c) / rps * 1e6}, MemPerConn: 4096}}})
		}
	}
	return r
}

// TestRun: the command writes what --format asks, prints the paths, and
// exits as its help states; help goes to stdout.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "run.json")
	if err := results.WriteFile(in, smallRun()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantFiles  []string // in dir/a
		wantStdout string
		wantStderr string
	}{
		{"html and bench", []string{in, "--format", "html,bench", "--out", filepath.Join(dir, "a")}, 0,
			[]string{"bench.txt", "report.html"}, filepath.Join(dir, "a", "report.html"), ""},
		{"help", []string{"--help"}, 0, nil, "Usage:", ""},
		{"bad flag", []string{"--pdf", in}, 2, nil, "", "flag provided but not defined: -pdf\nrun \"sockbench-report --help\" for usage\n"},
		{"missing run", []string{filepath.Join(dir, "nope.json")}, 3, nil, "", "sockbench-report: "},
		{"unwritable out", []string{"--out", in, "--format", "svg", in}, 1, nil, "", "sockbench-report: write report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stdout %q, want %q in it; stderr %q, want %q in it", stdout.String(), tt.wantStdout, stderr.String(), tt.wantStderr)
			}
			if tt.wantFiles == nil {
				return
			}
			ents, err := os.ReadDir(filepath.Join(dir, "a"))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range ents {
				got = append(got, e.Name())
			}
			if diff := cmp.Diff(tt.wantFiles, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}
