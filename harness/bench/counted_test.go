package bench

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
)

func TestParseProcIO(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
		err  bool
	}{
		{"kernel format", "rchar: 100\nwchar: 200\nsyscr: 7\nsyscw: 5\nread_bytes: 0\n", 12, false},
		{"no syscw", "syscr: 7\n", 0, true},
		{"bad number", "syscr: x\nsyscw: 1\n", 0, true},
		{"empty", "", 0, true},
	}
	for _, tt := range tests {
		got, err := parseProcIO([]byte(tt.in))
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%s: parseProcIO = %d, %v; want %d, error %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}

func TestParsePerfCSV(t *testing.T) {
	out := "Events disabled\nEvents enabled\n" +
		"10448,,raw_syscalls:sys_enter,117758344,100.00,,\n" +
		"<not supported>,,instructions,0,100.00,,\n"
	counts, missing := parsePerfCSV([]byte(out))
	if diff := cmp.Diff(map[string]int64{results.CountSyscalls: 10448}, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{results.CountInstructions: "<not supported>"}, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	counts, _ = parsePerfCSV([]byte("<not counted>,,raw_syscalls:sys_enter,0,100.00,,\n"))
	if diff := cmp.Diff(map[string]int64{results.CountSyscalls: 0}, counts); diff != "" {
		t.Errorf("a process that never ran (-want +got):\n%s", diff)
	}
}

// TestRunCounts checks that a sample carries the server's counts over the
// measured interval: a keep-alive request costs the server at least a read
// and a write, and the environment says where every counter comes from.
func TestRunCounts(t *testing.T) {
	keepalive, err := ParseWorkload("keepalive", 0)
	if err != nil {
		t.Fatal(err)
	}
	goroutine, _ := ParseTarget("reference:goroutine")
	run, err := Run(context.Background(), Config{
		Targets: []Target{goroutine}, Workloads: []Workload{keepalive}, Conns: []int{2}, Reps: 1,
		Duration: 200 * time.Millisecond, Warmup: 50 * time.Millisecond, Launcher: testLauncher, Perf: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range results.Counters() {
		if name != results.CountCallgrindIr && run.Env.Counters[name] == "" { // callgrind's is "sockbench callgrind"'s
			t.Errorf("env says nothing of counter %s: %v", name, run.Env.Counters)
		}
	}
	s := run.Scenarios[0].Samples[0]
	perReq := func(name string) float64 { return float64(s.Counts[name]) / float64(s.Requests) }
	for _, name := range []string{results.CountIOSyscalls, results.CountAllocs, results.CountAllocBytes, results.CountGCCycles, results.CountVolCtx, results.CountInvolCtx} {
		if _, ok := s.Counts[name]; !ok {
			t.Errorf("counter %s not measured: %v", name, s.Counts)
		}
	}
	// A read and a write per request at least; the server's interval is
	// the client's shifted by the time the edges' readings take, so allow
	// for a loaded machine.
	if io := perReq(results.CountIOSyscalls); io < 1.5 || io > 20 {
		t.Errorf("%.2f read+write syscalls per request (%v over %d requests), want a read and a write at least", io, s.Counts, s.Requests)
	}
	if perfCounts(run.Env.Counters) {
		// perf may miss a thread the server starts while perf attaches,
		// so only its presence is certain.
		if sys := perReq(results.CountSyscalls); sys < 1 {
			t.Errorf("perf counted %.2f syscalls per request (%v), want at least one", sys, s.Counts)
		}
	} else if !strings.HasPrefix(run.Env.Counters[results.CountSyscalls], results.Unsupported) {
		t.Errorf("perf does not count, yet env says %q", run.Env.Counters[results.CountSyscalls])
	}
}

func TestCountedSourcesWithoutPerf(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no perf here
	src := CountedSources(context.Background(), true)
	for _, c := range []string{results.CountSyscalls, results.CountInstructions} {
		if got := src[c]; got != results.Unsupported+": perf not found in PATH" {
			t.Errorf("counter %s: %q, want unsupported: perf not found", c, got)
		}
	}
	if perfCounts(src) {
		t.Error("perfCounts says perf counts without perf")
	}
	if got := CountedSources(context.Background(), false)[results.CountSyscalls]; !strings.Contains(got, "not asked") {
		t.Errorf("without --perf: %q, want unsupported: not asked", got)
	}
}
