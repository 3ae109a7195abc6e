// Package handlers holds reusable handlers for socketserver servers: the
// seed's two upper-case examples byte for byte as Python answers them, the
// keep-alive "upperlines" protocol with optional CPU-bound or I/O-bound work
// per request, and echo. New builds one from a spec string such as
// "cpu:rounds=1000" for command lines and benchmark matrices.
package handlers

import (
	"fmt"
	"log"
	"sort"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/spec"
)

// Info describes a registered handler.
type Info struct {
	Name    string
	Summary string
	Options []string // "name=default: doc"
	build   func(o *spec.Spec, logger *log.Logger) (socketserver.Handler, error)
}

var registry = map[string]*Info{}

func register(i *Info) { registry[i.Name] = i }

func init() {
	register(&Info{
		Name:    "upper",
		Summary: "the seed's StreamRequestHandler: one line, stripped, upper-cased, no newline, then close",
		Options: []string{"max-line=0: longest line served (0 = unlimited, as Python)",
			"delay=0: wait before the reply, like a database call (connection-per-request I/O-bound work)"},
		build: func(o *spec.Spec, l *log.Logger) (socketserver.Handler, error) {
			n, err := o.Int("max-line", 0, 0)
			if err != nil {
				return nil, err
			}
			d, err := o.Duration("delay", 0)
			if err != nil {
				return nil, err
			}
			return upper(n, Work{Delay: d}, l), o.Unused("max-line", "delay")
		},
	})
	register(&Info{
		Name:    "upper-recv",
		Summary: "the seed's BaseRequestHandler: one read of up to 1024 bytes, stripped, upper-cased",
		build: func(o *spec.Spec, l *log.Logger) (socketserver.Handler, error) {
			return UpperRecv(l), o.Unused()
		},
	})
	lines := func(name, summary string, work func(o *spec.Spec) (Work, error), opts ...string) {
		register(&Info{
			Name:    name,
			Summary: summary,
			Options: append([]string{"max-line=0: longest line served (0 = unlimited)"}, opts...),
			build: func(o *spec.Spec, _ *log.Logger) (socketserver.Handler, error) {
				n, err := o.Int("max-line", 0, 0)
				if err != nil {
					return nil, err
				}
				w, err := work(o)
				if err != nil {
					return nil, err
				}
				allowed := []string{"max-line"}
				for _, opt := range opts {
					k, _, _ := strings.Cut(opt, "=")
					allowed = append(allowed, k)
				}
				return UpperLines(n, w), o.Unused(allowed...)
			},
		})
	}
	lines("upperlines", "keep-alive: each line answered upper-cased with its newline, until EOF",
		func(*spec.Spec) (Work, error) { return Work{}, nil })
	lines("cpu", "upperlines plus CPU-bound work: rounds of SHA-256 per request",
		func(o *spec.Spec) (Work, error) {
			n, err := o.Int("rounds", 1000, 1)
			return Work{Rounds: n}, err
		}, "rounds=1000: SHA-256 rounds per request")
	lines("sleep", "upperlines plus I/O-bound work: a fixed wait per request, like a database call",
		func(o *spec.Spec) (Work, error) {
			d, err := o.Duration("delay", defaultDelay)
			return Work{Delay: d}, err
		}, "delay=1ms: wait per request")
	register(&Info{
		Name:    "echo",
		Summary: "writes back every byte it reads, until EOF",
		Options: []string{"buf=32768: read buffer size"},
		build: func(o *spec.Spec, _ *log.Logger) (socketserver.Handler, error) {
			n, err := o.Int("buf", 32<<10, 1)
			if err != nil {
				return nil, err
			}
			return Echo(n), o.Unused("buf")
		},
	})
}

const defaultDelay = time.Millisecond

// New builds a handler from a spec such as "upper", "cpu:rounds=1000" or
// "sleep:delay=5ms". logger, if not nil, receives the seed handlers'
// per-request lines; the others ignore it.
func New(specStr string, logger *log.Logger) (socketserver.Handler, error) {
	sp, err := spec.Parse(specStr)
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	info, ok := registry[sp.Name]
	if !ok {
		return nil, fmt.Errorf("handlers: unknown handler %q (known: %s)", sp.Name, strings.Join(Names(), ", "))
	}
	h, err := info.build(sp, logger)
	if err != nil {
		return nil, fmt.Errorf("handlers: %s: %w", specStr, err)
	}
	return h, nil
}

// Names lists the registered handler names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// List describes every registered handler, sorted by name.
func List() []Info {
	var out []Info
	for _, n := range Names() {
		out = append(out, *registry[n])
	}
	return out
}
