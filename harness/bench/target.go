package bench

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/internal/spec"
	"github.com/gosocketserver/socketserver/results"
)

// Target kinds.
const (
	// KindStrategy is a strategy of this project served by "sockbench serve".
	KindStrategy = "strategy"
	// KindReference is a hand-written reference server ("sockbench refserve").
	KindReference = "reference"
	// KindExternal is a server the harness does not build: already running
	// at an address, or started from a command.
	KindExternal = "external"
)

// DefaultRefWorkers is the worker count of reference:pool when none is
// given, as the performance facts' hand-written pool.
const DefaultRefWorkers = serveproto.DefaultRefWorkers

// refWorkersOption is reference:pool's workers option, bounded as
// "sockbench refserve --workers" is.
var refWorkersOption = spec.Option{Name: "workers", Kind: spec.Int, Default: strconv.Itoa(DefaultRefWorkers),
	Doc: "pool size", Min: int64(serveproto.RefWorkersRange.Min), Max: int64(serveproto.RefWorkersRange.Max)}

// A Target is one server under test: a column of the result tables.
type Target struct {
	// Name labels the target in the run ("pool:workers=64",
	// "reference:goroutine", "external:python3").
	Name string
	// Kind is KindStrategy, KindReference or KindExternal.
	Kind string

	// Strategy is the strategy spec handed to "sockbench serve" (KindStrategy).
	Strategy string

	// RefKind is goroutine, pool or serial and RefWorkers the pool's size
	// (KindReference).
	RefKind    string
	RefWorkers int

	// Addr is the address of an already running external server; no server
	// metrics are measured for it (KindExternal).
	Addr string
	// Exec is a shell command that starts an external server (KindExternal).
	// It must print its address alone on the first line of stdout, unless
	// ExecAddr is set, in which case the harness waits until ExecAddr
	// accepts connections. It is stopped by closing its stdin, then SIGTERM,
	// then SIGKILL. Every workload runs against it whatever its handler.
	Exec     string
	ExecAddr string

	// Exe, when set, is the sockbench executable that serves this target
	// (KindStrategy, KindReference) instead of the Config's Launcher: for
	// example the build of an older commit, measured in the same run as
	// this one (see OldBuild).
	Exe string

	// StreamOnly marks a strategy that cannot execute datagrams (the
	// event loop, fork, prefork): Run skips its datagram workloads with a
	// run warning. The caller sets it (the package imports no strategy).
	StreamOnly bool

	// Sweep, when set, says which value of a swept spec this target is
	// ("pool:workers=8..256" at workers=64); it is recorded in the
	// target's scenarios.
	Sweep *results.SweepPoint
}

// OldBuildPrefix starts the names of targets served by another sockbench
// executable (see OldBuild).
const OldBuildPrefix = "old:"

// OldBuild returns t served by the sockbench executable exe (an older
// build) and named with OldBuildPrefix, e.g. "old:goroutine". Measured in
// the same run as t, interleaved with it, the pair compares two builds
// under the same conditions. External targets are returned unchanged.
func OldBuild(t Target, exe string) Target {
	if t.Kind == KindExternal {
		return t
	}
	t.Name = OldBuildPrefix + t.Name
	t.Exe = exe
	return t
}

// StrategyTarget returns the target for a strategy spec of this project.
// The spec is not checked here (the package imports no strategy): the
// server process rejects a bad one when it starts.
func StrategyTarget(strategySpec string) Target {
	return Target{Name: strategySpec, Kind: KindStrategy, Strategy: strategySpec}
}

// ParseTarget parses a target name: "reference:goroutine",
// "reference:pool" (64 workers), "reference:pool:workers=N",
// "reference:serial", "reference:gnet", or else a strategy spec of this project. Errors wrap
// ErrBadSpec.
func ParseTarget(s string) (Target, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, fmt.Errorf("%w: empty target", ErrBadSpec)
	}
	rest, ok := strings.CutPrefix(s, "reference:")
	if !ok {
		if s == "reference" {
			return Target{}, fmt.Errorf("%w: reference needs a kind: reference:goroutine, reference:pool or reference:serial", ErrBadSpec)
		}
		return StrategyTarget(s), nil
	}
	sp, err := spec.Parse(rest)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %s: %w", ErrBadSpec, s, err)
	}
	t := Target{Name: s, Kind: KindReference, RefKind: sp.Name}
	switch sp.Name {
	case "goroutine", "serial", "gnet":
		err = sp.Unused()
	case "pool":
		t.RefWorkers, err = sp.IntOpt(refWorkersOption)
		if err == nil {
			err = sp.Unused("workers")
		}
	default:
		err = fmt.Errorf("unknown reference server %q (known: goroutine, pool, serial, gnet)", sp.Name)
	}
	if err != nil {
		return Target{}, fmt.Errorf("%w: %s: %w", ErrBadSpec, s, err)
	}
	return t, nil
}

// ExternalAddrTarget returns the target for a server already running at addr.
func ExternalAddrTarget(addr string) Target {
	return Target{Name: "external:" + addr, Kind: KindExternal, Addr: addr}
}

// ExternalExecTarget returns the target for a server started by the shell
// command cmd; addr, if not empty, is where it listens (see Target.Exec).
func ExternalExecTarget(cmd, addr string) Target {
	name := "external"
	if f := strings.Fields(cmd); len(f) > 0 {
		name += ":" + f[0][strings.LastIndex(f[0], "/")+1:]
	}
	return Target{Name: name, Kind: KindExternal, Exec: cmd, ExecAddr: addr}
}

// refHandlers are the handlers the reference servers speak.
var refHandlers = map[string]bool{"upper": true, "upperlines": true, "echo": true}

// serves reports whether t can serve workload w: reference servers speak
// only upper, upperlines and echo.
func (t Target) serves(w Workload) bool {
	return t.Kind != KindReference || refHandlers[w.Handler]
}

// args returns the server process's command-line arguments (for the
// Launcher) to serve handler; nil for external targets.
func (t Target) args(handler string, backlog int) []string {
	switch t.Kind {
	case KindStrategy:
		return t.serveInvocation(handler, backlog).Args()
	case KindReference:
		return t.refServeInvocation(handler, backlog).Args()
	}
	return nil
}

// serveInvocation is how "sockbench serve" serves a strategy target: on a
// free loopback port, printing it, quiet, with the control channel.
func (t Target) serveInvocation(handler string, backlog int) serveproto.Serve {
	s := serveproto.DefaultServe()
	s.Strategy, s.Handler, s.Backlog = t.Strategy, handler, backlog
	s.Addr, s.Quiet, s.PrintAddr, s.Control = "127.0.0.1:0", true, true, true
	return s
}

// refServeInvocation is how "sockbench refserve" serves a reference
// target, as serveInvocation serves a strategy.
func (t Target) refServeInvocation(handler string, backlog int) serveproto.RefServe {
	r := serveproto.DefaultRefServe()
	r.Kind, r.Handler, r.Backlog = t.RefKind, handler, backlog
	if t.RefWorkers > 0 {
		r.Workers = t.RefWorkers
	}
	r.Addr, r.PrintAddr, r.Control = "127.0.0.1:0", true, true
	return r
}
