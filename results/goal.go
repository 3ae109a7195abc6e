package results

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrBadGoal is wrapped by ParseGoal's errors.
var ErrBadGoal = errors.New("bad goal")

// A Goal is a service-level goal: bounds on latency percentiles, on the
// error rate and, for datagram workloads, on the loss rate, all of which a
// measurement must meet, as "bench --slo" takes it: "p99<=20ms",
// "p50<=2ms,p999<=50ms,errors<=0.1%", "p99<=5ms,loss<=0.5%".
type Goal struct {
	Bounds []Bound
}

// A Bound is one term of a Goal.
type Bound struct {
	// Name is p50, p90, p99, p999, max, errors or loss.
	Name string
	// Limit is seconds for a percentile, a fraction (0.001 = 0.1%) of the
	// requests for errors and loss.
	Limit float64
	// Strict is true for "<": the value must be below Limit, not equal.
	Strict bool
}

// goalNames are the bounds a goal may name, in the order String writes them.
var goalNames = []string{"p50", "p90", "p99", "p999", "max", "errors", "loss"}

// isShare reports whether the bound named name limits a share of the
// requests (errors, loss) rather than a latency.
func isShare(name string) bool { return name == "errors" || name == "loss" }

// HasLoss reports whether g bounds the loss rate, which only datagram
// workloads measure.
func (g Goal) HasLoss() bool {
	return slices.ContainsFunc(g.Bounds, func(b Bound) bool { return b.Name == "loss" })
}

// ParseGoal parses a goal: comma-separated bounds NAME<=LIMIT (or NAME<LIMIT)
// where NAME is p50, p90, p99, p999 or max with a duration ("20ms"), or
// errors or loss with a percentage ("0.1%") or a fraction ("0.001") of the
// requests (loss: of the requests sent that got no reply, which datagram
// workloads measure). Each name appears at most once. Errors wrap
// ErrBadGoal.
func ParseGoal(s string) (Goal, error) {
	var g Goal
	bad := func(format string, a ...any) (Goal, error) {
		return Goal{}, fmt.Errorf("%w %q: "+format, append([]any{ErrBadGoal, s}, a...)...)
	}
	if strings.TrimSpace(s) == "" {
		return bad("empty; want e.g. p99<=20ms or p99<=20ms,errors<=0.1%%")
	}
	for _, term := range strings.Split(s, ",") {
		name, limit, ok := strings.Cut(term, "<")
		if !ok {
			return bad("term %q: want NAME<=LIMIT, e.g. p99<=20ms", term)
		}
		b := Bound{Name: strings.ToLower(strings.TrimSpace(name)), Strict: true}
		if rest, eq := strings.CutPrefix(limit, "="); eq {
			limit, b.Strict = rest, false
		}
		limit = strings.TrimSpace(limit)
		if !slices.Contains(goalNames, b.Name) {
			return bad("unknown bound %q (known: %s)", b.Name, strings.Join(goalNames, ", "))
		}
		if slices.ContainsFunc(g.Bounds, func(o Bound) bool { return o.Name == b.Name }) {
			return bad("%s bounded twice", b.Name)
		}
		v, err := parseLimit(b.Name, limit)
		if err != nil {
			return bad("%s: %w", b.Name, err)
		}
		b.Limit = v
		g.Bounds = append(g.Bounds, b)
	}
	return g, nil
}

// parseLimit parses a bound's limit: a positive duration in seconds for a
// percentile, a fraction in 0..1 for errors and loss.
func parseLimit(name, v string) (float64, error) {
	if isShare(name) {
		pct, isPct := strings.CutSuffix(v, "%")
		f, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
		if isPct {
			f /= 100
		}
		if err != nil || !(f >= 0 && f <= 1) {
			return 0, fmt.Errorf("limit %q: want a share of the requests such as 0.1%% or 0.001", v)
		}
		return f, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("limit %q: want a positive duration such as 20ms", v)
	}
	return d.Seconds(), nil
}

// IsZero reports whether g bounds nothing (no goal was given).
func (g Goal) IsZero() bool { return len(g.Bounds) == 0 }

// String formats g as ParseGoal reads it, e.g. "p99<=20ms,errors<=0.1%".
func (g Goal) String() string {
	parts := make([]string, len(g.Bounds))
	for i, b := range g.Bounds {
		parts[i] = b.String()
	}
	return strings.Join(parts, ",")
}

// String formats b as "p99<=20ms", "errors<=0.1%" or "loss<=0.5%".
func (b Bound) String() string {
	op := "<="
	if b.Strict {
		op = "<"
	}
	return b.Name + op + b.formatLimit()
}

// formatLimit formats b's limit so that ParseGoal reads it back: a
// duration to the nanosecond (time.ParseDuration's own form, never an
// exponent), a percentage to 12 significant digits. format, for measured
// values, keeps 3.
func (b Bound) formatLimit() string {
	if isShare(b.Name) {
		return strconv.FormatFloat(100*b.Limit, 'g', 12, 64) + "%"
	}
	return time.Duration(math.Round(b.Limit * 1e9)).String()
}

// format formats a value of b's kind: a duration or a percentage.
func (b Bound) format(v float64) string {
	if isShare(b.Name) {
		return strconv.FormatFloat(100*v, 'g', 3, 64) + "%"
	}
	return formatSeconds(v)
}

// formatSeconds formats seconds as a duration with three significant
// digits ("20ms", "1.25ms").
func formatSeconds(v float64) string {
	d := time.Duration(v * 1e9)
	for _, r := range []time.Duration{time.Second, time.Millisecond, time.Microsecond} {
		if d >= r {
			return strconv.FormatFloat(v/r.Seconds(), 'g', 3, 64) + strings.TrimPrefix(r.String(), "1")
		}
	}
	return d.String()
}

// value returns what b bounds in f, in b's units, and whether f has it
// (the loss rate of a stream measurement is not measured).
func (b Bound) value(f Figures) (float64, bool) {
	switch b.Name {
	case "errors":
		return f.ErrorRate(), true
	case "loss":
		if f.Loss == nil {
			return 0, false
		}
		return *f.Loss, true
	}
	return b.Seconds(f.Latency), true
}

// Seconds returns the latency percentile b bounds in lat (recorded in
// microseconds), in seconds; for the error-rate and loss bounds, lat's p99
// (the latency a chart of that goal draws).
func (b Bound) Seconds(lat Latency) float64 {
	switch b.Name {
	case "p50":
		return lat.P50 * 1e-6
	case "p90":
		return lat.P90 * 1e-6
	case "p999":
		return lat.P999 * 1e-6
	case "max":
		return lat.Max * 1e-6
	}
	return lat.P99 * 1e-6
}

// Figures are the measured values a Goal bounds: one sample's, or those of
// several samples as CheckSamples combines them.
type Figures struct {
	// Latency holds the latency percentiles, in microseconds.
	Latency Latency
	// Requests counts good replies, Errors wrong, missing or failed ones.
	Requests, Errors int64
	// Loss is the share of the requests sent that got no reply (datagram
	// workloads); nil when not measured, as on a stream, where a request
	// without a reply is an error or a stall. No loss bound is met
	// without it.
	Loss *float64
}

// ErrorRate returns Errors / (Requests + Errors), 0 when both are 0.
func (f Figures) ErrorRate() float64 {
	if n := f.Requests + f.Errors; n > 0 {
		return float64(f.Errors) / float64(n)
	}
	return 0
}

// Check tells whether a measurement with latency percentiles lat and the
// given counts of good replies and errors meets g, as CheckFigures does
// with no loss measured.
func (g Goal) Check(lat Latency, requests, errs int64) (met bool, missed []string) {
	return g.CheckFigures(Figures{Latency: lat, Requests: requests, Errors: errs})
}

// CheckFigures tells whether f meets g, and if not, which bounds it
// missed, e.g. "p99 31.2ms > 20ms" or "loss 2% > 0.5%". A measurement with
// no request answered meets no latency bound; one without a loss rate
// meets no loss bound ("loss not measured").
func (g Goal) CheckFigures(f Figures) (met bool, missed []string) {
	for _, b := range g.Bounds {
		v, measured := b.value(f)
		if !measured {
			missed = append(missed, b.Name+" not measured (only datagram workloads lose requests)")
			continue
		}
		ok := v <= b.Limit
		if b.Strict {
			ok = v < b.Limit
		}
		if !isShare(b.Name) && f.Requests == 0 {
			ok = false
		}
		if !ok {
			op := ">"
			if b.Strict {
				op = ">="
			}
			missed = append(missed, fmt.Sprintf("%s %s %s %s", b.Name, b.format(v), op, b.format(b.Limit)))
		}
	}
	return len(missed) == 0, missed
}

// CheckScenario tells whether sc meets g, as CheckSamples does with its
// repetitions.
func (g Goal) CheckScenario(sc *Scenario) (met bool, missed []string) {
	return g.CheckSamples(sc.Samples)
}

// CheckSamples tells whether the repetitions of one measurement meet g:
// the median over the samples of each latency percentile and of the loss
// rate (a loss rate only when every sample has one), and the error rate of
// all their requests together (an error is a wrong or failed reply, not
// noise: one repetition that fails counts). No samples meet nothing.
func (g Goal) CheckSamples(samples []Sample) (met bool, missed []string) {
	if len(samples) == 0 {
		return false, []string{"not measured"}
	}
	return g.CheckFigures(MedianFigures(samples))
}

// MedianFigures returns the figures CheckSamples judges for samples: the
// median of each latency percentile (the mean too) and of the loss rate
// (nil unless every sample has one), and the requests and errors summed.
func MedianFigures(samples []Sample) Figures {
	var f Figures
	if len(samples) == 0 {
		return f
	}
	for _, m := range []struct {
		dst *float64
		get func(*Sample) float64
	}{
		{&f.Latency.P50, func(s *Sample) float64 { return s.Latency.P50 }},
		{&f.Latency.P90, func(s *Sample) float64 { return s.Latency.P90 }},
		{&f.Latency.P99, func(s *Sample) float64 { return s.Latency.P99 }},
		{&f.Latency.P999, func(s *Sample) float64 { return s.Latency.P999 }},
		{&f.Latency.Max, func(s *Sample) float64 { return s.Latency.Max }},
		{&f.Latency.Mean, func(s *Sample) float64 { return s.Latency.Mean }},
	} {
		*m.dst = MedianOf(samples, m.get)
	}
	for i := range samples {
		f.Requests += samples[i].Requests
		f.Errors += samples[i].Errors
	}
	if !slices.ContainsFunc(samples, func(s Sample) bool { return s.LossRatio == nil }) {
		loss := MedianOf(samples, func(s *Sample) float64 { return *s.LossRatio })
		f.Loss = &loss
	}
	return f
}

// MedianOf returns the median of get over samples (the mean of the middle
// two for an even count); samples must not be empty.
func MedianOf(samples []Sample, get func(*Sample) float64) float64 {
	vals := make([]float64, len(samples))
	for i := range samples {
		vals[i] = get(&samples[i])
	}
	slices.Sort(vals)
	n := len(vals)
	return (vals[(n-1)/2] + vals[n/2]) / 2
}
