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

// Concurrency is what a strategy promises about how many connections it
// serves at once.
type Concurrency struct {
	// Max is the number of connections served at once; 0 means unbounded.
	Max int
}

// String returns "serial", "unbounded" or "at most N".
func (c Concurrency) String() string {
	switch c.Max {
	case 0:
		return "unbounded"
	case 1:
		return "serial"
	}
	return fmt.Sprintf("at most %d", c.Max)
}

// An Option documents one option of a strategy.
type Option struct {
	Name, Default, Doc string
}

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
	build func(opts *spec.Spec) (socketserver.Strategy, Concurrency, error)
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
		build: func(o *spec.Spec) (socketserver.Strategy, Concurrency, error) {
			return stsync.New(), Concurrency{Max: 1}, o.Unused()
		},
	})
	register(&Info{
		Name:    "goroutine",
		Python:  "socketserver.ThreadingMixIn",
		Summary: "one goroutine per connection, unbounded",
		Aliases: []string{"threading"},
		Options: []Option{{"daemon", "false", "Shutdown does not wait for running handlers (daemon_threads / block_on_close=False)"}},
		build: func(o *spec.Spec) (socketserver.Strategy, Concurrency, error) {
			d, err := o.Bool("daemon", false)
			if err != nil {
				return nil, Concurrency{}, err
			}
			return &goroutine.Strategy{Daemon: d}, Concurrency{}, o.Unused("daemon")
		},
	})
	register(&Info{
		Name:    "pool",
		Python:  "socketserver.ForkingMixIn (max_children)",
		Summary: "fixed workers and a bounded queue; the accept loop waits when full",
		Options: []Option{
			{"workers", fmt.Sprint(pool.DefaultWorkers), "connections served at once"},
			{"queue", "0", "accepted connections that may wait for a worker"},
			{"refuse", "false", "close and report connections when full instead of waiting"},
			{"nowait", "false", "Shutdown does not wait for the workers (block_on_close=False)"},
		},
		build: func(o *spec.Spec) (socketserver.Strategy, Concurrency, error) {
			p := &pool.Strategy{}
			var err error
			if p.Workers, err = o.Int("workers", pool.DefaultWorkers, 1); err != nil {
				return nil, Concurrency{}, err
			}
			if p.Queue, err = o.Int("queue", 0, 0); err != nil {
				return nil, Concurrency{}, err
			}
			if p.Refuse, err = o.Bool("refuse", false); err != nil {
				return nil, Concurrency{}, err
			}
			if p.NoWait, err = o.Bool("nowait", false); err != nil {
				return nil, Concurrency{}, err
			}
			return p, Concurrency{Max: p.Workers}, o.Unused("workers", "queue", "refuse", "nowait")
		},
	})
}

func init() {
	register(&Info{
		Name:    "eventloop",
		Python:  "asyncio (selector event loop + asyncio.Protocol)",
		Summary: "epoll event loops running message handlers, no goroutine per connection (Linux only)",
		Options: []Option{
			{"loops", "0", "event loops (0 = GOMAXPROCS)"},
			{"offload", "0", "goroutines that run the messages of blocking handlers, in order per connection (0 = on the loops)"},
			{"maxqueued", fmt.Sprint(eventloop.DefaultMaxQueued), "bytes of output queued per connection before reading from it pauses"},
			{"lockthread", "false", "lock each loop to its OS thread"},
		},
		build: buildEventLoop,
	})
}

func buildEventLoop(o *spec.Spec) (socketserver.Strategy, Concurrency, error) {
	if !eventloop.Supported {
		return nil, Concurrency{}, fmt.Errorf("eventloop: %w (it is written on epoll)", errLinuxOnly)
	}
	st := eventloop.New()
	var err error
	if st.Loops, err = o.Int("loops", 0, 0); err != nil {
		return nil, Concurrency{}, err
	}
	if st.Offload, err = o.Int("offload", 0, 0); err != nil {
		return nil, Concurrency{}, err
	}
	if st.MaxQueued, err = o.Int("maxqueued", eventloop.DefaultMaxQueued, 1); err != nil {
		return nil, Concurrency{}, err
	}
	if st.LockThread, err = o.Bool("lockthread", false); err != nil {
		return nil, Concurrency{}, err
	}
	return st, Concurrency{}, o.Unused("loops", "offload", "maxqueued", "lockthread")
}

// New builds a fresh strategy from a spec such as "goroutine" or
// "pool:workers=8,queue=64". Each call returns a new value, for one Server.
func New(specStr string) (socketserver.Strategy, error) {
	s, _, err := Build(specStr)
	return s, err
}

// Build is New that also returns the strategy's concurrency promise.
func Build(specStr string) (socketserver.Strategy, Concurrency, error) {
	sp, err := spec.Parse(specStr)
	if err != nil {
		return nil, Concurrency{}, fmt.Errorf("strategies: %w", err)
	}
	name := sp.Name
	if a, ok := aliases[name]; ok {
		name = a
	}
	info, ok := registry[name]
	if !ok {
		return nil, Concurrency{}, fmt.Errorf("strategies: unknown strategy %q (known: %s)", sp.Name, strings.Join(Names(), ", "))
	}
	st, c, err := info.build(sp)
	if err != nil {
		return nil, Concurrency{}, fmt.Errorf("strategies: %s: %w", specStr, err)
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
