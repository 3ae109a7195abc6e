package results

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrBadGoal is wrapped by ParseGoal's errors.
var ErrBadGoal = errors.New("bad goal")

// A Goal is a service-level goal: bounds on latency percentiles and on the
// error rate, all of which a measurement must meet, as "bench --slo" takes
// it: "p99<=20ms", "p50<=2ms,p999<=50ms,errors<=0.1%".
type Goal struct {
	Bounds []Bound
}

// A Bound is one term of a Goal.
type Bound struct {
	// Name is p50, p90, p99, p999, max or errors.
	Name string
	// Limit is seconds for a percentile, a fraction (0.001 = 0.1%) of the
	// requests for errors.
	Limit float64
	// Strict is true for "<": the value must be below Limit, not equal.
	Strict bool
}

// goalNames are the bounds a goal may name, in the order String writes them.
var goalNames = []string{"p50", "p90", "p99", "p999", "max", "errors"}

// ParseGoal parses a goal: comma-separated bounds NAME<=LIMIT (or NAME<LIMIT)
// where NAME is p50, p90, p99, p999 or max with a duration ("20ms"), or
// errors with a percentage ("0.1%") or a fraction ("0.001") of the
// requests. Each name appears at most once. Errors wrap ErrBadGoal.
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
// percentile, a fraction in 0..1 for errors.
func parseLimit(name, v string) (float64, error) {
	if name == "errors" {
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

// String formats b as "p99<=20ms" or "errors<=0.1%".
func (b Bound) String() string {
	op := "<="
	if b.Strict {
		op = "<"
	}
	return b.Name + op + b.format(b.Limit)
}

// format formats a value of b's kind: a duration or a percentage.
func (b Bound) format(v float64) string {
	if b.Name == "errors" {
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

// value returns what b bounds in lat (microseconds) and the error rate, in
// b's units.
func (b Bound) value(lat Latency, errRate float64) float64 {
	if b.Name == "errors" {
		return errRate
	}
	return b.Seconds(lat)
}

// Seconds returns the latency percentile b bounds in lat (recorded in
// microseconds), in seconds; for the error-rate bound, lat's p99 (the
// latency a chart of that goal draws).
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

// Check tells whether a measurement with latency percentiles lat and the
// given counts of good replies and errors meets g, and if not, which
// bounds it missed, e.g. "p99 31.2ms > 20ms". A measurement with no
// request at all meets no latency bound. The error rate is errors /
// (requests + errors).
func (g Goal) Check(lat Latency, requests, errs int64) (met bool, missed []string) {
	rate := 0.0
	if n := requests + errs; n > 0 {
		rate = float64(errs) / float64(n)
	}
	for _, b := range g.Bounds {
		v := b.value(lat, rate)
		ok := v <= b.Limit
		if b.Strict {
			ok = v < b.Limit
		}
		if b.Name != "errors" && requests == 0 {
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

// CheckScenario tells whether sc meets g: its median latency percentiles
// over the repetitions, and its errors over all of them. A scenario without
// samples meets nothing.
func (g Goal) CheckScenario(sc *Scenario) (met bool, missed []string) {
	if len(sc.Samples) == 0 {
		return false, []string{"not measured"}
	}
	var lat Latency
	for _, f := range []struct {
		dst *float64
		get func(*Sample) float64
	}{
		{&lat.P50, func(s *Sample) float64 { return s.Latency.P50 }},
		{&lat.P90, func(s *Sample) float64 { return s.Latency.P90 }},
		{&lat.P99, func(s *Sample) float64 { return s.Latency.P99 }},
		{&lat.P999, func(s *Sample) float64 { return s.Latency.P999 }},
		{&lat.Max, func(s *Sample) float64 { return s.Latency.Max }},
	} {
		vals := make([]float64, len(sc.Samples))
		for i := range sc.Samples {
			vals[i] = f.get(&sc.Samples[i])
		}
		slices.Sort(vals)
		n := len(vals)
		*f.dst = (vals[(n-1)/2] + vals[n/2]) / 2
	}
	var reqs, errs int64
	for i := range sc.Samples {
		reqs += sc.Samples[i].Requests
		errs += sc.Samples[i].Errors
	}
	return g.Check(lat, reqs, errs)
}
