package bench

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/results"
)

// TestRunAgentsMerge: two agents started independently on one schedule
// measure the same windows, and their shares merge into one run whose
// requests are the agents' total over the common window.
func TestRunAgentsMerge(t *testing.T) {
	_, addr := serveRef(t, "goroutine", "upperlines")
	w, err := ParseWorkload("keepalive", 0)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(1200 * time.Millisecond)
	var reads atomic.Int64
	shares := make([]*results.Run, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range shares {
		wg.Go(func() {
			cfg := AgentConfig{Addr: addr, Workloads: []Workload{w}, Conns: []int{2}, Duration: 600 * time.Millisecond,
				Interval: 200 * time.Millisecond, StartAt: start, Index: i, Count: 2, Host: "agent" + string(rune('a'+i))}
			if i == 0 {
				cfg.StatsSource = "test"
				cfg.ServerStats = func(context.Context) (serveproto.Stats, error) {
					return serveproto.Stats{CPU: float64(reads.Add(1))}, nil
				}
			}
			shares[i], errs[i] = RunAgent(context.Background(), cfg)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("agent %d: %v", i, err)
		}
	}
	for i, r := range shares {
		s := r.Scenarios[0].Samples
		if len(s) != 1 || s[0].Series == nil || len(s[0].Series.Histograms) != 3 || !s[0].Series.Start.Equal(start) {
			t.Fatalf("agent %d: samples %+v, want one with 3 intervals from %v", i, s, start)
		}
		if sh := s[0].Shares; len(sh) != 1 || sh[0].Agent != i || sh[0].Requests != s[0].Requests {
			t.Errorf("agent %d: shares %+v", i, sh)
		}
	}
	if got := shares[0].Scenarios[0].Samples[0].ServerCPU; got != 1 {
		t.Errorf("agent 0's server CPU = %v, want 1 (the difference of its two reads)", got)
	}
	m, err := results.Merge(shares)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	ms := m.Scenarios[0].Samples[0]
	var sum int64
	for _, r := range shares {
		sum += r.Scenarios[0].Samples[0].Requests
	}
	if ms.Requests == 0 || ms.Requests > sum || m.Scenarios[0].Conns != 4 || len(ms.Shares) != 2 {
		t.Errorf("merged requests %d (agents' sum %d), conns %d, %d shares", ms.Requests, sum, m.Scenarios[0].Conns, len(ms.Shares))
	}
}

func TestAgentConfigRefused(t *testing.T) {
	w, _ := ParseWorkload("keepalive", 0)
	ok := AgentConfig{Addr: "127.0.0.1:1", Workloads: []Workload{w}, Conns: []int{1}, Duration: time.Second}
	for _, tc := range []struct {
		name   string
		change func(*AgentConfig)
	}{
		{"no address", func(c *AgentConfig) { c.Addr = "" }},
		{"index beyond count", func(c *AgentConfig) { c.Index, c.Count = 3, 3 }},
		{"no workloads", func(c *AgentConfig) { c.Workloads = nil }},
		{"no duration", func(c *AgentConfig) { c.Duration = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.change(&c)
			if _, err := RunAgent(context.Background(), c); !errors.Is(err, ErrBadConfig) {
				t.Errorf("RunAgent: %v, want ErrBadConfig", err)
			}
		})
	}
}
