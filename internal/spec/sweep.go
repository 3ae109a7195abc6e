package spec

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrBadSweep is wrapped by every error about a malformed sweep.
var ErrBadSweep = errors.New("bad sweep")

// MaxSweepValues bounds how many values one sweep expands to, so that a
// typing slip ("1..1000000|...") cannot schedule a run of days.
const MaxSweepValues = 32

// A Point is one value of a swept option: the spec with the option set to
// that value, and what was swept.
type Point struct {
	// Spec is the spec with the swept option replaced by Value, e.g.
	// "pool:workers=16".
	Spec string
	// Option is the swept option's name ("workers"), empty when the spec
	// sweeps nothing.
	Option string
	// Value is the option's value as written in Spec ("16", "2ms").
	Value string
	// X is Value as a number for a chart's axis: the integer, or a
	// duration in seconds; 0 when Value is not numeric.
	X float64
}

// Sweep expands a spec whose option values may be sweeps into one Point
// per value, in order. Two forms exist:
//
//   - a range, "workers=8..256": from the first to the last value,
//     doubling (8, 16, 32, 64, 128, 256); when doubling overshoots, the
//     last value is the range's end (8..100 is 8, 16, 32, 64, 100). Both
//     ends are integers or both durations ("delay=1ms..8ms").
//   - a list, "workers=8|32|128": exactly those values, in that order.
//
// The list separator is '|' because ',' already separates options and ';'
// separates specs, so "pool:workers=8|32,queue=64" cannot be read two ways;
// ".." cannot occur in a number or a duration. A spec sweeps at most one
// option (a curve has one axis). A spec without a sweep is returned as the
// only Point, with an empty Option. Errors wrap ErrBadSweep.
func Sweep(s string) ([]Point, error) {
	name, rest, hasOpts := strings.Cut(strings.TrimSpace(s), ":")
	if !hasOpts {
		return []Point{{Spec: s}}, nil
	}
	opts := strings.Split(rest, ",")
	at := -1
	for i, kv := range opts {
		_, v, _ := strings.Cut(kv, "=")
		if strings.Contains(v, "..") || strings.Contains(v, "|") {
			if at >= 0 {
				return nil, fmt.Errorf("%w: %q sweeps two options: sweep one per spec", ErrBadSweep, s)
			}
			at = i
		}
	}
	if at < 0 {
		return []Point{{Spec: s}}, nil
	}
	key, v, _ := strings.Cut(opts[at], "=")
	key = strings.TrimSpace(key)
	values, err := sweepValues(strings.TrimSpace(v))
	if err != nil {
		return nil, fmt.Errorf("%w: option %s of %q: %w", ErrBadSweep, key, s, err)
	}
	points := make([]Point, 0, len(values))
	for _, val := range values {
		o := append([]string(nil), opts...)
		o[at] = key + "=" + val
		points = append(points, Point{Spec: name + ":" + strings.Join(o, ","), Option: key, Value: val, X: axisValue(val)})
	}
	return points, nil
}

// sweepValues expands one option's sweep ("8..256" or "8|32|128").
func sweepValues(v string) ([]string, error) {
	if strings.Contains(v, "|") {
		if strings.Contains(v, "..") {
			return nil, errors.New("give a range (8..256) or a list (8|32|128), not both")
		}
		var out []string
		seen := map[string]bool{}
		for _, x := range strings.Split(v, "|") {
			x = strings.TrimSpace(x)
			switch {
			case x == "":
				return nil, fmt.Errorf("empty value in list %q", v)
			case seen[x]:
				return nil, fmt.Errorf("value %s given twice in list %q", x, v)
			}
			seen[x] = true
			out = append(out, x)
		}
		if len(out) > MaxSweepValues {
			return nil, fmt.Errorf("list %q has %d values, more than %d", v, len(out), MaxSweepValues)
		}
		return out, nil
	}
	lo, hi, _ := strings.Cut(v, "..")
	if a, errA := strconv.ParseInt(lo, 10, 64); errA == nil {
		b, err := strconv.ParseInt(hi, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("range %q: the end is not an integer", v)
		}
		return doubling(a, b, v, func(n int64) string { return strconv.FormatInt(n, 10) })
	}
	a, errA := time.ParseDuration(lo)
	b, errB := time.ParseDuration(hi)
	if errA != nil || errB != nil {
		return nil, fmt.Errorf("range %q: want integers (8..256) or durations (1ms..8ms)", v)
	}
	return doubling(int64(a), int64(b), v, func(n int64) string { return time.Duration(n).String() })
}

// doubling returns lo, 2lo, 4lo, ... while below hi, then hi.
func doubling(lo, hi int64, v string, format func(int64) string) ([]string, error) {
	if lo <= 0 || hi <= lo {
		return nil, fmt.Errorf("range %q: want 0 < start < end", v)
	}
	var out []string
	for x := lo; x < hi; x *= 2 {
		out = append(out, format(x))
		if len(out) >= MaxSweepValues {
			return nil, fmt.Errorf("range %q doubles to more than %d values", v, MaxSweepValues)
		}
		if x > hi/2 {
			break // x*2 would pass hi (or overflow)
		}
	}
	return append(out, format(hi)), nil
}

// axisValue is a swept value as a number: an integer, a float, or a
// duration in seconds; 0 when it is none of these.
func axisValue(v string) float64 {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return f
	}
	if d, err := time.ParseDuration(v); err == nil {
		return d.Seconds()
	}
	return 0
}
