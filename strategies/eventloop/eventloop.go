// Package eventloop is the event-loop strategy, the counterpart of
// Python's asyncio (a selector loop driving asyncio.Protocol's
// data_received): a few loops, each one goroutine with one epoll
// descriptor, serve every connection without a goroutine per connection.
//
// It runs message handlers only (a *socketserver.MessageHandler): a loop
// reads whatever has arrived on a ready connection, the handler's split
// function cuts messages out of it, and each message's reply is written
// straight out, with what the socket does not take queued. A handler that
// blocks freezes its loop and every connection on it; set Offload to run
// messages on a bounded pool of goroutines instead, in order per
// connection.
//
// The pieces, as gnet splits them: the engine (engine_linux.go) starts N
// loops and stops them; a loop (loop_linux.go) owns an epoll descriptor,
// a read buffer and its connections; a connection (conn_linux.go) is a
// descriptor with the input of a partial message and the output not yet
// sent. Linux only: elsewhere ServeListener returns ErrUnsupported.
package eventloop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"

	"github.com/gosocketserver/socketserver"
)

// DefaultMaxQueued is the output a connection may have queued before its
// loop stops reading from it, when Strategy.MaxQueued is zero.
const DefaultMaxQueued = 256 << 10

// ErrNotMessageHandler is returned (wrapped) by ServeListener, and so by
// Server.Serve, when the server's Handler has no message form (it is
// neither a *socketserver.MessageHandler nor a socketserver.MessageFormer
// offering one): an event loop cannot run a Handler that blocks on its
// connection.
var ErrNotMessageHandler = errors.New("eventloop: the server's Handler has no message form (a *socketserver.MessageHandler or a socketserver.MessageFormer)")

// Strategy serves connections on event loops. Its zero value runs
// GOMAXPROCS loops, handlers on the loops, and waits on Shutdown for every
// request already read. A Strategy serves one Server; its fields must not
// change once it serves.
type Strategy struct {
	// Loops is the number of event loops; 0 means GOMAXPROCS.
	Loops int
	// Offload, when positive, runs the handler's messages on that many
	// goroutines instead of on the loops, in order per connection: for
	// handlers that block (sleep) or compute long (cpu).
	Offload int
	// MaxQueued is how many bytes of output (or, with Offload, of input
	// waiting for a worker) a connection may have pending before its loop
	// stops reading from it, until the client has read enough
	// (back-pressure); 0 means DefaultMaxQueued.
	MaxQueued int
	// LockThread locks each loop's goroutine to its OS thread.
	LockThread bool

	g       socketserver.Group
	mu      sync.Mutex
	engines []*engine
}

// New returns an event-loop strategy with its defaults.
func New() *Strategy { return &Strategy{} }

func (s *Strategy) loops() int {
	if s.Loops > 0 {
		return s.Loops
	}
	return runtime.GOMAXPROCS(0)
}

func (s *Strategy) maxQueued() int {
	if s.MaxQueued > 0 {
		return s.MaxQueued
	}
	return DefaultMaxQueued
}

// Execute is never called by a Server, since the strategy accepts for
// itself; it refuses.
func (s *Strategy) Execute(context.Context, func()) error {
	return fmt.Errorf("eventloop: Execute: the event loop accepts for itself (use Server.Serve): %w", errors.ErrUnsupported)
}

// ServeListener serves l on the strategy's loops until ctx is done. It
// returns ErrNotMessageHandler (wrapped) at once when the server's
// Handler is not a message handler. Once ctx is done it stops accepting
// and returns; the loops go on until every connection has been answered
// and closed (Shutdown waits for that).
func (s *Strategy) ServeListener(ctx context.Context, l net.Listener, p *socketserver.Pipeline) error {
	var h *socketserver.MessageHandler
	mf, ok := p.Server().Handler.(socketserver.MessageFormer)
	if ok {
		h = mf.MessageForm()
		ok = h != nil
	}
	if !ok {
		return fmt.Errorf("%w (it is %T; use one, such as handlers.UpperMessage)", ErrNotMessageHandler, p.Server().Handler)
	}
	if err := s.g.Add(); err != nil {
		return err
	}
	defer s.g.Done()
	e, err := newEngine(s, h, l, p)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.engines = append(s.engines, e)
	s.mu.Unlock()
	return e.serve(ctx)
}

// Shutdown waits until every loop has answered what it read and closed its
// connections, or ctx is done. Called after the server was closed (Close),
// it makes the loops close every connection now.
func (s *Strategy) Shutdown(ctx context.Context) error {
	s.g.Close()
	if err := s.g.Wait(ctx); err != nil { // ServeListener calls return promptly
		return err
	}
	s.mu.Lock()
	engines := s.engines
	s.mu.Unlock()
	for _, e := range engines {
		if e.serverClosed() {
			e.abort()
		}
	}
	for _, e := range engines {
		if err := e.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Balance returns, for each loop, how many connections it has been given
// so far (by every listener served), to see how evenly they spread.
func (s *Strategy) Balance() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int64
	for _, e := range s.engines {
		for i, n := range e.balance() {
			if i >= len(out) {
				out = append(out, 0)
			}
			out[i] += n
		}
	}
	return out
}
