package results

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Key identifies a scenario across runs: scenarios with equal keys measure
// the same thing. Params is canonical ("k=v,k=v" sorted by key).
type Key struct {
	Strategy string
	Workload string
	Params   string
	Mode     string
	Conns    int
}

// Key returns the scenario's identity.
func (s *Scenario) Key() Key {
	return Key{Strategy: s.Strategy, Workload: s.Workload, Params: canonicalParams(s.Params), Mode: s.Mode, Conns: s.Conns}
}

// Cell returns k without its strategy: the row of a table in which
// strategies are compared.
func (k Key) Cell() Key { k.Strategy = ""; return k }

// String formats k as "strategy workload[params] mode conns=N", omitting
// empty parts.
func (k Key) String() string {
	var parts []string
	if k.Strategy != "" {
		parts = append(parts, k.Strategy)
	}
	parts = append(parts, k.WorkloadLabel())
	if k.Mode != "" {
		parts = append(parts, k.Mode)
	}
	parts = append(parts, fmt.Sprintf("conns=%d", k.Conns))
	return strings.Join(parts, " ")
}

// WorkloadLabel returns the workload with its parameters, e.g.
// "echo[size=1024]".
func (k Key) WorkloadLabel() string {
	if k.Params == "" {
		return k.Workload
	}
	return k.Workload + "[" + k.Params + "]"
}

func canonicalParams(p map[string]string) string {
	if len(p) == 0 {
		return ""
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + p[k]
	}
	return strings.Join(keys, ",")
}

// Confidence is the confidence level of the intervals in a Stat.
const Confidence = 0.95

// Stat summarises one metric over the repetitions of one scenario.
type Stat struct {
	Metric Metric
	// Values are the measured values in base units, ascending. Repetitions
	// that did not measure the metric are left out.
	Values []float64
	// Median, Min and Max of Values; zero when Values is empty.
	Median, Min, Max float64
	// Spread is the largest distance from the median to Min or Max, as a
	// fraction of the median (0.05 = ±5%); zero when the median is zero.
	Spread float64
	// Lo and Hi bound the benchmath (AssumeNothing) confidence interval of
	// the median at level Confidence or, with too few values, the widest
	// interval available (see Warnings).
	Lo, Hi float64
	// Warnings come from benchmath, e.g. too few samples for the interval.
	Warnings []string
}

// N returns the number of measured values.
func (s Stat) N() int { return len(s.Values) }

// Sample returns s's values as a benchmath sample with the given alpha.
func (s Stat) Sample(alpha float64) *benchmath.Sample {
	th := benchmath.DefaultThresholds
	if alpha > 0 {
		th.CompareAlpha = alpha
	}
	return benchmath.NewSample(s.Values, &th)
}

// NewStat summarises values (in base units, any order) of metric m.
func NewStat(m Metric, values []float64) Stat {
	st := Stat{Metric: m, Values: append([]float64(nil), values...)}
	sort.Float64s(st.Values)
	if len(st.Values) == 0 {
		return st
	}
	sum := benchmath.AssumeNothing.Summary(st.Sample(0), Confidence)
	st.Median, st.Lo, st.Hi = sum.Center, sum.Lo, sum.Hi
	st.Min, st.Max = st.Values[0], st.Values[len(st.Values)-1]
	if st.Median != 0 {
		st.Spread = math.Max(st.Max-st.Median, st.Median-st.Min) / math.Abs(st.Median)
	}
	for _, w := range sum.Warnings {
		st.Warnings = append(st.Warnings, w.Error())
	}
	return st
}

// Stat summarises metric m over the repetitions of s.
func (s *Scenario) Stat(m Metric) Stat {
	var vals []float64
	for i := range s.Samples {
		if v, ok := m.Value(&s.Samples[i]); ok {
			vals = append(vals, v)
		}
	}
	return NewStat(m, vals)
}

// Stats summarises every metric in ms over the repetitions of s, in order.
func (s *Scenario) Stats(ms []Metric) []Stat {
	out := make([]Stat, len(ms))
	for i, m := range ms {
		out[i] = s.Stat(m)
	}
	return out
}

// Strategies returns the distinct strategies of r in first-seen order.
func (r *Run) Strategies() []string {
	var out []string
	seen := map[string]bool{}
	for i := range r.Scenarios {
		s := r.Scenarios[i].Strategy
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
