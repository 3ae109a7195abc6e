package results

import (
	"errors"
	"fmt"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// ErrNotShare reports a run given to Merge that is not a load agent's
// share (it has no Agent).
var ErrNotShare = errors.New("not a load agent's share")

// ErrMismatch reports shares that did not measure the same thing together:
// different configurations, targets, scenarios, agent counts or windows.
var ErrMismatch = errors.New("shares do not match")

// WindowSlack is how far an agent's measured window may start after, or
// end before, an interval boundary and still count as covering that
// interval: timers wake a little late, and a window that misses its
// boundary by less than this is on time.
const WindowSlack = 20 * time.Millisecond

// Merge makes one run of several load agents' shares of the same
// measurement (see Agent). Every share must come from the same
// configuration, server address and schedule, with the same scenarios in
// the same order, and the shares' indexes must be 0..Count-1 once each;
// otherwise Merge returns an error wrapping ErrMismatch (or ErrNotShare).
//
// Each merged sample covers the window every agent measured: the
// intervals of its Series that every agent's measured window covers
// (within WindowSlack). Its histogram is the exact merge of all agents'
// histograms of those intervals (never percentiles of percentiles), its
// requests and throughput are their total over that window; its errors,
// client CPU and starved clients are summed over each agent's own window;
// Conns is the sum of the agents' connections; ClientBound is set when
// any agent was client-bound, and Shares keeps each agent's own figures
// and verdict. Server-side figures (server CPU, RSS, context switches,
// goroutines) come from the one share that read them from the server, if
// any. The merged run's Merged.Sources says which side every figure came
// from. Shares without Series (older agents) are merged by summing each
// agent's throughput over its own window, with a warning.
func Merge(shares []*Run) (*Run, error) {
	if err := checkShares(shares); err != nil {
		return nil, err
	}
	first := shares[0]
	out := &Run{
		Schema: SchemaVersion,
		Env:    first.Env,
		Config: first.Config,
		Merged: &Merged{Sources: mergeSources(shares)},
	}
	out.Config.Args = nil
	byIndex := slices.Clone(shares)
	slices.SortFunc(byIndex, func(a, b *Run) int { return a.Agent.Index - b.Agent.Index })
	for _, s := range byIndex {
		out.Merged.Agents = append(out.Merged.Agents, *s.Agent)
		for _, w := range s.Warnings {
			out.Warnings = appendNew(out.Warnings, fmt.Sprintf("agent %d: %s", s.Agent.Index, w))
		}
	}
	out.Warnings = appendNew(out.Warnings, fmt.Sprintf("merged from %d load agents' shares; env describes agent %d's machine", len(shares), first.Agent.Index))
	for i := range first.Scenarios {
		sc, err := mergeScenario(byIndex, i)
		if err != nil {
			return nil, err
		}
		out.Scenarios = append(out.Scenarios, sc)
	}
	for i := range out.Scenarios {
		for _, sm := range out.Scenarios[i].Samples {
			if sm.Series == nil {
				out.Warnings = appendNew(out.Warnings, "some shares have no per-interval histograms: their throughput is summed over each agent's own window, which may not be the same")
			}
		}
	}
	return out, nil
}

// checkShares refuses shares that are not one measurement's.
func checkShares(shares []*Run) error {
	if len(shares) == 0 {
		return fmt.Errorf("%w: no shares", ErrMismatch)
	}
	seen := map[int]bool{}
	first := shares[0]
	for i, s := range shares {
		if s.Agent == nil {
			return fmt.Errorf("share %d: %w (made by \"sockbench load\"?)", i, ErrNotShare)
		}
		a, a0 := s.Agent, first.Agent
		switch {
		case a.Count != len(shares):
			return fmt.Errorf("%w: share %d is agent %d of %d, but %d shares were given", ErrMismatch, i, a.Index, a.Count, len(shares))
		case a.Index < 0 || a.Index >= a.Count || seen[a.Index]:
			return fmt.Errorf("%w: share %d: agent index %d is out of 0..%d or given twice", ErrMismatch, i, a.Index, a.Count-1)
		case a.Addr != a0.Addr:
			return fmt.Errorf("%w: agent %d loaded %s, agent %d loaded %s", ErrMismatch, a.Index, a.Addr, a0.Index, a0.Addr)
		case !a.StartAt.Equal(a0.StartAt):
			return fmt.Errorf("%w: agent %d was scheduled at %v, agent %d at %v (give every agent the same --start-at)", ErrMismatch, a.Index, a.StartAt, a0.Index, a0.StartAt)
		case s.Config.Duration != first.Config.Duration || s.Config.Warmup != first.Config.Warmup || s.Config.Repetitions != first.Config.Repetitions:
			return fmt.Errorf("%w: agent %d ran duration %s warmup %s reps %d, agent %d duration %s warmup %s reps %d", ErrMismatch,
				a.Index, s.Config.Duration, s.Config.Warmup, s.Config.Repetitions, a0.Index, first.Config.Duration, first.Config.Warmup, first.Config.Repetitions)
		case len(s.Scenarios) != len(first.Scenarios):
			return fmt.Errorf("%w: agent %d has %d scenarios, agent %d has %d", ErrMismatch, a.Index, len(s.Scenarios), a0.Index, len(first.Scenarios))
		}
		seen[a.Index] = true
		for j := range s.Scenarios {
			k, k0 := s.Scenarios[j].Key(), first.Scenarios[j].Key()
			k.Conns, k0.Conns = 0, 0
			if k != k0 || len(s.Scenarios[j].Samples) != len(first.Scenarios[j].Samples) {
				return fmt.Errorf("%w: scenario %d: agent %d measured %s (%d samples), agent %d %s (%d samples)", ErrMismatch, j,
					a.Index, k, len(s.Scenarios[j].Samples), a0.Index, k0, len(first.Scenarios[j].Samples))
			}
		}
	}
	return nil
}

// mergeScenario merges scenario i of every share, sample by sample.
func mergeScenario(shares []*Run, i int) (Scenario, error) {
	sc := shares[0].Scenarios[i]
	sc.Conns, sc.Samples, sc.Warnings = 0, nil, nil
	for _, s := range shares {
		sc.Conns += s.Scenarios[i].Conns
		for _, w := range s.Scenarios[i].Warnings {
			if !slices.Contains(sc.Warnings, w) {
				sc.Warnings = append(sc.Warnings, w)
			}
		}
	}
	for j := range shares[0].Scenarios[i].Samples {
		parts := make([]*Sample, len(shares))
		for a, s := range shares {
			parts[a] = &s.Scenarios[i].Samples[j]
		}
		sm, err := mergeSample(parts)
		if err != nil {
			return Scenario{}, fmt.Errorf("scenario %d (%s) sample %d: %w", i, sc.Key(), j, err)
		}
		sc.Samples = append(sc.Samples, sm)
	}
	return sc, nil
}

// mergeSample merges one sample of every agent.
func mergeSample(parts []*Sample) (Sample, error) {
	out := Sample{Rep: parts[0].Rep}
	withSeries := true
	for a, p := range parts {
		out.Errors += p.Errors
		out.ClientCPU += p.ClientCPU
		out.ClientBound = out.ClientBound || p.ClientBound
		out.Starved += p.Starved
		out.TargetRate += p.TargetRate
		out.LateSends += p.LateSends
		out.MaxSendLag = max(out.MaxSendLag, p.MaxSendLag)
		out.Shares = append(out.Shares, p.Shares...)
		if len(p.Shares) == 0 {
			out.Shares = append(out.Shares, Share{Agent: a, Duration: p.Duration, Requests: p.Requests, Errors: p.Errors,
				Throughput: p.Throughput, ClientCPU: p.ClientCPU, ClientBound: p.ClientBound})
		}
		withSeries = withSeries && p.Series != nil
	}
	var h *hdrhistogram.Histogram
	var err error
	if withSeries {
		h, err = mergeWindow(parts, &out)
	} else {
		h, err = mergeWhole(parts, &out)
	}
	if err != nil {
		return Sample{}, err
	}
	summarise(&out, h)
	mergeServerSide(parts, &out)
	return out, nil
}

// mergeWhole merges samples without series: each agent's whole histogram,
// throughput summed over each agent's own window.
func mergeWhole(parts []*Sample, out *Sample) (*hdrhistogram.Histogram, error) {
	vals := make([]Sample, len(parts))
	for i, p := range parts {
		vals[i] = *p
		out.Requests += p.Requests
		out.Throughput += p.Throughput
		out.Duration = max(out.Duration, p.Duration)
	}
	return MergeHistograms(vals)
}

// summarise fills the latency summary and histogram of out from h.
func summarise(out *Sample, h *hdrhistogram.Histogram) {
	if out.TargetRate > 0 {
		out.AchievedRate = out.Throughput
	}
	if h == nil || h.TotalCount() == 0 {
		return
	}
	out.Latency = Latency{
		P50: float64(h.ValueAtQuantile(50)), P90: float64(h.ValueAtQuantile(90)), P99: float64(h.ValueAtQuantile(99)),
		P999: float64(h.ValueAtQuantile(99.9)), Max: float64(h.Max()), Mean: h.Mean(),
	}
	out.Histogram = NewHistogram(h)
}

// appendNew appends s to list unless it is there already.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
