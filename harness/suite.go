package harness

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
	"go.uber.org/goleak"
)

// watchdog bounds one check: a check still running after it fails with a
// dump of every goroutine instead of hanging the test binary. A variable so
// that the suite's own tests can shorten it.
var watchdog = 30 * time.Second

// A check is one named scenario of the white-box suite.
type check struct {
	name   string
	python string // the CPython test it translates, or "" when it is ours
	run    func(e *env) error
}

// checks is the white-box suite, in the order it runs.
var checks []check

// A Failure is one failed check of CheckStrategy.
type Failure struct {
	Check string // the check's name, as TestStrategy names its subtest
	Err   error
}

// Error returns "Check: reason".
func (f *Failure) Error() string { return f.Check + ": " + f.Err.Error() }

// Unwrap returns the reason.
func (f *Failure) Unwrap() error { return f.Err }

// A SuiteError is what CheckStrategy returns when checks fail: one Failure
// per failed check, in the order they ran.
type SuiteError struct {
	Failures []*Failure
}

// Error lists the failed checks, one per line.
func (e *SuiteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "harness: %d check(s) failed:", len(e.Failures))
	for _, f := range e.Failures {
		b.WriteString("\n")
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap returns the failures, so that errors.As finds a *Failure.
func (e *SuiteError) Unwrap() []error {
	errs := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		errs[i] = f
	}
	return errs
}

// Failed reports whether the named check is among the failures.
func (e *SuiteError) Failed(name string) bool {
	return slices.ContainsFunc(e.Failures, func(f *Failure) bool { return f.Check == name })
}

// CheckNames returns the names of the white-box checks in the order
// CheckStrategy runs them.
func CheckNames() []string {
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.name
	}
	return names
}

// CheckStrategy runs the white-box conformance suite against the strategy
// that mk makes, which declares promise p, and returns nil or a
// *SuiteError listing every failed check. With names, it runs only those
// checks (an unknown name is an error).
//
// Each check gets fresh servers, each with a new Strategy from mk (so mk
// must return a new value every call; returning nil tests the Server's
// built-in serial execution), serving handlers.Upper unless the check needs
// another handler, on 127.0.0.1 or a Unix socket. Each check runs under a
// watchdog and then must leave no goroutine behind.
//
// CheckStrategy blocks for several seconds. It measures process-wide
// goroutines and descriptors, so it must not run in parallel with other
// tests; it is safe to call from any goroutine.
func CheckStrategy(mk func() socketserver.Strategy, p socketserver.Concurrency, names ...string) error {
	run, err := selectChecks(names)
	if err != nil {
		return err
	}
	var se SuiteError
	for _, c := range run {
		if err := runCheck(c, mk, p); err != nil {
			se.Failures = append(se.Failures, &Failure{Check: c.name, Err: err})
		}
	}
	if len(se.Failures) > 0 {
		return &se
	}
	return nil
}

// TestStrategy runs the white-box conformance suite as subtests of t, one
// per check, named as CheckNames returns them (so "go test -run
// Conformance/Capacity" runs one). It is CheckStrategy reporting through t;
// see CheckStrategy for what mk and p mean. Do not call t.Parallel in the
// test that calls it.
func TestStrategy(t *testing.T, mk func() socketserver.Strategy, p socketserver.Concurrency) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if err := runCheck(c, mk, p); err != nil {
				t.Error(err)
			}
		})
	}
}

func selectChecks(names []string) ([]check, error) {
	if len(names) == 0 {
		return checks, nil
	}
	var out []check
	for _, n := range names {
		i := slices.IndexFunc(checks, func(c check) bool { return c.name == n })
		if i < 0 {
			return nil, fmt.Errorf("harness: unknown check %q (known: %s)", n, strings.Join(CheckNames(), ", "))
		}
		out = append(out, checks[i])
	}
	return out, nil
}

// runCheck runs c on a fresh env under the watchdog, closes the env, and
// verifies that no goroutine was left behind.
func runCheck(c check, mk func() socketserver.Strategy, p socketserver.Concurrency) error {
	before := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := &env{ctx: ctx, mk: mk, p: p}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				buf := make([]byte, 64<<10)
				done <- fmt.Errorf("check panicked: %v\n%s", v, buf[:runtime.Stack(buf, false)])
			}
		}()
		done <- c.run(e)
	}()
	var err error
	timer := time.NewTimer(watchdog)
	select {
	case err = <-done:
		timer.Stop()
	case <-timer.C:
		dump := goroutineDump()
		cancel()
		cerr := e.closeAll() // unblock what we can
		select {
		case <-done:
		case <-time.After(seedclient.ReplyTimeout):
		}
		return errors.Join(fmt.Errorf("check still running after %v (watchdog); goroutines:\n%s", watchdog, dump), cerr)
	}
	if cerr := e.closeAll(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("closing the check's servers: %w", cerr))
	}
	if lerr := goleak.Find(before); lerr != nil {
		err = errors.Join(err, fmt.Errorf("goroutines left after the check's servers were closed: %w", lerr))
	}
	return err
}

// goroutineDump returns the stacks of every goroutine.
func goroutineDump() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) || len(buf) >= 64<<20 {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}
