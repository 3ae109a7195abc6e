package strategies

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/spec"
	"github.com/gosocketserver/socketserver/strategies/fork"
	"github.com/gosocketserver/socketserver/strategies/prefork"
)

// The process strategies' options. A child is a process: the bounds keep
// a spec from forking the machine to death.
var (
	optMaxChildren = Option{Name: "max-children", Kind: spec.Int, Default: fmt.Sprint(fork.DefaultMaxChildren),
		Doc: "children running at once; the accept loop waits when that many run", Min: 1, Max: 4096}
	forkOptions = []Option{optMaxChildren, optNoWait}
)

func init() {
	register(&Info{
		Name:    "fork",
		Python:  "socketserver.ForkingMixIn",
		Summary: "a child process per connection (this program re-run, handed the descriptor; Linux only)",
		Aliases: []string{"forking"},
		Options: forkOptions,
		build:   buildFork,
	})
}

func buildFork(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
	if !fork.Supported {
		return nil, socketserver.Concurrency{}, fmt.Errorf("fork: %w (it passes descriptors to re-run children)", errLinuxOnly)
	}
	st := &fork.Strategy{}
	var err error
	if st.MaxChildren, err = o.IntOpt(optMaxChildren); err != nil {
		return nil, socketserver.Concurrency{}, err
	}
	if st.NoWait, err = o.BoolOpt(optNoWait); err != nil {
		return nil, socketserver.Concurrency{}, err
	}
	return st, socketserver.AtMost(st.MaxChildren), o.Unused(spec.Names(forkOptions)...)
}

// The prefork strategy's options.
var (
	optProcs = Option{Name: "procs", Kind: spec.Int, Default: "0",
		Doc: "worker processes (0 = the number of CPUs)", Min: 0, Max: 1024}
	optInner = Option{Name: "inner", Kind: spec.Word, Default: prefork.DefaultInner,
		Doc: "the strategy each worker serves with (a spec without commas, e.g. pool:workers=8)"}
	optBalance = Option{Name: "balance", Kind: spec.Word, Default: prefork.Shared,
		Doc: "shared (one listening socket, the kernel wakes an idle worker) or reuseport (a SO_REUSEPORT socket per worker; needs --reuse-port)"}
	preforkOptions = []Option{optProcs, optInner, optBalance}
)

func init() {
	register(&Info{
		Name:    "prefork",
		Python:  "none in socketserver (gunicorn's sync workers, Apache prefork)",
		Summary: "pre-forked worker processes on a shared or SO_REUSEPORT listener, supervised (Linux only)",
		Options: preforkOptions,
		build:   buildPrefork,
	})
}

func buildPrefork(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
	if !prefork.Supported {
		return nil, socketserver.Concurrency{}, fmt.Errorf("prefork: %w (it shares descriptors with re-run workers)", errLinuxOnly)
	}
	st := &prefork.Strategy{Inner: o.WordOpt(optInner), Accept: o.WordOpt(optBalance)}
	var err error
	if st.Procs, err = o.IntOpt(optProcs); err != nil {
		return nil, socketserver.Concurrency{}, err
	}
	if st.Accept != prefork.Shared && st.Accept != prefork.ReusePort {
		return nil, socketserver.Concurrency{}, fmt.Errorf("option balance=%q: want %s or %s", st.Accept, prefork.Shared, prefork.ReusePort)
	}
	if st.Inner == "prefork" || st.Inner == "fork" || strings.HasPrefix(st.Inner, "prefork:") || strings.HasPrefix(st.Inner, "fork:") {
		return nil, socketserver.Concurrency{}, fmt.Errorf("option inner=%q: a worker runs an in-process strategy", st.Inner)
	}
	_, inner, err := Build(st.Inner)
	if err != nil {
		return nil, socketserver.Concurrency{}, fmt.Errorf("option inner: %w", err)
	}
	return st, workersTimes(st.Procs, inner), o.Unused(spec.Names(preforkOptions)...)
}

// workersTimes is the promise of procs workers each keeping inner's.
func workersTimes(procs int, inner socketserver.Concurrency) socketserver.Concurrency {
	if procs == 0 {
		procs = runtime.NumCPU()
	}
	if !inner.Bounded() {
		return socketserver.Unbounded
	}
	return socketserver.AtMost(procs * inner.Max)
}
