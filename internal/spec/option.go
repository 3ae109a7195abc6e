package spec

import (
	"fmt"
	"strconv"
	"time"
)

// A Kind is the type of an option's value.
type Kind int

// The kinds of option values.
const (
	Bool     Kind = iota // true or false; a bare key means true
	Int                  // a decimal integer in Min..Max
	Duration             // a time.Duration ("1ms") in Min..Max nanoseconds
	Word                 // text without commas, such as an inner spec ("goroutine"), checked by the caller
)

// An Option describes one option of a spec, as data written once: the
// accessors (Spec.IntOpt, Spec.DurationOpt, Spec.BoolOpt) take their default
// and their range from it, and String, which help texts print, says both.
// Min and Max bound a numeric option inclusively: integers as they are,
// durations in nanoseconds. They are ignored for Bool.
type Option struct {
	Name    string
	Kind    Kind
	Default string // the default as written on a command line, e.g. "16" or "1ms"
	Doc     string
	Min     int64
	Max     int64
}

// Range returns the allowed values as text: "1..10000", "0s..10s", or
// "true or false".
func (o Option) Range() string {
	switch o.Kind {
	case Int:
		return fmt.Sprintf("%d..%d", o.Min, o.Max)
	case Duration:
		return fmt.Sprintf("%s..%s", time.Duration(o.Min), time.Duration(o.Max))
	case Word:
		return "a word"
	}
	return "true or false"
}

// String describes the option for help texts:
// "workers (1..10000, default 40): connections served at once".
func (o Option) String() string {
	return fmt.Sprintf("%s (%s, default %s): %s", o.Name, o.Range(), o.Default, o.Doc)
}

// Names returns the names of opts, in order, for Spec.Unused.
func Names(opts []Option) []string {
	names := make([]string, len(opts))
	for i, o := range opts {
		names[i] = o.Name
	}
	return names
}

// IntOpt returns option o as an int in o.Min..o.Max, or o's default when
// absent. An out-of-range or malformed value is an error naming the option,
// the value and the range.
func (s *Spec) IntOpt(o Option) (int, error) {
	v, ok := s.get(o.Name)
	if !ok {
		v = o.Default
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < o.Min || n > o.Max {
		return 0, fmt.Errorf("option %s=%q: want an integer in %s", o.Name, v, o.Range())
	}
	return int(n), nil
}

// DurationOpt returns option o as a duration in o.Min..o.Max nanoseconds,
// or o's default when absent.
func (s *Spec) DurationOpt(o Option) (time.Duration, error) {
	v, ok := s.get(o.Name)
	if !ok {
		v = o.Default
	}
	d, err := time.ParseDuration(v)
	if err != nil || int64(d) < o.Min || int64(d) > o.Max {
		return 0, fmt.Errorf("option %s=%q: want a duration in %s", o.Name, v, o.Range())
	}
	return d, nil
}

// BoolOpt returns option o as a bool, or o's default when absent.
func (s *Spec) BoolOpt(o Option) (bool, error) {
	v, ok := s.get(o.Name)
	if !ok {
		v = o.Default
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("option %s=%q: want true or false", o.Name, v)
	}
	return b, nil
}
