package results

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// A Limit is how much a counted metric may grow before the gate calls it
// a regression: both by more than Rel (0.1 = 10%) of the old value and by
// more than Abs (in the metric's unit, per request). The relative part
// covers the metric's run-to-run noise where it is large; the absolute
// part keeps a metric near zero (allocations per request on a handler
// that allocates nothing) from failing on a change no one would notice.
type Limit struct {
	Rel, Abs float64
}

// String returns e.g. "+10% and +0.25", or "not gated" for an infinite
// Rel.
func (l Limit) String() string {
	if math.IsInf(l.Rel, 1) {
		return "not gated"
	}
	return fmt.Sprintf("+%g%% and +%g", 100*l.Rel, l.Abs)
}

// DefaultLimits is the gate's noise model: for each counted metric, a
// limit above the largest difference between two runs of the same build
// seen in 40 one-repetition pairs of keep-alive and churn on the 2-core
// development machine (see docs/regression.md, "Counted costs"), and
// tight enough that one more read or write, or one more allocation, per
// request exceeds it. Context switches
// and GC cycles are shown but not gated (an infinite Rel): context
// switches count the scheduler's luck as much as the code (churn's
// voluntary switches per request varied threefold between runs of one
// build), and a one-second window holds only a few GC cycles, whose cause,
// the bytes allocated, is gated.
var DefaultLimits = map[string]Limit{
	// perf's count includes epoll, futex and accept, whose number per
	// churn request varies by up to 18% between runs: only a change of a
	// quarter shows. The read+write count is the sharp one: one more write
	// per request is +1.0, and the largest difference seen was 0.47.
	"syscalls_per_req":     {Rel: 0.25, Abs: 0.7},
	"io_syscalls_per_req":  {Rel: 0.10, Abs: 0.7},
	"vol_ctx_per_req":      {Rel: math.Inf(1)},
	"invol_ctx_per_req":    {Rel: math.Inf(1)},
	"allocs_per_req":       {Rel: 0.08, Abs: 0.6},
	"alloc_bytes_per_req":  {Rel: 0.15, Abs: 80},
	"gc_per_mreq":          {Rel: math.Inf(1)},
	"instructions_per_req": {Rel: 0.05, Abs: 500},
	// Exact for the same binary but for a rare loss of a few hundred
	// instructions over thousands of operations: any change of a whole
	// instruction per operation beyond 1% is real.
	"ir_per_op": {Rel: 0.01, Abs: 1},
}

// GateOptions configures Gate.
type GateOptions struct {
	// Limits overrides DefaultLimits, metric by metric.
	Limits map[string]Limit
	// Timed configures the timed part, a Compare of the timed metrics
	// (DefaultMetrics unless Timed.Metrics names others); Gate forces
	// Holm's correction and paired estimates on it.
	Timed CompareOptions
}

func (o GateOptions) limit(name string) Limit {
	if l, ok := o.Limits[name]; ok {
		return l
	}
	return DefaultLimits[name]
}

// A Check is one counted metric of one scenario through the gate.
type Check struct {
	Key    Key
	Metric Metric
	// Old and New are the medians over each side's repetitions, OldN and
	// NewN how many repetitions measured the metric.
	Old, New   float64
	OldN, NewN int
	// Change is New/Old - 1; +Inf when Old is zero and New is not.
	Change  float64
	Limit   Limit
	Verdict Verdict
}

// GateResult is the verdict of Gate: the counted checks, and the timed
// comparison (nil when nothing timed could be compared).
type GateResult struct {
	Title    string
	Checks   []Check
	Timed    *Comparison
	Warnings []string
}

// Regressions returns the counted checks that regressed.
func (g *GateResult) Regressions() []Check {
	var out []Check
	for _, c := range g.Checks {
		if c.Verdict == Regressed {
			out = append(out, c)
		}
	}
	return out
}

// TimedRegressions returns the timed comparison's regressions (after
// Holm's correction).
func (g *GateResult) TimedRegressions() []Delta {
	if g.Timed == nil {
		return nil
	}
	return g.Timed.Regressions()
}

// Failed reports whether any counted or timed check regressed.
func (g *GateResult) Failed() bool {
	return len(g.Regressions()) > 0 || len(g.TimedRegressions()) > 0
}

// Gate compares new with old scenario by scenario. Counted metrics (see
// CountedMetrics) are compared by their medians against a Limit, which
// needs a single repetition per side: they count work, not time, and vary
// far less than timed metrics do. Timed metrics go through Compare with
// Holm's correction and paired estimates, which cannot find anything
// significant at few repetitions (and says so): at 1 to 3 repetitions the
// gate is the counted part. It fails with ErrNothingToCompare when no
// scenario of old is in new.
func Gate(old, new *Run, opts GateOptions) (*GateResult, error) {
	g := &GateResult{Title: "old vs new"}
	newIdx := new.ByKey()
	matched := 0
	for i := range old.Scenarios {
		osc := &old.Scenarios[i]
		nsc, ok := newIdx[osc.Key()]
		if !ok {
			continue
		}
		matched++
		for _, m := range countedMetrics {
			if c, ok := check(osc, nsc, m, opts.limit(m.Name)); ok {
				g.Checks = append(g.Checks, c)
			}
		}
	}
	if matched == 0 {
		return g, fmt.Errorf("gate: %w: no scenario of the old run is in the new one", ErrNothingToCompare)
	}
	if len(g.Checks) == 0 {
		g.Warnings = append(g.Warnings, "no counted metric measured on both sides (runs from a build before counted costs?): only the timed part gates")
	}
	g.Warnings = append(g.Warnings, counterDifferences(old.Env.Counters, new.Env.Counters)...)
	topts := opts.Timed
	topts.Correction, topts.Paired = Holm, true
	if t, err := Compare(old, new, topts); err == nil {
		g.Timed = t
	}
	return g, nil
}

// check compares metric m of two scenarios; ok is false when either side
// did not measure it.
func check(osc, nsc *Scenario, m Metric, l Limit) (Check, bool) {
	os, ns := osc.Stat(m), nsc.Stat(m)
	if os.N() == 0 || ns.N() == 0 {
		return Check{}, false
	}
	c := Check{Key: nsc.Key(), Metric: m, Old: os.Median, New: ns.Median, OldN: os.N(), NewN: ns.N(), Limit: l}
	switch {
	case c.Old == c.New:
	case c.Old == 0:
		c.Change = math.Inf(1)
	default:
		c.Change = c.New/c.Old - 1
	}
	grew, shrank := c.New-c.Old, c.Old-c.New
	switch {
	case math.IsInf(l.Rel, 1): // shown, not gated
	case grew > l.Abs && (c.Old == 0 || c.Change > l.Rel):
		c.Verdict = Regressed
	case shrank > l.Abs && -c.Change > l.Rel:
		c.Verdict = Improved
	}
	return c, true
}

// counterDifferences says which counters the two runs measured
// differently (perf on one side only, say), as the gate then compares
// fewer metrics than it could.
func counterDifferences(old, new map[string]string) []string {
	var out []string
	for _, name := range Counters() {
		o, n := old[name], new[name]
		if o != n && (o != "" || n != "") {
			out = append(out, fmt.Sprintf("counter %s measured differently: old %q, new %q", name, orDash(o), orDash(n)))
		}
	}
	return out
}

// WriteTable writes the counted checks as an aligned table (scenario,
// metric, old and new medians, change, limit, verdict), the timed
// comparison's regressions and warnings, and a summary line.
func (g *GateResult) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "counted gate: %s\n", g.Title)
	rows := [][]string{{"scenario", "metric", "old", "new", "delta", "limit", "verdict"}}
	for _, c := range g.Checks {
		rows = append(rows, []string{c.Key.String(), c.Metric.Name, countFormat(c.Old), countFormat(c.New), changeText(c.Change), c.Limit.String(), c.Verdict.String()})
	}
	writeAlignedCols(ew, rows, map[int]bool{2: true, 3: true, 4: true})
	for _, s := range g.Warnings {
		fmt.Fprintln(ew, "warning: "+s)
	}
	for _, s := range g.timedLines() {
		fmt.Fprintln(ew, s)
	}
	fmt.Fprintln(ew, g.summary())
	return ew.err
}

// timedLines summarises the timed part: its regressions, or why it
// cannot find any.
func (g *GateResult) timedLines() []string {
	if g.Timed == nil {
		return []string{"timed gate: nothing timed to compare"}
	}
	var out []string
	for _, d := range g.Timed.Regressions() {
		out = append(out, fmt.Sprintf("timed regression: %s %s %s (adjusted p=%.3g, paired %s)", d.Key, d.Metric.Name, d.DeltaText(), d.PAdjusted, d.Paired))
	}
	for _, s := range g.Timed.Warnings {
		if strings.Contains(s, "can be significant") || strings.Contains(s, "different machines") {
			out = append(out, "timed gate: warning: "+s)
		}
	}
	return append(out, "timed gate: "+g.Timed.summary())
}

func (g *GateResult) summary() string {
	reg, timed := len(g.Regressions()), len(g.TimedRegressions())
	verdict := "PASS"
	if reg+timed > 0 {
		verdict = "FAIL"
	}
	return fmt.Sprintf("gate %s: %d counted checks, %d counted regression(s), %d timed regression(s)", verdict, len(g.Checks), reg, timed)
}

// countFormat formats a count per request with three significant digits.
func countFormat(v float64) string {
	switch {
	case v == 0:
		return "0"
	case math.Abs(v) >= 1000:
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.3g", v), ".")
}

func changeText(c float64) string {
	switch {
	case c == 0:
		return "0%"
	case math.IsInf(c, 1):
		return "+Inf%"
	}
	return fmt.Sprintf("%+.1f%%", 100*c)
}
