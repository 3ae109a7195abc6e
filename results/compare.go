package results

import (
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Verdict classifies one metric's change between two sets of repetitions.
type Verdict int

const (
	// Unchanged: no statistically significant difference, or one within
	// the threshold.
	Unchanged Verdict = iota
	// Improved: a significant change in the good direction beyond the
	// threshold.
	Improved
	// Regressed: a significant change in the bad direction beyond the
	// threshold.
	Regressed
	// Missing: one side has no measured values.
	Missing
)

// String returns "~", "better", "REGRESSION" or "missing".
func (v Verdict) String() string {
	switch v {
	case Unchanged:
		return "~"
	case Improved:
		return "better"
	case Regressed:
		return "REGRESSION"
	case Missing:
		return "missing"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Correction says how Compare accounts for running many tests at once.
type Correction int

const (
	// NoCorrection tests every metric of every scenario on its own at
	// Alpha, as benchstat does. Over many comparisons some come out
	// significant by chance: about Alpha times their number.
	NoCorrection Correction = iota
	// Holm adjusts the p-values with the Holm-Bonferroni method, so that
	// the chance of even one false "significant" among all comparisons is
	// at most Alpha, whatever their dependence. It needs more repetitions:
	// the smallest p-value must fall below Alpha divided by the number of
	// comparisons.
	Holm
)

// String returns "none" or "holm".
func (c Correction) String() string {
	switch c {
	case NoCorrection:
		return "none"
	case Holm:
		return "holm"
	}
	return fmt.Sprintf("Correction(%d)", int(c))
}

// ParseCorrection parses "none" (or "") and "holm".
func ParseCorrection(s string) (Correction, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "none":
		return NoCorrection, nil
	case "holm":
		return Holm, nil
	}
	return 0, fmt.Errorf("unknown correction %q (want none or holm)", s)
}

// CompareOptions configures Compare and CompareStrategies.
type CompareOptions struct {
	// Alpha is the significance level of the Mann-Whitney U test; zero
	// means 0.05. With Correction Holm it bounds the chance of any false
	// positive among all comparisons, otherwise that of each one.
	Alpha float64
	// Correction for multiple comparisons; the zero value is NoCorrection.
	Correction Correction
	// Threshold is the smallest relative change of the centers that counts
	// as a regression or improvement (0.05 = 5%); zero means any
	// significant change counts.
	Threshold float64
	// Metrics to compare; nil means DefaultMetrics.
	Metrics []Metric
	// Paired adds to every delta the median of the per-repetition ratios
	// with its confidence interval (see Paired), for sides whose
	// repetitions ran back to back. It does not change the verdicts.
	Paired bool
	// Within, if positive, is a speed goal checked with the paired
	// intervals (it implies Paired): the new side must be shown to be at
	// most Within worse than the old (0.03 = 3%) on every compared metric.
	// Comparison.Misses lists the comparisons that do not show it.
	Within float64
}

func (o CompareOptions) paired() bool { return o.Paired || o.Within > 0 }

func (o CompareOptions) alpha() float64 {
	if o.Alpha <= 0 {
		return benchmath.DefaultThresholds.CompareAlpha
	}
	return o.Alpha
}

// Delta is one metric of one scenario compared between an old and a new
// set of repetitions.
type Delta struct {
	// Key identifies the new scenario (for CompareStrategies, the cell with
	// the compared strategy).
	Key Key
	// OldName and NewName label the two sides: "old"/"new" or the
	// strategies compared.
	OldName, NewName string
	Metric           Metric
	Old, New         Stat
	// Change is New.Median/Old.Median - 1 (0.1 = +10%); ±Inf when the old
	// median is zero and the new one is not.
	Change float64
	// P is the Mann-Whitney U p-value. PAdjusted is P adjusted for the
	// number of comparisons (equal to P with NoCorrection); Significant is
	// PAdjusted < Alpha.
	P           float64
	PAdjusted   float64
	Alpha       float64
	Significant bool
	Verdict     Verdict
	// Warnings come from benchmath, e.g. too few samples to detect a
	// difference at this alpha.
	Warnings []string
	// Paired is the paired estimate when CompareOptions.Paired was set
	// (N is zero otherwise).
	Paired Paired
}

// DeltaText formats the change like benchstat: "~" when not significant,
// otherwise a signed percentage.
func (d Delta) DeltaText() string {
	switch {
	case d.Verdict == Missing:
		return "?"
	case !d.Significant:
		return "~"
	case math.IsInf(d.Change, 0):
		return "+Inf%"
	}
	return fmt.Sprintf("%+.2f%%", 100*d.Change)
}

// Comparison is the result of Compare or CompareStrategies.
type Comparison struct {
	// Title says what was compared.
	Title string
	// OldName and NewName head the two value columns: "old" and "new", or
	// the base strategy and "strategy".
	OldName, NewName string
	Alpha            float64
	Correction       Correction
	Threshold        float64
	// Paired reports whether the deltas carry paired estimates.
	Paired bool
	// Within is the speed goal of CompareOptions.Within, or zero.
	Within float64
	Deltas []Delta
	// OnlyOld and OnlyNew list scenarios present on one side only.
	OnlyOld, OnlyNew []Key
	// Warnings apply to the whole comparison (e.g. different machines, too
	// few samples for the correction).
	Warnings []string
	// Notes help read the verdict (e.g. how many false positives to
	// expect without correction).
	Notes []string
	// Starvations list the compared scenarios in which either side starved
	// clients, in the order compared; StarvedMore selects those where the
	// new side starved more.
	Starvations []Starvation
}

// Regressions returns the deltas whose verdict is Regressed.
func (c *Comparison) Regressions() []Delta {
	var out []Delta
	for _, d := range c.Deltas {
		if d.Verdict == Regressed {
			out = append(out, d)
		}
	}
	return out
}

// ShowsWithin reports whether d's paired interval shows the new side at
// most bound worse than the old (bound 0.03 = 3%): for a metric where
// higher is better, the interval's low end is at least -bound; where lower
// is better, its high end at most +bound. A metric constant and equal on
// both sides (no errors on either) shows it; a missing side, or too few
// pairs for an interval, does not.
func (d Delta) ShowsWithin(bound float64) bool {
	switch {
	case d.Verdict == Missing:
		return false
	case d.constant():
		return true
	case !d.Paired.OK:
		return false
	case d.Metric.Better == HigherIsBetter:
		return d.Paired.Lo >= -bound
	}
	return d.Paired.Hi <= bound
}

// constant reports whether every repetition on both sides measured the
// same value (no errors on either side, say): nothing can differ.
func (d Delta) constant() bool {
	return d.Old.Min == d.Old.Max && d.New.Min == d.New.Max && d.Old.Min == d.New.Min
}

// Misses returns the deltas that do not show the speed goal c.Within (see
// ShowsWithin); nil when there is no goal.
func (c *Comparison) Misses() []Delta {
	if c.Within <= 0 {
		return nil
	}
	var out []Delta
	for _, d := range c.Deltas {
		if !d.ShowsWithin(c.Within) {
			out = append(out, d)
		}
	}
	return out
}

// ErrNothingToCompare reports comparisons with no scenario in common.
var ErrNothingToCompare = errors.New("nothing to compare")

// Compare compares two runs of the same matrix. Scenarios are matched by
// Key (strategy, workload, params, mode, conns); for every metric the
// repetitions are compared with the Mann-Whitney U test (benchmath's
// AssumeNothing, as benchstat does). A change is a regression when it is
// significant at opts.Alpha (after opts.Correction), in the metric's bad
// direction, and larger than opts.Threshold. It fails with ErrNothingToCompare if no scenario matches.
func Compare(old, new *Run, opts CompareOptions) (*Comparison, error) {
	c := &Comparison{Title: "old vs new", OldName: "old", NewName: "new", Alpha: opts.alpha(), Correction: opts.Correction, Threshold: opts.Threshold, Paired: opts.paired(), Within: opts.Within}
	oldIdx := old.ByKey()
	newIdx := new.ByKey()
	for i := range new.Scenarios {
		nsc := &new.Scenarios[i]
		k := nsc.Key()
		if _, ok := oldIdx[k]; !ok {
			c.OnlyNew = append(c.OnlyNew, k)
		}
	}
	for i := range old.Scenarios {
		osc := &old.Scenarios[i]
		k := osc.Key()
		nsc, ok := newIdx[k]
		if !ok {
			c.OnlyOld = append(c.OnlyOld, k)
			continue
		}
		c.Deltas = append(c.Deltas, compareScenarios(k, "old", "new", osc, nsc, opts)...)
		c.noteStarvation(k, "old", "new", osc, nsc)
	}
	if len(c.Deltas) == 0 {
		return c, fmt.Errorf("compare runs: %w: no scenario of the old run is in the new one", ErrNothingToCompare)
	}
	c.decide()
	if old.Env.CPUModel != new.Env.CPUModel || old.Env.NumCPU != new.Env.NumCPU || old.Env.GOMAXPROCS != new.Env.GOMAXPROCS {
		c.Warnings = append(c.Warnings, fmt.Sprintf("runs come from different machines (%s, %d CPUs, GOMAXPROCS %d vs %s, %d CPUs, GOMAXPROCS %d)",
			orDash(old.Env.CPUModel), old.Env.NumCPU, old.Env.GOMAXPROCS, orDash(new.Env.CPUModel), new.Env.NumCPU, new.Env.GOMAXPROCS))
	}
	if old.Config.Duration != new.Config.Duration || old.Config.Pinning != new.Config.Pinning {
		c.Warnings = append(c.Warnings, fmt.Sprintf("runs were configured differently (%s, pinning %q vs %s, pinning %q)",
			old.Config.Duration, old.Config.Pinning, new.Config.Duration, new.Config.Pinning))
	}
	if opts.paired() && !old.Env.Date.Equal(new.Env.Date) {
		c.Warnings = append(c.Warnings, "paired by repetition number, but the runs were not measured together (bench --old writes both from one interleaved run): their repetitions did not run back to back, so the paired intervals mean little")
	}
	return c, nil
}

// CompareStrategies compares, inside one run, every strategy against the
// base strategy cell by cell (same workload, params, mode and conns), with
// the same statistics and verdicts as Compare: "Regressed" then means
// significantly worse than base. An empty base means the run's first
// strategy. It fails if base is not in the run or there is no other
// strategy to compare.
func CompareStrategies(r *Run, base string, opts CompareOptions) (*Comparison, error) {
	strategies := r.Strategies()
	if base == "" {
		if len(strategies) == 0 {
			return nil, fmt.Errorf("compare strategies: %w: the run has no scenarios", ErrNothingToCompare)
		}
		base = strategies[0]
	}
	found := false
	for _, s := range strategies {
		found = found || s == base
	}
	if !found {
		return nil, fmt.Errorf("compare strategies: base strategy %q is not in the run (have %s)", base, strings.Join(strategies, ", "))
	}
	c := &Comparison{Title: "strategies vs " + base, OldName: base, NewName: "strategy", Alpha: opts.alpha(), Correction: opts.Correction, Threshold: opts.Threshold, Paired: opts.paired(), Within: opts.Within}
	idx := r.ByKey()
	for _, cell := range r.Cells() {
		bk := cell
		bk.Strategy = base
		bsc, ok := idx[bk]
		for _, s := range strategies {
			if s == base {
				continue
			}
			k := cell
			k.Strategy = s
			sc, has := idx[k]
			if !has {
				continue
			}
			if !ok {
				c.OnlyNew = append(c.OnlyNew, k)
				continue
			}
			c.Deltas = append(c.Deltas, compareScenarios(k, base, s, bsc, sc, opts)...)
			c.noteStarvation(k, base, s, bsc, sc)
		}
	}
	if len(c.Deltas) == 0 {
		return c, fmt.Errorf("compare strategies: %w: no cell has %q and another strategy", ErrNothingToCompare, base)
	}
	c.decide()
	if opts.paired() && !r.Config.Interleaved {
		c.Warnings = append(c.Warnings, "paired by repetition number, but the run's strategies were not interleaved: their repetitions did not run back to back, so the paired intervals mean little")
	}
	return c, nil
}

func compareScenarios(k Key, oldName, newName string, osc, nsc *Scenario, opts CompareOptions) []Delta {
	ms := opts.Metrics
	if ms == nil {
		ms = DefaultMetrics()
	}
	var out []Delta
	for _, m := range ms {
		d := Delta{Key: k, OldName: oldName, NewName: newName, Metric: m, Old: osc.Stat(m), New: nsc.Stat(m), Alpha: opts.alpha(), P: 1, PAdjusted: 1}
		if d.Old.N() == 0 && d.New.N() == 0 {
			continue // not measured on either side
		}
		if d.Old.N() == 0 || d.New.N() == 0 {
			d.Verdict = Missing
			out = append(out, d)
			continue
		}
		if opts.paired() {
			d.Paired = pairedChange(m, osc, nsc, d.Alpha)
		}
		cmp := benchmath.AssumeNothing.Compare(d.Old.Sample(d.Alpha), d.New.Sample(d.Alpha))
		d.P = cmp.P
		for _, w := range cmp.Warnings {
			d.Warnings = append(d.Warnings, w.Error())
		}
		switch {
		case d.Old.Median == d.New.Median:
			d.Change = 0
		case d.Old.Median == 0:
			d.Change = math.Inf(1)
			if d.New.Median < 0 {
				d.Change = math.Inf(-1)
			}
		default:
			d.Change = d.New.Median/d.Old.Median - 1
		}
		out = append(out, d)
	}
	return out
}

// decide adjusts the p-values for c.Correction and gives every tested
// delta its significance and verdict.
func (c *Comparison) decide() {
	// The family: the comparisons that can come out significant. Missing
	// ones are not tested; one constant against the same constant (zero
	// errors on both sides) has p = 1 whatever the data, so leaving it out
	// (as Tarone's refinement allows) keeps Holm's bar where it belongs.
	var family []int
	for i := range c.Deltas {
		d := &c.Deltas[i]
		if d.Verdict == Missing {
			continue
		}
		d.PAdjusted = d.P
		if !d.constant() {
			family = append(family, i)
		}
	}
	if c.Correction == Holm {
		c.holm(family)
	}
	for i := range c.Deltas {
		d := &c.Deltas[i]
		if d.Verdict == Missing {
			continue
		}
		d.Significant = d.PAdjusted < d.Alpha
		d.Verdict = Unchanged
		if d.Significant && math.Abs(d.Change) > c.Threshold && d.Change != 0 {
			if worse := (d.Change < 0) == (d.Metric.Better == HigherIsBetter); worse {
				d.Verdict = Regressed
			} else {
				d.Verdict = Improved
			}
		}
	}
	if m := len(family); c.Correction == NoCorrection && m >= 20 {
		c.Notes = append(c.Notes, fmt.Sprintf(
			"%d comparisons tested one by one at alpha=%g: about %.1f may come out significant by chance alone; a CI gate should use --correction holm",
			m, c.Alpha, c.Alpha*float64(m)))
	}
}

// holm sets PAdjusted of the deltas in family by the Holm step-down: the
// k-th smallest of m p-values is multiplied by m-k+1, and the adjusted
// values are made monotone. It warns when the samples are too small for
// any of them to pass.
func (c *Comparison) holm(family []int) {
	m := len(family)
	if m == 0 {
		return
	}
	slices.SortStableFunc(family, func(a, b int) int { return cmp.Compare(c.Deltas[a].P, c.Deltas[b].P) })
	running := 0.0
	for k, i := range family {
		running = max(running, min(1, float64(m-k)*c.Deltas[i].P))
		c.Deltas[i].PAdjusted = running
	}
	// The best any comparison can do is complete separation of its samples.
	n1, n2, p := 0, 0, 1.0
	for _, i := range family {
		d := &c.Deltas[i]
		if q := minMannWhitneyP(d.Old.N(), d.New.N()); q < p {
			n1, n2, p = d.Old.N(), d.New.N(), q
		}
	}
	if p*float64(m) >= c.Alpha {
		c.Warnings = append(c.Warnings, fmt.Sprintf(
			"no change can be significant: with %d+%d samples the smallest possible p is %.2g, and Holm over %d comparisons needs p < %.2g; measure more repetitions (at least %d per side, more to allow overlap)",
			n1, n2, p, m, c.Alpha/float64(m), repsForHolm(c.Alpha, m)))
	}
}

// minMannWhitneyP is the smallest two-sided p-value of the exact
// Mann-Whitney U test with samples of n1 and n2 (complete separation):
// 2 / C(n1+n2, n1).
func minMannWhitneyP(n1, n2 int) float64 {
	if n1 == 0 || n2 == 0 {
		return 1
	}
	lc, _ := math.Lgamma(float64(n1 + n2 + 1))
	l1, _ := math.Lgamma(float64(n1 + 1))
	l2, _ := math.Lgamma(float64(n2 + 1))
	return min(1, 2*math.Exp(l1+l2-lc))
}

// repsForHolm is the smallest equal sample size per side whose complete
// separation survives Holm's correction over m comparisons at alpha.
func repsForHolm(alpha float64, m int) int {
	n := 2
	for minMannWhitneyP(n, n)*float64(m) >= alpha && n < 1000 {
		n++
	}
	return n
}

// compareRows renders the deltas as table rows (without header).
func (c *Comparison) rows() [][]string {
	var rows [][]string
	starved := make(map[Key]Starvation)
	for _, s := range c.Starvations {
		starved[s.Key] = s
	}
	for _, d := range c.Deltas {
		old, new := "-", "-"
		if d.Old.N() > 0 {
			old = cellText(&d.Old)
		}
		if d.New.N() > 0 {
			new = cellText(&d.New)
		}
		notes := d.Warnings
		if s, ok := starved[d.Key]; ok && s.Worse() {
			notes = append([]string{fmt.Sprintf("%s starved %d of %d clients", c.NewName, s.New, s.Conns)}, notes...)
		}
		note := strings.Join(notes, "; ")
		p := "-"
		if d.Verdict != Missing {
			p = fmt.Sprintf("p=%.3f n=%d+%d", d.P, d.Old.N(), d.New.N())
			if c.Correction != NoCorrection {
				p = fmt.Sprintf("p=%.3f adj=%.3f n=%d+%d", d.P, d.PAdjusted, d.Old.N(), d.New.N())
			}
		}
		row := []string{d.Key.String(), d.Metric.Name, old, new, d.DeltaText(), p, d.Verdict.String(), note}
		if c.Paired {
			row = slices.Insert(row, colPaired, d.Paired.String())
		}
		rows = append(rows, row)
	}
	return rows
}

// Columns of the rows; the paired column is inserted at colPaired only
// when c.Paired.
const (
	colOld    = 2
	colNew    = 3
	colDelta  = 4
	colPaired = 5
)

func (c *Comparison) header() []string {
	h := []string{"scenario", "metric", orDash(c.OldName), orDash(c.NewName), "delta", "p", "verdict", "note"}
	if c.Paired {
		h = slices.Insert(h, colPaired, "paired")
	}
	return h
}

func (c *Comparison) summary() string {
	reg := len(c.Regressions())
	corr := ""
	if c.Correction != NoCorrection {
		corr = " (" + c.Correction.String() + "-corrected)"
	}
	s := fmt.Sprintf("%s: %d comparisons, alpha=%g%s, threshold=%g%%: ", c.Title, len(c.Deltas), c.Alpha, corr, 100*c.Threshold)
	if reg == 0 {
		s += "no significant regression"
	} else {
		s += fmt.Sprintf("%d significant regression(s)", reg)
	}
	if n := len(c.StarvedMore()); n > 0 {
		s += fmt.Sprintf("; %d scenario(s) starved more clients than %s", n, orDash(c.OldName))
	}
	return s
}

func (c *Comparison) trailer() []string {
	var out []string
	for _, k := range c.OnlyOld {
		out = append(out, fmt.Sprintf("only in %s: %s", c.header()[colOld], k))
	}
	for _, k := range c.OnlyNew {
		out = append(out, fmt.Sprintf("only in %s: %s", c.header()[colNew], k))
	}
	for _, w := range c.Warnings {
		out = append(out, "warning: "+w)
	}
	for _, n := range c.Notes {
		out = append(out, "note: "+n)
	}
	for _, s := range c.Starvations {
		verdict := "starved"
		if s.Worse() {
			verdict = "starved more"
		}
		out = append(out, verdict+": "+s.String())
	}
	if c.Within > 0 {
		out = append(out, fmt.Sprintf("goal: at most %g%% worse than %s, shown by the paired interval for %d of %d comparisons",
			100*c.Within, orDash(c.OldName), len(c.Deltas)-len(c.Misses()), len(c.Deltas)))
	}
	return append(out, c.summary())
}

// WriteTable writes the comparison as an aligned plain-text table: one line
// per scenario and metric with the old and new medians (±spread), the
// change ("~" when not significant), the paired estimate when c.Paired,
// the p-value and sample sizes, the verdict and benchmath's warnings; then
// the unmatched scenarios, warnings and a summary line.
func (c *Comparison) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	rows := append([][]string{c.header()}, c.rows()...)
	// Left-align everything but the numbers.
	writeAlignedCols(ew, rows, map[int]bool{colOld: true, colNew: true, colDelta: true})
	for _, l := range c.trailer() {
		fmt.Fprintln(ew, l)
	}
	return ew.err
}

// writeAlignedCols writes rows separated by two spaces, right-aligning the
// columns in right (per column, which text/tabwriter cannot: its
// AlignRight flag is for the whole table).
func writeAlignedCols(w io.Writer, rows [][]string, right map[int]bool) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for j, c := range row {
			width[j] = max(width[j], len([]rune(c)))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for j, c := range row {
			pad := strings.Repeat(" ", width[j]-len([]rune(c)))
			if right[j] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			b.WriteString("  ")
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// WriteMarkdown writes the comparison as a Markdown table followed by the
// same notes as WriteTable.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	h := c.header()
	for i := range h {
		h[i] = mdEscape(h[i])
	}
	align := make([]string, len(h))
	for i := range align {
		align[i] = "---"
		if i == colOld || i == colNew || i == colDelta {
			align[i] = "--:"
		}
	}
	fmt.Fprintf(ew, "| %s |\n|%s|\n", strings.Join(h, " | "), strings.Join(align, "|"))
	v := slices.Index(h, "verdict")
	for _, row := range c.rows() {
		for i := range row {
			row[i] = mdEscape(row[i])
		}
		if row[v] == Regressed.String() {
			row[v] = "**" + row[v] + "**"
		}
		fmt.Fprintf(ew, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintln(ew)
	for _, l := range c.trailer() {
		fmt.Fprintf(ew, "%s  \n", mdEscape(l))
	}
	return ew.err
}

// WriteCSV writes one row per scenario and metric with raw numbers: key
// fields, metric, old/new median, min, max and n, change, p, adjusted p, alpha,
// significance, verdict and warnings (text cells neutralised against
// spreadsheet formulas, as WriteCSV's of a run), then the paired estimate (empty
// unless the comparison is paired; lo, hi and confidence empty when there
// were too few pairs for an interval).
func (c *Comparison) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	_ = cw.Write([]string{"strategy", "workload", "params", "mode", "conns", "old_name", "new_name", "metric", "unit",
		"old_median", "old_min", "old_max", "old_n", "new_median", "new_min", "new_max", "new_n",
		"change", "p", "p_adjusted", "alpha", "significant", "verdict", "warnings",
		"paired_n", "paired_change", "paired_lo", "paired_hi", "paired_confidence"})
	for _, d := range c.Deltas {
		row := []string{csvText(d.Key.Strategy), csvText(d.Key.Workload), csvText(d.Key.Params), csvText(d.Key.Mode), strconv.Itoa(d.Key.Conns), csvText(d.OldName), csvText(d.NewName),
			d.Metric.Name, d.Metric.BenchUnit,
			f(d.Old.Median), f(d.Old.Min), f(d.Old.Max), strconv.Itoa(d.Old.N()),
			f(d.New.Median), f(d.New.Min), f(d.New.Max), strconv.Itoa(d.New.N()),
			f(d.Change), f(d.P), f(d.PAdjusted), f(d.Alpha), strconv.FormatBool(d.Significant), d.Verdict.String(), csvText(strings.Join(d.Warnings, "; "))}
		_ = cw.Write(append(row, pairedCSV(d.Paired, f)...))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write comparison csv: %w", err)
	}
	return nil
}

// pairedCSV is the paired columns of one CSV row.
func pairedCSV(p Paired, f func(float64) string) []string {
	switch {
	case p.N == 0:
		return []string{"", "", "", "", ""}
	case !p.OK:
		return []string{strconv.Itoa(p.N), f(p.Change), "", "", ""}
	}
	return []string{strconv.Itoa(p.N), f(p.Change), f(p.Lo), f(p.Hi), f(p.Confidence)}
}
