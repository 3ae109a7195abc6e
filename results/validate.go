package results

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidValue reports a run whose values no benchmark could have
// measured: a negative count or time, a non-finite or absurd number, a
// scenario without connections. Read and ReadFile return it wrapped in a
// *FormatError (which also matches ErrMalformed); test for it with
// errors.Is.
var ErrInvalidValue = errors.New("invalid value")

// ErrDuplicateScenario reports a run with two scenarios of the same Key:
// comparisons and reports would have to pick one. Read and ReadFile
// return it wrapped in a *FormatError.
var ErrDuplicateScenario = errors.New("duplicate scenario")

// The bounds Read enforces on a run's values. Every measured number is
// finite and in 0..MaxValue (10^15: a petabyte of memory, 31 years of
// microseconds); a scenario's connections are in 1..MaxConns; the
// configured times are in 0..MaxConfigDuration.
const (
	MaxValue          = 1e15
	MaxConns          = 10_000_000
	MaxRepetitions    = 1_000_000
	MaxConfigDuration = 1000 * time.Hour
)

// validate checks the values of a decoded run (see the bounds above) and
// that no two scenarios share a Key.
func validate(r *Run) error {
	c := r.Config
	for _, d := range []struct {
		name string
		v    Duration
	}{{"config.duration", c.Duration}, {"config.warmup", c.Warmup}} {
		if d.v < 0 || time.Duration(d.v) > MaxConfigDuration {
			return fmt.Errorf("%w: %s %s: want 0s..%s", ErrInvalidValue, d.name, time.Duration(d.v), MaxConfigDuration)
		}
	}
	if c.Repetitions < 0 || c.Repetitions > MaxRepetitions {
		return fmt.Errorf("%w: config.repetitions %d: want 0..%d", ErrInvalidValue, c.Repetitions, MaxRepetitions)
	}
	if c.Goal != "" {
		if _, err := ParseGoal(c.Goal); err != nil {
			return fmt.Errorf("%w: config.goal: %w%s", ErrInvalidValue, err, newerHint(r.Schema))
		}
	}
	seen := make(map[Key]int, len(r.Scenarios))
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		k := sc.Key()
		if sc.Conns < 1 || sc.Conns > MaxConns {
			return fmt.Errorf("%w: scenario %d (%s): conns %d: want 1..%d", ErrInvalidValue, i, k, sc.Conns, MaxConns)
		}
		if j, dup := seen[k]; dup {
			return fmt.Errorf("%w: scenarios %d and %d are both %s", ErrDuplicateScenario, j, i, k)
		}
		seen[k] = i
		for j := range sc.Samples {
			if field, v, ok := firstOutOfRange(reflect.ValueOf(sc.Samples[j]), ""); !ok {
				return fmt.Errorf("%w: scenario %d (%s) sample %d: %s = %v: want a finite number in 0..%g", ErrInvalidValue, i, k, j, field, v, MaxValue)
			}
			if f := sc.Samples[j].Fairness; f > 1 {
				return fmt.Errorf("%w: scenario %d (%s) sample %d: fairness = %v: want 0..1", ErrInvalidValue, i, k, j, f)
			}
		}
		if err := validateSLO(sc.SLO); err != nil {
			return fmt.Errorf("%w: scenario %d (%s): %w", ErrInvalidValue, i, k, err)
		}
	}
	return nil
}

// firstOutOfRange returns the first number of v (a Sample) that is not
// finite or not in 0..MaxValue, by its Go field path. Pointers (the
// histogram) are skipped: Histogram.Validate checks those.
func firstOutOfRange(v reflect.Value, path string) (string, any, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || f < 0 || f > MaxValue {
			return path, f, false
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := v.Int()
		if n < 0 || float64(n) > MaxValue {
			return path, n, false
		}
	case reflect.Map: // Counts, in key order so that the first is the same each time
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			if f, x, ok := firstOutOfRange(v.MapIndex(k), path+"["+k.String()+"]"); !ok {
				return f, x, false
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			name := t.Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			if f, x, ok := firstOutOfRange(v.Field(i), name); !ok {
				return f, x, false
			}
		}
	}
	return "", nil, true
}

// newerHint is what an error about a field this reader does not know adds
// when the run's schema minor version is newer than SchemaVersion's: the
// run was probably written by a newer sockbench.
func newerHint(schema string) string {
	_, theirs, _ := strings.Cut(schema, ".")
	_, ours, _ := strings.Cut(SchemaVersion, ".")
	t, err1 := strconv.Atoi(theirs)
	o, err2 := strconv.Atoi(ours)
	if err1 != nil || err2 != nil || t <= o {
		return ""
	}
	return fmt.Sprintf(" (the run has schema %s, newer than this sockbench's %s: read it with the sockbench that wrote it, or a newer one)", schema, SchemaVersion)
}
