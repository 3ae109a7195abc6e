package results

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/google/go-cmp/cmp"
)

var mergeStart = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// shareOf builds agent index's share of a count-agent run: one scenario,
// one sample, n intervals of one second whose values are drawn from rng
// and also recorded into union; the agent's window starts late by late.
func shareOf(t *testing.T, index, count, n int, late time.Duration, rng *rand.Rand, union *hdrhistogram.Histogram) *Run {
	t.Helper()
	hists := make([]*hdrhistogram.Histogram, n)
	total := hdrhistogram.New(1, 60_000_000, 3)
	for k := range hists {
		hists[k] = hdrhistogram.New(1, 60_000_000, 3)
		for range 200 + rng.IntN(300) {
			v := 1 + rng.Int64N(100_000)
			if rng.IntN(50) == 0 {
				v *= 40 // a tail
			}
			if err := hists[k].RecordValue(v); err != nil {
				t.Fatal(err)
			}
			if union != nil && time.Duration(k)*time.Second >= late {
				_ = union.RecordValue(v)
			}
		}
		total.Merge(hists[k])
	}
	series, err := NewSeries(mergeStart, time.Second, hists)
	if err != nil {
		t.Fatal(err)
	}
	dur := (time.Duration(n)*time.Second - late).Seconds()
	s := Sample{Rep: 1, Duration: dur, Requests: total.TotalCount(), Throughput: float64(total.TotalCount()) / dur,
		Histogram: NewHistogram(total), Series: series, ClientCPU: 0.5, ClientBound: index == 1,
		Shares: []Share{{Agent: index, Host: "h", Conns: 4, Start: mergeStart.Add(late), Duration: dur,
			Requests: total.TotalCount(), ClientBound: index == 1, LateStart: late.Seconds()}}}
	return &Run{
		Schema: SchemaVersion,
		Config: Config{Duration: Duration(time.Duration(n) * time.Second), Repetitions: 1},
		Agent:  &Agent{Index: index, Count: count, Addr: "198.18.0.1:9000", StartAt: mergeStart},
		Scenarios: []Scenario{{Strategy: "external:198.18.0.1:9000", Workload: "keepalive", Mode: "closed", Conns: 4,
			Samples: []Sample{s}}},
	}
}

// TestMergeExact: the merged histogram is the union of the agents'
// recorded values, so its p99 (and every quantile) is the union's, not a
// percentile of percentiles; requests and conns are summed; each agent's
// verdict is kept; the merged run survives Write and Read.
func TestMergeExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	union := hdrhistogram.New(1, 60_000_000, 3)
	var shares []*Run
	for i := range 3 {
		shares = append(shares, shareOf(t, i, 3, 4, 0, rng, union))
	}
	m, err := Merge([]*Run{shares[2], shares[0], shares[1]})
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, m); err != nil {
		t.Fatal(err)
	}
	if m, err = Read(&buf); err != nil {
		t.Fatalf("Read(merged): %v", err)
	}
	sc := m.Scenarios[0]
	s := sc.Samples[0]
	got := s.Histogram.HDR()
	for _, q := range []float64{50, 90, 99, 99.9, 100} {
		if g, w := got.ValueAtQuantile(q), union.ValueAtQuantile(q); g != w {
			t.Errorf("merged p%v = %d, union's = %d", q, g, w)
		}
	}
	if s.Latency.P99 != float64(union.ValueAtQuantile(99)) {
		t.Errorf("Latency.P99 = %v, union's p99 = %d", s.Latency.P99, union.ValueAtQuantile(99))
	}
	if s.Requests != union.TotalCount() || sc.Conns != 12 || s.Duration != 4 {
		t.Errorf("requests %d (union %d), conns %d, duration %v; want the union's, 12, 4", s.Requests, union.TotalCount(), sc.Conns, s.Duration)
	}
	var bound []bool
	for _, sh := range s.Shares {
		bound = append(bound, sh.ClientBound)
	}
	if diff := cmp.Diff([]bool{false, true, false}, bound); diff != "" || !s.ClientBound {
		t.Errorf("per-agent verdicts (-want +got):\n%s; merged ClientBound %v", diff, s.ClientBound)
	}
	if m.Merged == nil || len(m.Merged.Agents) != 3 || m.Merged.Sources["server_cpu_s"] == "" {
		t.Errorf("Merged = %+v, want 3 agents and sources", m.Merged)
	}
}

// TestMergeCommonWindow: an agent that started late shrinks the window to
// the intervals every agent covered, and throughput is the total over it.
func TestMergeCommonWindow(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	union := hdrhistogram.New(1, 60_000_000, 3)
	a := shareOf(t, 0, 2, 5, time.Second, rng, nil)
	b := shareOf(t, 1, 2, 5, 1500*time.Millisecond, rng, nil)
	for _, r := range []*Run{a, b} {
		hs, err := r.Scenarios[0].Samples[0].Series.Decode()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs[2:] {
			union.Merge(h)
		}
	}
	m, err := Merge([]*Run{a, b})
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	s := m.Scenarios[0].Samples[0]
	if s.Duration != 3 || s.Requests != union.TotalCount() || !s.Series.Start.Equal(mergeStart.Add(2*time.Second)) {
		t.Errorf("window %vs from %v with %d requests; want 3s from %v with %d", s.Duration, s.Series.Start, s.Requests, mergeStart.Add(2*time.Second), union.TotalCount())
	}
	if want := float64(union.TotalCount()) / 3; s.Throughput != want {
		t.Errorf("throughput %v, want %v", s.Throughput, want)
	}
}

// TestMergeRefuses: shares that did not measure the same thing together
// are refused with ErrMismatch (or ErrNotShare).
func TestMergeRefuses(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct {
		name   string
		change func(a, b *Run)
		want   error
	}{
		{"not a share", func(a, b *Run) { b.Agent = nil }, ErrNotShare},
		{"count", func(a, b *Run) { b.Agent.Count = 3 }, ErrMismatch},
		{"same index", func(a, b *Run) { b.Agent.Index = 0 }, ErrMismatch},
		{"address", func(a, b *Run) { b.Agent.Addr = "198.18.0.2:9000" }, ErrMismatch},
		{"schedule", func(a, b *Run) { b.Agent.StartAt = mergeStart.Add(time.Minute) }, ErrMismatch},
		{"duration", func(a, b *Run) { b.Config.Duration = Duration(time.Minute) }, ErrMismatch},
		{"workload", func(a, b *Run) { b.Scenarios[0].Workload = "churn" }, ErrMismatch},
		{"interval", func(a, b *Run) { b.Scenarios[0].Samples[0].Series.Interval = Duration(time.Millisecond) }, ErrMismatch},
		{"no common window", func(a, b *Run) { b.Scenarios[0].Samples[0].Shares[0].Start = mergeStart.Add(time.Hour) }, ErrMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := shareOf(t, 0, 2, 3, 0, rng, nil), shareOf(t, 1, 2, 3, 0, rng, nil)
			tc.change(a, b)
			if _, err := Merge([]*Run{a, b}); !errors.Is(err, tc.want) {
				t.Errorf("Merge: %v, want %v", err, tc.want)
			}
		})
	}
}
