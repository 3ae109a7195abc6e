package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/results"
)

// TestProgressNotOnTerminal checks that a bench whose stderr is not a
// terminal writes a progress line (count, percentage, time left) at the
// first sample and then at most every progressEvery.
func TestProgressNotOnTerminal(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w)
	clock := p.start
	p.now = func() time.Time { return clock }
	step := func(done int, after time.Duration) {
		clock = clock.Add(after)
		p.update(bench.Progress{Done: done, Total: 120, Target: "goroutine", Workload: "keepalive", Conns: 16, Rep: 2})
	}
	step(0, 0)
	step(1, time.Second)
	step(6, 5*time.Second)
	step(7, time.Second)
	p.finish()
	want := []string{
		"sockbench bench: 0/120 samples (0%), time left unknown yet; now keepalive conns=16 goroutine rep 2",
		"sockbench bench: 6/120 samples (5%), about 1m54s left; now keepalive conns=16 goroutine rep 2",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(w.String()), "\n")); diff != "" {
		t.Errorf("progress lines (-want +got):\n%s", diff)
	}
}

// TestBenchOutStdout runs a tiny bench with --out -: the run goes to
// stdout as JSON (and nothing else does), the table and the progress to
// stderr, whose first line says where the run goes.
func TestBenchOutStdout(t *testing.T) {
	launchBuiltBinary(t)
	old := progressEvery
	progressEvery = 0
	t.Cleanup(func() { progressEvery = old })

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "goroutine", "--no-reference", "--workloads", "keepalive",
		"--conns", "2", "--duration", "100ms", "--warmup", "20ms", "--reps", "2", "--out", "-"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	r, err := results.Read(&stdout)
	if err != nil {
		t.Fatalf("stdout is not a run: %v", err)
	}
	if len(r.Scenarios) != 1 || len(r.Scenarios[0].Samples) != 2 {
		t.Errorf("run has %d scenarios, want 1 with 2 samples", len(r.Scenarios))
	}
	if r.Config.Backlog != bench.DefaultBacklog {
		t.Errorf("run records backlog %d, want %d", r.Config.Backlog, bench.DefaultBacklog)
	}
	first, _, _ := strings.Cut(stderr.String(), "\n")
	if first != "sockbench bench: the run goes to stdout as JSON when done; the table to stderr" {
		t.Errorf("first line of stderr %q does not announce the output", first)
	}
	for _, want := range []string{"1 target x 1 workload x 1 connection count x 2 repetitions = 2 samples of 100ms after 20ms of warm-up, about 0s",
		"benchstat needs 6 repetitions", "1/2 samples (50%), about ", "requests per server-CPU-second", "backlog 4096", "wrote the run to stdout"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestProgressOnTerminal checks that on a terminal each update redraws one
// status line in place with the count, the percentage and the time left,
// and that finish erases it before the table.
func TestProgressOnTerminal(t *testing.T) {
	var w bytes.Buffer
	p := newProgress(&w)
	p.tty = true
	clock := p.start
	p.now = func() time.Time { return clock }
	p.update(bench.Progress{Done: 0, Total: 4, Target: "sync", Workload: "churn", Conns: 1, Rep: 1})
	clock = clock.Add(2 * time.Second)
	p.update(bench.Progress{Done: 1, Total: 4, Target: "sync", Workload: "churn", Conns: 1, Rep: 2})
	p.finish()
	want := eraseLine + "0/4 samples (0%), time left unknown yet; now churn conns=1 sync rep 1" +
		eraseLine + "1/4 samples (25%), about 6s left; now churn conns=1 sync rep 2" + eraseLine
	if diff := cmp.Diff(want, w.String()); diff != "" {
		t.Errorf("terminal output (-want +got):\n%s", diff)
	}
}
