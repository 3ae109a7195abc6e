// Package strategies is the registry of concurrency strategies: it builds a
// socketserver.Strategy from a spec string such as "pool:workers=8,queue=64"
// and lists what exists, for command lines and benchmark matrices.
//
// Specs are NAME or NAME:key=value,key=value. Bool options may be given bare
// ("goroutine:daemon"). Unknown names and options are errors that list what
// is allowed.
package strategies

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/spec"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"github.com/gosocketserver/socketserver/strategies/pool"
	stsync "github.com/gosocketserver/socketserver/strategies/sync"
)

// An Option documents one option of a strategy: its kind, default and,
// for a number, the inclusive range that New enforces. Option.String is
// the line the command's help prints. The registry's options are the one
// source of both the checks and the help.
type Option = spec.Option

// The options of the registered strategies. The bounds keep a spec from
// exhausting the machine before it serves: a pool starts its workers at
// once (a million took 6.9 s and 2.6 GB), and its queue is allocated
// whole (10^14 panicked in makechan).
var (
	optDaemon = Option{Name: "daemon", Kind: spec.Bool, Default: "false",
		Doc: "Shutdown does not wait for running handlers (daemon_threads / block_on_close=False)"}
	optWorkers = Option{Name: "workers", Kind: spec.Int, Default: fmt.Sprint(pool.DefaultWorkers),
		Doc: "connections served at once", Min: 1, Max: 10000}
	optQueue = Option{Name: "queue", Kind: spec.Int, Default: "0",
		Doc: "accepted connections that may wait for a worker", Min: 0, Max: 100000}
	optRefuse = Option{Name: "refuse", Kind: spec.Bool, Default: "false",
		Doc: "close and report connections when full instead of waiting"}
	optNoWait = Option{Name: "nowait", Kind: spec.Bool, Default: "false",
		Doc: "Shutdown does not wait for the workers (block_on_close=False)"}
	poolOptions = []Option{optWorkers, optQueue, optRefuse, optNoWait}
)

// Info describes a registered strategy.
type Info struct {
	Name    string
	Python  string // the Python counterpart
	Summary string
	// Aliases are other names New accepts for this strategy, after
	// Python's class names ("serial", "threading").
	Aliases []string
	Options []Option
	// build makes the strategy from its parsed options and reports its
	// concurrency promise.
	build func(opts *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error)
}

// errLinuxOnly is what a strategy written on a Linux interface (epoll)
// fails to build with elsewhere.
var errLinuxOnly = errors.New("linux only")

var registry = map[string]*Info{}
var aliases = map[string]string{}

func register(i *Info) {
	registry[i.Name] = i
	for _, a := range i.Aliases {
		aliases[a] = i.Name
	}
}

func init() {
	register(&Info{
		Name:    "sync",
		Python:  "socketserver.TCPServer",
		Summary: "serial: the accept loop runs each handler; one connection at a time",
		Aliases: []string{"serial"},
		build: func(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
			return stsync.New(), socketserver.Serial, o.Unused()
		},
	})
	register(&Info{
		Name:    "goroutine",
		Python:  "socketserver.ThreadingMixIn",
		Summary: "one goroutine per connection, unbounded",
		Aliases: []string{"threading"},
		Options: []Option{optDaemon},
		build: func(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
			d, err := o.BoolOpt(optDaemon)
			if err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			return &goroutine.Strategy{Daemon: d}, socketserver.Unbounded, o.Unused(optDaemon.Name)
		},
	})
	register(&Info{
		Name:    "pool",
		Python:  "socketserver.ForkingMixIn (max_children)",
		Summary: "fixed workers and a bounded queue; the accept loop waits when full",
		Options: poolOptions,
		build: func(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
			p := &pool.Strategy{}
			var err error
			if p.Workers, err = o.IntOpt(optWorkers); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			if p.Queue, err = o.IntOpt(optQueue); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			if p.Refuse, err = o.BoolOpt(optRefuse); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			if p.NoWait, err = o.BoolOpt(optNoWait); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			return p, socketserver.AtMost(p.Workers), o.Unused(spec.Names(poolOptions)...)
		},
	})
}

// The event loop's options; the bounds keep a spec from exhausting the
// machine (every loop is an OS thread's worth of work and an epoll fd).
var (
	optLoops = Option{Name: "loops", Kind: spec.Int, Default: "0",
		Doc: "event loops (0 = GOMAXPROCS)", Min: 0, Max: 1024}
	optOffload = Option{Name: "offload", Kind: spec.Int, Default: "0",
		Doc: "goroutines that run the messages of blocking handlers, in order per connection (0 = on the loops)", Min: 0, Max: 10000}
	optMaxQueued = Option{Name: "maxqueued", Kind: spec.Int, Default: fmt.Sprint(eventloop.DefaultMaxQueued),
		Doc: "bytes of output queued per connection before reading from it pauses", Min: 1, Max: 1 << 30}
	optLockThread = Option{Name: "lockthread", Kind: spec.Bool, Default: "false",
		Doc: "lock each loop to its OS thread"}
	eventloopOptions = []Option{optLoops, optOffload, optMaxQueued, optLockThread}
)

func init() {
	register(&Info{
		Name:    "eventloop",
		Python:  "asyncio (selector event loop + asyncio.Protocol)",
		Summary: "epoll event loops running message handlers, no goroutine per connection (Linux only)",
		Options: eventloopOptions,
		build:   buildEventLoop,
	})
}

func buildEventLoop(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
	if !eventloop.Supported {
		return nil, socketserver.Concurrency{}, fmt.Errorf("eventloop: %w (it is written on epoll)", errLinuxOnly)
	}
	st := eventloop.New()
	var err error
	if st.Loops, err = o.IntOpt(optLoops); err != nil {
		return nil, socketserver.Concurrency{}, err
	}
	if st.Offload, err = o.IntOpt(optOffload); err != nil {
		return nil, socketserver.Concurrency{}, err
	}
	if st.MaxQueued, err = o.IntOpt(optMaxQueued); err != nil {
		return nil, socketserver.Concurrency{}, err
	}
	if st.LockThread, err = o.BoolOpt(optLockThread); err != nil {
		return nil, socketserver.Concurrency{}, err
	}
	return st, socketserver.Unbounded, o.Unused(spec.Names(eventloopOptions)...)
}

// New builds a fresh strategy from a spec such as "goroutine" or
// "pool:workers=8,queue=64". Each call returns a new value, for one Server.
func New(specStr string) (socketserver.Strategy, error) {
	s, _, err := Build(specStr)
	return s, err
}

// Build is New that also returns the strategy's concurrency promise.
func Build(specStr string) (socketserver.Strategy, socketserver.Concurrency, error) {
	sp, err := spec.Parse(specStr)
	if err != nil {
		return nil, socketserver.Concurrency{}, fmt.Errorf("strategies: %w", err)
	}
	name := sp.Name
	if a, ok := aliases[name]; ok {
		name = a
	}
	info, ok := registry[name]
	if !ok {
		return nil, socketserver.Concurrency{}, fmt.Errorf("strategies: unknown strategy %q (known: %s)", sp.Name, strings.Join(Names(), ", "))
	}
	st, c, err := info.build(sp)
	if err != nil {
		return nil, socketserver.Concurrency{}, fmt.Errorf("strategies: %s: %w", specStr, err)
	}
	return st, c, nil
}

// Names lists the registered strategy names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// List describes every registered strategy, sorted by name.
func List() []Info {
	var out []Info
	for _, n := range Names() {
		out = append(out, *registry[n])
	}
	return out
}
