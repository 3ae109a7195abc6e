// Package handlers holds reusable handlers for socketserver servers: the
// seed's two upper-case examples byte for byte as Python answers them, the
// keep-alive "upperlines" protocol with optional CPU-bound or I/O-bound work
// per request, and echo. New builds one from a spec string such as
// "cpu:rounds=1000" for command lines and benchmark matrices.
package handlers

import (
	"errors"
	"fmt"
	"log"
	"sort"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/spec"
)

// An Option documents one option of a handler: its kind, default and, for
// a number, the inclusive range that New enforces. Option.String is the
// line the command's help prints; the registry's options are the one source
// of both the checks and the help.
type Option = spec.Option

// Info describes a registered handler.
type Info struct {
	Name    string
	Summary string
	Options []Option
	build   func(o *spec.Spec, logger *log.Logger) (socketserver.Handler, error)
}

var registry = map[string]*Info{}

func register(i *Info) { registry[i.Name] = i }

// The options of the registered handlers. The bounds keep one connection
// from exhausting the server: echo allocates its buffer per connection
// (10^11 bytes was a fatal out-of-memory), a request's work is bounded so
// that one request cannot hold a worker for minutes.
var (
	optMaxLine = Option{Name: "max-line", Kind: spec.Int, Default: "0",
		Doc: "longest line served (0 = unlimited, as Python)", Min: 0, Max: 1 << 30}
	optRounds = Option{Name: "rounds", Kind: spec.Int, Default: "1000",
		Doc: "SHA-256 rounds per request", Min: 1, Max: 10_000_000}
	optDelay = Option{Name: "delay", Kind: spec.Duration, Default: defaultDelay.String(),
		Doc: "wait per request", Min: 0, Max: int64(time.Minute)}
	optBuf = Option{Name: "buf", Kind: spec.Int, Default: "32768",
		Doc: "read buffer size, allocated per connection", Min: 1, Max: 16 << 20}
	optMessage = Option{Name: "message", Kind: spec.Bool, Default: "false",
		Doc: "run the message-handler form under every strategy (by default only the event loop runs it)"}
	optUpperDelay = Option{Name: "delay", Kind: spec.Duration, Default: "0s",
		Doc: "wait before the reply, like a database call (connection-per-request I/O-bound work)", Min: 0, Max: int64(time.Minute)}
)

func init() {
	register(&Info{
		Name:    "upper",
		Summary: "the seed's StreamRequestHandler: one line, stripped, upper-cased, no newline, then close",
		Options: []Option{optMaxLine, optUpperDelay, optMessage},
		build: func(o *spec.Spec, l *log.Logger) (socketserver.Handler, error) {
			n, err := o.IntOpt(optMaxLine)
			if err != nil {
				return nil, err
			}
			d, err := o.DurationOpt(optUpperDelay)
			if err != nil {
				return nil, err
			}
			var msg *socketserver.MessageHandler
			if d == 0 { // the message form does not wait: it has no delay
				msg = UpperMessage(n, l)
			}
			h, err := forms(o, upper(n, Work{Delay: d}, l), msg)
			return h, errors.Join(err, o.Unused(optMaxLine.Name, optUpperDelay.Name, optMessage.Name))
		},
	})
	register(&Info{
		Name:    "upper-recv",
		Summary: "the seed's BaseRequestHandler: one read of up to 1024 bytes, stripped, upper-cased",
		build: func(o *spec.Spec, l *log.Logger) (socketserver.Handler, error) {
			return UpperRecv(l), o.Unused()
		},
	})
	lines := func(name, summary string, work func(o *spec.Spec) (Work, error), opts ...Option) {
		opts = append([]Option{optMaxLine}, append(opts, optMessage)...)
		register(&Info{
			Name:    name,
			Summary: summary,
			Options: opts,
			build: func(o *spec.Spec, _ *log.Logger) (socketserver.Handler, error) {
				n, err := o.IntOpt(optMaxLine)
				if err != nil {
					return nil, err
				}
				w, err := work(o)
				if err != nil {
					return nil, err
				}
				h, err := forms(o, UpperLines(n, w), UpperLinesMessage(n, w))
				return h, errors.Join(err, o.Unused(spec.Names(opts)...))
			},
		})
	}
	lines("upperlines", "keep-alive: each line answered upper-cased with its newline, until EOF",
		func(*spec.Spec) (Work, error) { return Work{}, nil })
	lines("cpu", "upperlines plus CPU-bound work: rounds of SHA-256 per request",
		func(o *spec.Spec) (Work, error) {
			n, err := o.IntOpt(optRounds)
			return Work{Rounds: n}, err
		}, optRounds)
	lines("sleep", "upperlines plus I/O-bound work: a fixed wait per request, like a database call",
		func(o *spec.Spec) (Work, error) {
			d, err := o.DurationOpt(optDelay)
			return Work{Delay: d}, err
		}, optDelay)
	register(&Info{
		Name:    "echo",
		Summary: "writes back every byte it reads, until EOF",
		Options: []Option{optBuf, optMessage},
		build: func(o *spec.Spec, _ *log.Logger) (socketserver.Handler, error) {
			n, err := o.IntOpt(optBuf)
			if err != nil {
				return nil, err
			}
			h, err := forms(o, Echo(n), EchoMessage(n))
			return h, errors.Join(err, o.Unused(optBuf.Name, optMessage.Name))
		},
	})
}

const defaultDelay = time.Millisecond

// forms is what the registry builds from a handler's two forms: with the
// "message" option the message handler itself, which every strategy runs;
// otherwise the connection handler (a StreamHandler, as Python's
// StreamRequestHandler), which carries its message form for a strategy
// that runs only message handlers (the event loop). msg may be nil when a
// protocol variant has no message form.
func forms(o *spec.Spec, conn socketserver.Handler, msg *socketserver.MessageHandler) (socketserver.Handler, error) {
	message, err := o.BoolOpt(optMessage)
	if err != nil {
		return nil, err
	}
	if msg == nil {
		if message {
			return nil, errors.New("this variant has no message form")
		}
		return conn, nil
	}
	if message {
		return msg, nil
	}
	return &twoForms{Handler: conn, msg: msg}, nil
}

// twoForms is a connection handler that also offers its message form,
// answering byte for byte alike (TestMessageFormsAnswerLikeStreamForms).
type twoForms struct {
	socketserver.Handler
	msg *socketserver.MessageHandler
}

// MessageForm implements socketserver.MessageFormer.
func (h *twoForms) MessageForm() *socketserver.MessageHandler { return h.msg }

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
