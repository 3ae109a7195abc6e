package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/results"
)

func TestMarkStreamOnly(t *testing.T) {
	udp, err := bench.ParseWorkload("udp", 0)
	if err != nil {
		t.Fatal(err)
	}
	keep, _ := bench.ParseWorkload("keepalive", 0)
	for _, tt := range []struct {
		strategy   string
		workloads  []bench.Workload
		streamOnly bool
	}{
		{"sync", []bench.Workload{udp}, false},
		{"pool:workers=4", []bench.Workload{keep, udp}, false},
		{"eventloop", []bench.Workload{keep, udp}, true},
		{"fork", []bench.Workload{udp}, true},
		{"prefork", []bench.Workload{udp}, true},
		{"eventloop", []bench.Workload{keep}, false}, // no datagram workload: nothing to mark
	} {
		cfg := bench.Config{Targets: []bench.Target{bench.StrategyTarget(tt.strategy)}, Workloads: tt.workloads}
		markStreamOnly(&cfg)
		if got := cfg.Targets[0].StreamOnly; got != tt.streamOnly {
			t.Errorf("%s with %d workloads: StreamOnly = %v, want %v", tt.strategy, len(tt.workloads), got, tt.streamOnly)
		}
	}
}

func TestBenchDatagram(t *testing.T) {
	launchBuiltBinary(t)

	out := filepath.Join(t.TempDir(), "run.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "sync;eventloop", "--no-reference", "--workloads", "udp",
		"--conns", "2", "--duration", "200ms", "--warmup", "50ms", "--reps", "1", "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "datagram loss") {
		t.Errorf("no loss table:\n%s", stdout.String())
	}
	r, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Scenarios) != 1 || r.Scenarios[0].Strategy != "sync" {
		t.Fatalf("scenarios %+v; want sync's alone (eventloop skipped)", r.Scenarios)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "eventloop skipped for workload udp: the strategy serves streams only") {
		t.Errorf("warnings %q do not say why eventloop was skipped", r.Warnings)
	}
	s := r.Scenarios[0].Samples[0]
	if s.Requests <= 0 || s.Lost == nil || s.LossRatio == nil || *s.LossRatio < 0 || *s.LossRatio > 1 {
		t.Errorf("sample %+v: want requests and a loss", s)
	}

	stderr.Reset()
	code = run(context.Background(), []string{"bench", "--strategies", "eventloop", "--no-reference", "--workloads", "udp",
		"--conns", "1", "--duration", "50ms", "--reps", "1", "--out", filepath.Join(t.TempDir(), "none.json")}, &stdout, &stderr)
	if code == 0 || !strings.Contains(stderr.String(), "nothing to measure") {
		t.Errorf("eventloop alone on udp: exit %d, stderr %q; want a refusal", code, stderr.String())
	}
}
