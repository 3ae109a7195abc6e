// Package strategies is the registry of concurrency strategies: it builds a
// socketserver.Strategy from a spec string such as "pool:workers=8,queue=64"
// and lists what exists, for command lines and benchmark matrices.
//
// Specs are NAME or NAME:key=value,key=value. Bool options may be given bare
// ("goroutine:daemon"). Unknown names and options are errors that list what
// is allowed.
package strategies

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/spec"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"github.com/gosocketserver/socketserver/strategies/pool"
	stsync "github.com/gosocketserver/socketserver/strategies/sync"
)

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
	build func(opts *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error)
}

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
		Options: []Option{{"daemon", "false", "Shutdown does not wait for running handlers (daemon_threads / block_on_close=False)"}},
		build: func(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
			d, err := o.Bool("daemon", false)
			if err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			return &goroutine.Strategy{Daemon: d}, socketserver.Unbounded, o.Unused("daemon")
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
		build: func(o *spec.Spec) (socketserver.Strategy, socketserver.Concurrency, error) {
			p := &pool.Strategy{}
			var err error
			if p.Workers, err = o.Int("workers", pool.DefaultWorkers, 1); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			if p.Queue, err = o.Int("queue", 0, 0); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			if p.Refuse, err = o.Bool("refuse", false); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			if p.NoWait, err = o.Bool("nowait", false); err != nil {
				return nil, socketserver.Concurrency{}, err
			}
			return p, socketserver.AtMost(p.Workers), o.Unused("workers", "queue", "refuse", "nowait")
		},
	})
}

// New builds a fresh strategy from a spec such as "goroutine" or
// "pool:workers=8,queue=64". Each call returns a new value, for one Server.
func New(specStr string) (socketserver.Strategy, error) {
	s, _, err := Build(specStr)
	return s, err
}

// Build is New that also returns the concurrency the strategy promises.
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
