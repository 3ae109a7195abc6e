//go:build linux

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/gosocketserver/socketserver/results"
)

// TestBenchCPUIncludesChildren benchmarks the process strategies beside
// goroutine, in one run, on the cpu workload, whose every request burns
// 20000 rounds of SHA-256 (in a child process for fork and prefork), and
// on churn (a child per connection, reaped). The children do the same
// work as goroutine's handlers, so the server CPU per request the bench
// records for fork and prefork must be at least half of goroutine's: a
// bench reading only the parent would record next to nothing for them.
// It also checks the process count, and prefork's per-worker connection
// counts and their fairness.
func TestBenchCPUIncludesChildren(t *testing.T) {
	launchBuiltBinary(t)
	out := filepath.Join(t.TempDir(), "run.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "goroutine;fork;prefork:procs=2", "--workloads",
		"cpu:rounds=20000;churn", "--conns", "2", "--duration", "800ms", "--warmup", "50ms", "--reps", "1", "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	r, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	perRequest := map[string]float64{}
	for _, sc := range r.Scenarios {
		s := sc.Samples[0]
		if s.Requests == 0 || s.Errors != 0 {
			t.Errorf("%s %s: %d requests, %d errors", sc.Strategy, sc.Workload, s.Requests, s.Errors)
			continue
		}
		if sc.Workload != "churn" {
			perRequest[sc.Strategy] = s.CPUPerRequest
		}
		if sc.Strategy == "goroutine" {
			if s.Procs != 0 {
				t.Errorf("goroutine %s: Procs = %d, want it unset (one process)", sc.Workload, s.Procs)
			}
			continue
		}
		// A churn child lives for a moment: a scan for descendants
		// (every 500 ms while none was seen) may miss them all; their CPU
		// is in the server's cutime. The cpu workload's children live for
		// the whole run, longer than 500 ms.
		if live := sc.Workload != "churn" || sc.Strategy != "fork"; live && (s.Procs < 2 || s.TreeRSS <= 0) || s.ServerCPU <= 0 {
			t.Errorf("%s %s: Procs %d, TreeRSS %d, ServerCPU %v: want the server and its children measured", sc.Strategy, sc.Workload, s.Procs, s.TreeRSS, s.ServerCPU)
		}
		if sc.Strategy == "prefork:procs=2" {
			var sum int64
			for _, n := range s.WorkerConns {
				sum += n
			}
			if len(s.WorkerConns) != 2 || sum < 2 || s.WorkerFairness < 0.5 || s.WorkerFairness > 1 {
				t.Errorf("%s %s: worker conns %v, fairness %v; want 2 workers' counts, fairness in 0.5..1", sc.Strategy, sc.Workload, s.WorkerConns, s.WorkerFairness)
			}
		}
	}
	base := perRequest["goroutine"]
	for _, st := range []string{"fork", "prefork:procs=2"} {
		if got := perRequest[st]; base <= 0 || got < base/2 {
			t.Errorf("cpu workload: %s records %.0fµs of server CPU per request, goroutine %.0fµs: the children's CPU is missing", st, got, base)
		}
	}
}
