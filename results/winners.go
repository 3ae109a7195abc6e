package results

import "fmt"

// Win says what won one cell of a run (a workload at a connection count)
// and why: the target with the best median of the ranking metric among
// those that starved no client, with its margin over the runner-up. A
// target that starved clients is never a winner, however good its
// figures: they describe only the clients it served.
type Win struct {
	// Cell is the workload, params, mode and conns (Strategy is empty).
	Cell Key
	// Metric is the ranking metric: requests per server-CPU-second, or
	// throughput where no target of the cell has server CPU (an external
	// server).
	Metric Metric
	// Best is the winner; empty when every target starved clients.
	// RunnerUp is the second best non-starving target, empty when Best
	// had no rival.
	Best, RunnerUp string
	// Best and RunnerUp's statistics of Metric.
	BestStat, RunnerUpStat Stat
	// Margin is how much better Best's median is than RunnerUp's (0.12 =
	// 12% better), in the metric's good direction.
	Margin float64
	// Tie reports that the two medians' confidence intervals overlap: the
	// margin is within the noise of the repetitions.
	Tie bool
	// Starved lists the targets left out of the ranking, with the clients
	// they starved, e.g. "sync (starved 15 of 16 clients)".
	Starved []string
}

// Wins returns the Win of every cell of r, in table order (see Cells).
func Wins(r *Run) []Win {
	rpcpu, _ := MetricByName("requests_per_cpu_s")
	rps, _ := MetricByName("throughput_rps")
	idx := r.ByKey()
	var out []Win
	for _, cell := range r.Cells() {
		var scs []*Scenario
		for _, s := range r.Strategies() {
			k := cell
			k.Strategy = s
			if sc, ok := idx[k]; ok {
				scs = append(scs, sc)
			}
		}
		m := rps
		for _, sc := range scs {
			if sc.Stat(rpcpu).N() > 0 {
				m = rpcpu
				break
			}
		}
		out = append(out, cellWin(cell, m, scs))
	}
	return out
}

// cellWin ranks the scenarios of one cell on m.
func cellWin(cell Key, m Metric, scs []*Scenario) Win {
	w := Win{Cell: cell, Metric: m}
	better := func(a, b Stat) bool {
		if m.Better == LowerIsBetter {
			return a.Median < b.Median
		}
		return a.Median > b.Median
	}
	for _, sc := range scs {
		if n := sc.StarvedClients(); n > 0 {
			w.Starved = append(w.Starved, fmt.Sprintf("%s (starved %d of %d clients)", sc.Strategy, n, sc.Conns))
			continue
		}
		st := sc.Stat(m)
		if st.N() == 0 {
			continue
		}
		switch {
		case w.Best == "" || better(st, w.BestStat):
			w.RunnerUp, w.RunnerUpStat = w.Best, w.BestStat
			w.Best, w.BestStat = sc.Strategy, st
		case w.RunnerUp == "" || better(st, w.RunnerUpStat):
			w.RunnerUp, w.RunnerUpStat = sc.Strategy, st
		}
	}
	if w.Best != "" && w.RunnerUp != "" && w.RunnerUpStat.Median != 0 {
		w.Margin = w.BestStat.Median/w.RunnerUpStat.Median - 1
		if m.Better == LowerIsBetter {
			w.Margin = w.RunnerUpStat.Median/w.BestStat.Median - 1
		}
		w.Tie = w.BestStat.Lo <= w.RunnerUpStat.Hi && w.RunnerUpStat.Lo <= w.BestStat.Hi
	}
	return w
}

// Reason says in one sentence why Best won, e.g. "12% more requests per
// server-CPU-second than goroutine, beyond the noise; sync (starved 15 of
// 16 clients) not ranked".
func (w Win) Reason() string {
	var s string
	switch {
	case w.Best == "":
		s = "no target served every client"
	case w.RunnerUp == "":
		s = "the only target that served every client"
	default:
		s = fmt.Sprintf("%.0f%% better %s than %s", 100*w.Margin, w.Metric.Label, w.RunnerUp)
		if w.Tie {
			s += ", within the noise (the repetitions overlap): a tie"
		} else {
			s += ", beyond the noise"
		}
	}
	for i, st := range w.Starved {
		if i == 0 {
			s += "; not ranked: "
		} else {
			s += ", "
		}
		s += st
	}
	return s
}
