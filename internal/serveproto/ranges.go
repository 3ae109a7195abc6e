package serveproto

import (
	"flag"
	"fmt"
	"strconv"
	"time"
)

// An IntRange bounds an integer flag inclusively. Its Var method defines
// the flag so that a value outside the range is refused when the flags are
// parsed, with an error naming the flag, the value and the range.
type IntRange struct{ Min, Max int }

// String returns "MIN..MAX".
func (r IntRange) String() string { return fmt.Sprintf("%d..%d", r.Min, r.Max) }

// Var defines an int flag on fs, stored in p, that accepts only values in r.
func (r IntRange) Var(fs *flag.FlagSet, p *int, name, usage string) {
	fs.Var(&intValue{p: p, r: r}, name, usage+" ("+r.String()+")")
}

type intValue struct {
	p *int
	r IntRange
}

func (v *intValue) String() string {
	if v == nil || v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

func (v *intValue) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil || n != int64(int(n)) || !v.r.Contains(int(n)) {
		return fmt.Errorf("want an integer in %s", v.r)
	}
	*v.p = int(n)
	return nil
}

// A DurationRange bounds a duration flag inclusively, as IntRange does an
// integer flag.
type DurationRange struct{ Min, Max time.Duration }

// String returns "MIN..MAX", e.g. "1ms..1h0m0s".
func (r DurationRange) String() string { return fmt.Sprintf("%s..%s", r.Min, r.Max) }

// Var defines a duration flag on fs, stored in p, that accepts only values
// in r.
func (r DurationRange) Var(fs *flag.FlagSet, p *time.Duration, name, usage string) {
	fs.Var(&durationValue{p: p, r: r}, name, usage+" ("+r.String()+")")
}

type durationValue struct {
	p *time.Duration
	r DurationRange
}

func (v *durationValue) String() string {
	if v == nil || v.p == nil {
		return "0s"
	}
	return v.p.String()
}

func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || !v.r.Contains(d) {
		return fmt.Errorf("want a duration in %s", v.r)
	}
	*v.p = d
	return nil
}

// The ranges of the numeric flags of serve and refserve, checked when the
// flags are parsed; the commands' help texts print them.
var (
	// BacklogRange bounds --backlog: at least one pending connection, and
	// no more than Linux's largest somaxconn.
	BacklogRange = IntRange{Min: 1, Max: 65535}
	// ShutdownTimeoutRange bounds --shutdown-timeout: zero or a negative
	// wait would make every graceful shutdown fail at once.
	ShutdownTimeoutRange = DurationRange{Min: time.Nanosecond, Max: time.Hour}
	// RefWorkersRange bounds refserve --workers, as the pool strategy's
	// workers option is bounded: every worker starts at once.
	RefWorkersRange = IntRange{Min: 1, Max: 10000}
)

// Contains reports whether n is in r.
func (r IntRange) Contains(n int) bool { return n >= r.Min && n <= r.Max }

// Contains reports whether d is in r.
func (r DurationRange) Contains(d time.Duration) bool { return d >= r.Min && d <= r.Max }
