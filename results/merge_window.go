package results

import (
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// mergeWindow merges samples that all have a Series over the intervals
// every agent's measured window covers, into out (requests, duration,
// throughput, series) and returns the merged histogram.
func mergeWindow(parts []*Sample, out *Sample) (*hdrhistogram.Histogram, error) {
	s0 := parts[0].Series
	every := time.Duration(s0.Interval)
	series := make([][]*hdrhistogram.Histogram, len(parts))
	for a, p := range parts {
		s := p.Series
		if s.Interval != s0.Interval || len(s.Histograms) != len(s0.Histograms) {
			return nil, fmt.Errorf("%w: agent %d has %d intervals of %s, agent 0 %d of %s", ErrMismatch, a, len(s.Histograms), s.Interval, len(s0.Histograms), s0.Interval)
		}
		if d := s.Start.Sub(s0.Start).Abs(); d > time.Millisecond {
			return nil, fmt.Errorf("%w: agent %d's window starts %s away from agent 0's (give every agent the same --start-at)", ErrMismatch, a, d)
		}
		hs, err := s.Decode()
		if err != nil {
			return nil, fmt.Errorf("agent %d: %w", a, err)
		}
		series[a] = hs
	}
	k0, k1 := commonIntervals(parts, s0.Start, every, len(s0.Histograms))
	if k0 >= k1 {
		return nil, fmt.Errorf("%w: the agents' measured windows have no interval of %s in common", ErrMismatch, every)
	}
	g := series[0][0]
	merged := make([]*hdrhistogram.Histogram, 0, k1-k0)
	total := hdrhistogram.New(g.LowestTrackableValue(), g.HighestTrackableValue(), int(g.SignificantFigures()))
	for k := k0; k < k1; k++ {
		h := hdrhistogram.New(g.LowestTrackableValue(), g.HighestTrackableValue(), int(g.SignificantFigures()))
		for a := range series {
			if dropped := h.Merge(series[a][k]); dropped != 0 {
				return nil, fmt.Errorf("agent %d interval %d: %d values outside the histogram's range", a, k, dropped)
			}
		}
		total.Merge(h)
		merged = append(merged, h)
	}
	start := s0.Start.Add(time.Duration(k0) * every)
	s, err := NewSeries(start, every, merged)
	if err != nil {
		return nil, err
	}
	out.Series = s
	out.Requests = total.TotalCount()
	out.Duration = (time.Duration(k1-k0) * every).Seconds()
	out.Throughput = float64(out.Requests) / out.Duration
	return total, nil
}

// commonIntervals returns the longest run [k0, k1) of the n intervals
// from start that every part's measured window (its own Share) covers
// within WindowSlack. A part without a share covers every interval.
func commonIntervals(parts []*Sample, start time.Time, every time.Duration, n int) (k0, k1 int) {
	covered := func(k int) bool {
		lo, hi := start.Add(time.Duration(k)*every), start.Add(time.Duration(k+1)*every)
		for _, p := range parts {
			if len(p.Shares) != 1 {
				continue
			}
			sh := p.Shares[0]
			end := sh.Start.Add(time.Duration(sh.Duration * float64(time.Second)))
			if sh.Start.After(lo.Add(WindowSlack)) || end.Before(hi.Add(-WindowSlack)) {
				return false
			}
		}
		return true
	}
	best0, best1 := 0, 0
	for k := 0; k < n; {
		if !covered(k) {
			k++
			continue
		}
		j := k
		for j < n && covered(j) {
			j++
		}
		if j-k > best1-best0 {
			best0, best1 = k, j
		}
		k = j
	}
	return best0, best1
}

// mergeServerSide copies the server-side figures from the first part that
// has them and relates them to the merged requests: the server's CPU was
// measured over that agent's window, so requests per CPU-second are the
// merged throughput times that window over that CPU.
func mergeServerSide(parts []*Sample, out *Sample) {
	for _, p := range parts {
		if p.ServerCPU <= 0 && p.PeakRSS <= 0 && p.Goroutines <= 0 {
			continue
		}
		out.ServerCPU, out.PeakRSS, out.MemPerConn = p.ServerCPU, p.PeakRSS, p.MemPerConn
		out.Goroutines, out.CtxSwitches = p.Goroutines, p.CtxSwitches
		if p.ServerCPU > 0 && out.Throughput > 0 && p.Duration > 0 {
			served := out.Throughput * p.Duration
			out.RequestsPerCPU = served / p.ServerCPU
			out.CPUPerRequest = p.ServerCPU * 1e6 / served
		}
		return
	}
}

// mergeSources says which side every figure of a run merged from shares
// came from.
func mergeSources(shares []*Run) map[string]string {
	server := "not measured: no agent read the server's stats (load --server-stats)"
	for _, s := range shares {
		if s.Agent != nil && s.Agent.ServerStats != "" {
			server = fmt.Sprintf("server: its stats endpoint %s, read by agent %d over that agent's window", s.Agent.ServerStats, s.Agent.Index)
			break
		}
	}
	window := "agents: merged exactly over the intervals every agent measured"
	own := "agents: summed over each agent's own measured window"
	return map[string]string{
		"requests": window, "throughput_rps": window, "latency": window, "histogram": window, "series": window,
		"errors": own, "client_cpu_s": own, "starved": own, "late_sends": own, "target_rps": own,
		"client_bound": "agents: set when any agent was client-bound; each agent's verdict is in shares",
		"shares":       "agents: each agent's own figures",
		"server_cpu_s": server, "peak_rss_bytes": server, "mem_per_conn_bytes": server, "goroutines": server, "ctx_switches": server,
		"requests_per_cpu_s": "merged throughput (agents) x the reading agent's window / server CPU (" + server + ")",
		"cpu_per_request_us": "server CPU (" + server + ") / merged requests over the reading agent's window",
		"fairness":           "not measured across agents",
	}
}
