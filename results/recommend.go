package results

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchmath"
)

// recommendAlpha is the significance level of a recommendation's
// confidence figures, as benchstat's default.
const recommendAlpha = 0.05

// A Recommendation answers, for one workload of a run, "which target, with
// which settings?": the best target by the ranking figure (requests per
// server-CPU-second; throughput where no target has server CPU) among
// those that starved no client and met the run's goal, judged at the
// workload's largest connection count (the load the server must carry),
// with the runner-up, the margin and its statistical confidence, and what
// would change the answer.
type Recommendation struct {
	// Cell is the workload at the connection count judged.
	Cell Key
	// Goal is the run's goal; the zero Goal when it had none.
	Goal Goal
	// Win ranks the eligible targets of Cell: Best, RunnerUp, Margin, Tie,
	// and the targets left out for starving clients (Win.Starved).
	Win Win
	// Paired is Best's change over RunnerUp in the ranking figure from
	// pairs of repetitions measured back to back (N is 0 when the run was
	// not interleaved or a side is missing).
	Paired Paired
	// P is the Mann-Whitney U test's p-value of Best against RunnerUp (1
	// when not computed).
	P float64
	// BestCheck describes how Best met the goal, e.g. "p99 15.1ms"; empty
	// without a goal.
	BestCheck string
	// BestSLO and RunnerUpSLO are their searches for the highest rate under
	// the goal, nil when none ran.
	BestSLO, RunnerUpSLO *SLOSearch
	// Missed lists the targets left out for missing the goal, with how,
	// e.g. "pool:workers=8 (p99 80ms > 20ms)".
	Missed []string
	// Elsewhere names the best target at the workload's other connection
	// counts where it differs from Best, e.g. "at 16 connections: goroutine".
	Elsewhere []string
	// Changes say what would change the answer, e.g. "pool:workers below
	// 64 misses p99<=20ms at 500 connections".
	Changes []string
}

// Recommend returns one Recommendation per workload of r (workload and
// parameters, in table order), judged at each one's largest connection
// count. The run's goal is r.Config.Goal; a goal that does not parse is
// ignored.
func Recommend(r *Run) []Recommendation {
	goal, _ := ParseGoal(r.Config.Goal)
	if r.Config.Goal == "" {
		goal = Goal{}
	}
	idx := r.ByKey()
	cells := r.Cells()
	var out []Recommendation
	for i, cell := range cells {
		if i+1 < len(cells) && sameWorkload(cells[i+1], cell) {
			continue // judge at the largest count: the last of the workload
		}
		rc := recommendCell(r, idx, goal, cell)
		for _, other := range cells {
			if sameWorkload(other, cell) && other != cell {
				o := recommendCell(r, idx, goal, other)
				if o.Win.Best != rc.Win.Best {
					best := o.Win.Best
					if best == "" {
						best = "none"
					}
					rc.Elsewhere = append(rc.Elsewhere, fmt.Sprintf("at %s: %s", plural(other.Conns, "connection"), best))
				}
			}
		}
		out = append(out, rc)
	}
	return out
}

// sameWorkload reports whether two cells differ only in connections.
func sameWorkload(a, b Key) bool {
	a.Conns, b.Conns = 0, 0
	return a == b
}

// plural returns "1 connection" or "16 connections".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// recommendCell ranks the targets of one cell.
func recommendCell(r *Run, idx map[Key]*Scenario, goal Goal, cell Key) Recommendation {
	rc := Recommendation{Cell: cell, Goal: goal, P: 1}
	rpcpu, _ := MetricByName("requests_per_cpu_s")
	m, _ := MetricByName("throughput_rps")
	var all, eligible []*Scenario
	for _, s := range r.Strategies() {
		k := cell
		k.Strategy = s
		sc, ok := idx[k]
		if !ok {
			continue
		}
		all = append(all, sc)
		if sc.Stat(rpcpu).N() > 0 {
			m = rpcpu
		}
		if !goal.IsZero() && sc.StarvedClients() == 0 {
			if met, missed := goal.CheckScenario(sc); !met {
				rc.Missed = append(rc.Missed, fmt.Sprintf("%s (%s)", sc.Strategy, strings.Join(missed, ", ")))
				continue
			}
		}
		eligible = append(eligible, sc)
	}
	rc.Win = cellWin(cell, m, eligible)
	best, runnerUp := find(all, rc.Win.Best), find(all, rc.Win.RunnerUp)
	if best != nil {
		rc.BestSLO = best.SLO
		rc.BestCheck = goalValues(goal, best)
	}
	if runnerUp != nil {
		rc.RunnerUpSLO = runnerUp.SLO
	}
	if best != nil && runnerUp != nil {
		if r.Config.Interleaved {
			rc.Paired = pairedChange(m, runnerUp, best, recommendAlpha)
		}
		a, b := runnerUp.Stat(m), best.Stat(m)
		if a.N() > 0 && b.N() > 0 {
			rc.P = benchmath.AssumeNothing.Compare(a.Sample(recommendAlpha), b.Sample(recommendAlpha)).P
		}
	}
	rc.Changes = changes(rc, all, best, runnerUp, goal)
	return rc
}

// find returns the scenario of target name among scs, or nil.
func find(scs []*Scenario, name string) *Scenario {
	for _, sc := range scs {
		if name != "" && sc.Strategy == name {
			return sc
		}
	}
	return nil
}

// goalValues describes sc's medians of the goal's latency and loss
// bounds, e.g. "p99 15.1ms, loss 0.2%".
func goalValues(goal Goal, sc *Scenario) string {
	var parts []string
	for _, b := range goal.Bounds {
		if b.Name == "errors" {
			continue
		}
		m, _ := MetricByName(b.Name)
		if st := sc.Stat(m); st.N() > 0 {
			parts = append(parts, b.Name+" "+b.format(st.Median))
		}
	}
	return strings.Join(parts, ", ")
}

// excluded reports why sc is not ranked: it starved clients or missed the
// goal; "" when it is eligible.
func excluded(goal Goal, sc *Scenario) string {
	if n := sc.StarvedClients(); n > 0 {
		return "starves clients"
	}
	if !goal.IsZero() {
		if met, _ := goal.CheckScenario(sc); !met {
			return "misses " + goal.String()
		}
	}
	return ""
}

// changes says what would change the answer: a sweep's threshold, a tie,
// the SLO search ranking otherwise, a goal barely met.
func changes(rc Recommendation, all []*Scenario, best, runnerUp *Scenario, goal Goal) []string {
	var out []string
	out = append(out, sweepThresholds(rc.Cell, all, goal, best)...)
	if rc.Win.Tie {
		out = append(out, fmt.Sprintf("%s and %s are within the noise: more repetitions (--reps) or a longer --duration could swap them", rc.Win.Best, rc.Win.RunnerUp))
	}
	if best != nil && runnerUp != nil && best.SLO != nil && runnerUp.SLO != nil && runnerUp.SLO.Rate > best.SLO.Rate*(1+best.SLO.Precision) {
		out = append(out, fmt.Sprintf("ranked by the highest rate under the goal instead, %s wins (%s req/s against %s)", runnerUp.Strategy, formatRate(runnerUp.SLO.Rate), formatRate(best.SLO.Rate)))
	}
	if best != nil {
		for _, b := range goal.Bounds {
			m, ok := MetricByName(b.Name)
			if !ok || b.Name == "errors" { // the errors metric counts, the bound is a share
				continue
			}
			if st := best.Stat(m); st.N() > 0 && st.Median > 0.8*b.Limit {
				out = append(out, fmt.Sprintf("%s meets %s with little room (%s %s): a goal tighter than that rules it out", best.Strategy, b, b.Name, b.format(st.Median)))
			}
		}
	}
	return out
}

// sweepThresholds finds, for every swept spec of the cell, the values
// beyond which its targets starve clients or miss the goal, e.g.
// "pool:workers below 64 misses p99<=20ms at 500 connections", and says
// when the best target is at the end of its sweep.
func sweepThresholds(cell Key, all []*Scenario, goal Goal, best *Scenario) []string {
	groups := map[string][]*Scenario{}
	var order []string
	for _, sc := range all {
		if sc.Sweep == nil {
			continue
		}
		if _, ok := groups[sc.Sweep.Spec]; !ok {
			order = append(order, sc.Sweep.Spec)
		}
		groups[sc.Sweep.Spec] = append(groups[sc.Sweep.Spec], sc)
	}
	var out []string
	for _, spec := range order {
		g := groups[spec]
		name := sweepName(g[0])
		lo, hi := math.Inf(1), math.Inf(-1) // eligible values
		for _, sc := range g {
			if excluded(goal, sc) == "" {
				lo, hi = math.Min(lo, sc.Sweep.X), math.Max(hi, sc.Sweep.X)
			}
		}
		if math.IsInf(lo, 1) {
			var whys []string
			for _, sc := range g {
				if why := excluded(goal, sc); !slices.Contains(whys, why) {
					whys = append(whys, why)
				}
			}
			out = append(out, fmt.Sprintf("no %s from %s to %s serves %s at %s: each %s", name, first(g).Sweep.Value, last(g).Sweep.Value, cell.WorkloadLabel(), plural(cell.Conns, "connection"), strings.Join(whys, " or ")))
			continue
		}
		for _, sc := range g {
			why := excluded(goal, sc)
			switch {
			case why != "" && sc.Sweep.X < lo && sc == lastBelow(g, lo):
				out = append(out, fmt.Sprintf("%s below %s %s at %s (%s)", name, valueAt(g, lo), why, plural(cell.Conns, "connection"), sc.Strategy))
			case why != "" && sc.Sweep.X > hi && sc == firstAbove(g, hi):
				out = append(out, fmt.Sprintf("%s above %s %s at %s (%s)", name, valueAt(g, hi), why, plural(cell.Conns, "connection"), sc.Strategy))
			}
		}
		if best != nil && best.Sweep != nil && best.Sweep.Spec == spec && len(g) > 1 {
			switch best.Sweep.X {
			case last(g).Sweep.X:
				out = append(out, fmt.Sprintf("%s is the largest value swept: a larger value of %s might do better still", best.Strategy, best.Sweep.Option))
			case first(g).Sweep.X:
				out = append(out, fmt.Sprintf("%s is the smallest value swept: a smaller value of %s might do better still", best.Strategy, best.Sweep.Option))
			}
		}
	}
	return out
}

// sweepName names a swept spec's option for a sentence, "pool:workers".
func sweepName(sc *Scenario) string {
	base, _, _ := strings.Cut(sc.Sweep.Spec, ":")
	return base + ":" + sc.Sweep.Option
}

func first(g []*Scenario) *Scenario {
	f := g[0]
	for _, sc := range g {
		if sc.Sweep.X < f.Sweep.X {
			f = sc
		}
	}
	return f
}

func last(g []*Scenario) *Scenario {
	l := g[0]
	for _, sc := range g {
		if sc.Sweep.X > l.Sweep.X {
			l = sc
		}
	}
	return l
}

// lastBelow returns the scenario of g with the largest value below x.
func lastBelow(g []*Scenario, x float64) *Scenario {
	var out *Scenario
	for _, sc := range g {
		if sc.Sweep.X < x && (out == nil || sc.Sweep.X > out.Sweep.X) {
			out = sc
		}
	}
	return out
}

// firstAbove returns the scenario of g with the smallest value above x.
func firstAbove(g []*Scenario, x float64) *Scenario {
	var out *Scenario
	for _, sc := range g {
		if sc.Sweep.X > x && (out == nil || sc.Sweep.X < out.Sweep.X) {
			out = sc
		}
	}
	return out
}

// valueAt returns the written value of g's scenario at x.
func valueAt(g []*Scenario, x float64) string {
	for _, sc := range g {
		if sc.Sweep.X == x {
			return sc.Sweep.Value
		}
	}
	return fmt.Sprint(x)
}

// formatRate formats requests per second with three significant digits
// and an SI prefix ("9.10k").
func formatRate(v float64) string {
	m, _ := MetricByName("throughput_rps")
	return m.Format(v)
}
