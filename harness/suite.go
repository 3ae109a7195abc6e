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

// A check is one named scenario of the suite.
type check struct {
	name   string
	python string // the CPython test it translates, or "" when it is ours
	// server runs the check against any seed server; nil when the check
	// needs a socketserver.Server (a handler or field of its own).
	server func(e *env) error
	// strategy, when set, replaces server in the strategy suite, where it
	// can use socketserver.Server's fields and its own handlers.
	strategy func(e *env) error
}

// checks is the suite, in the order it runs.
var checks []check

// A runnable check is a name and the function a suite runs for it.
type runnable struct {
	name string
	run  func(e *env) error
}

// serverChecks returns the checks that make sense for any seed server.
func serverChecks() []runnable {
	var out []runnable
	for _, c := range checks {
		if c.server != nil {
			out = append(out, runnable{c.name, c.server})
		}
	}
	return out
}

// strategyChecks returns every check, each in its strategy form.
func strategyChecks() []runnable {
	out := make([]runnable, len(checks))
	for i, c := range checks {
		run := c.strategy
		if run == nil {
			run = c.server
		}
		out[i] = runnable{c.name, run}
	}
	return out
}

func nameList(rs []runnable) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.name
	}
	return out
}

// A Failure is one failed check of CheckStrategy or CheckServer.
type Failure struct {
	Check string // the check's name, as TestStrategy names its subtest
	Err   error
}

// Error returns "Check: reason".
func (f *Failure) Error() string { return f.Check + ": " + f.Err.Error() }

// Unwrap returns the reason.
func (f *Failure) Unwrap() error { return f.Err }

// A SuiteError is what CheckStrategy and CheckServer return when checks fail: one Failure
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

// CheckNames returns the names of the checks in the order CheckStrategy
// runs them: ServerCheckNames and the checks that need a
// socketserver.Server of their own.
func CheckNames() []string { return nameList(strategyChecks()) }

// CheckStrategy runs the conformance suite against the strategy that mk
// makes, which promises concurrency p, and returns nil or a *SuiteError
// listing every failed check. With names, it runs only those checks (an
// unknown name is an error).
//
// Each check gets fresh socketserver.Servers, each with a new Strategy
// from mk (so mk must return a new value every call; returning nil tests
// the Server's built-in serial execution), on 127.0.0.1 or a Unix socket.
// The server checks (see CheckServer) run on servers serving
// handlers.Upper; the others use handlers and Server fields of their own
// (errors, panics, VerifyRequest, HandleRequest, accept errors ...). Each
// check runs under a watchdog and then must leave no goroutine behind.
//
// CheckStrategy blocks for several seconds. It measures process-wide
// goroutines and descriptors, so it must not run in parallel with other
// tests; it is safe to call from any goroutine.
func CheckStrategy(mk func() socketserver.Strategy, p socketserver.Concurrency, names ...string) error {
	return checkAll(strategyChecks(), target{strategy: mk, p: p}, names)
}

// TestStrategy runs the conformance suite as subtests of t, one per
// check, named as CheckNames returns them (so "go test -run
// Conformance/Capacity" runs one). It is CheckStrategy reporting through
// t; see CheckStrategy for what mk and p mean. Do not call t.Parallel in
// the test that calls it.
func TestStrategy(t *testing.T, mk func() socketserver.Strategy, p socketserver.Concurrency) {
	t.Helper()
	testAll(t, strategyChecks(), target{strategy: mk, p: p})
}

// checkAll runs the named checks of run (all when names is empty) against
// tg and collects the failures.
func checkAll(run []runnable, tg target, names []string) error {
	run, err := selectChecks(run, names)
	if err != nil {
		return err
	}
	var se SuiteError
	for _, c := range run {
		if err := runCheck(c, tg); err != nil {
			se.Failures = append(se.Failures, &Failure{Check: c.name, Err: err})
		}
	}
	if len(se.Failures) > 0 {
		return &se
	}
	return nil
}

// testAll runs every check of run against tg as a subtest of t.
func testAll(t *testing.T, run []runnable, tg target) {
	t.Helper()
	for _, c := range run {
		t.Run(c.name, func(t *testing.T) {
			if err := runCheck(c, tg); err != nil {
				t.Error(err)
			}
		})
	}
}

func selectChecks(run []runnable, names []string) ([]runnable, error) {
	if len(names) == 0 {
		return run, nil
	}
	var out []runnable
	for _, n := range names {
		i := slices.IndexFunc(run, func(c runnable) bool { return c.name == n })
		if i < 0 {
			return nil, fmt.Errorf("harness: unknown check %q (known: %s)", n, strings.Join(nameList(run), ", "))
		}
		out = append(out, run[i])
	}
	return out, nil
}

// runCheck runs c on a fresh env under the watchdog, closes the env, and
// verifies that no goroutine was left behind.
func runCheck(c runnable, tg target) error {
	before := goleak.IgnoreCurrent()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := &env{ctx: ctx, target: tg}
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
