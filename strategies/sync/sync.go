// Package sync is the serial strategy: the accept loop runs each handler
// itself, so the server is deaf while a handler runs, exactly like Python's
// plain socketserver.TCPServer. It is the nil Strategy of a Server made
// explicit, for registries and comparisons.
//
// The package is named after its directory, strategies/sync; import the
// standard library's sync under another name (stdsync) beside it.
package sync

import (
	"context"
	stdsync "sync"

	"github.com/gosocketserver/socketserver"
)

// Strategy serves one connection at a time: the caller of Execute (the
// accept loop) waits for it, run in a goroutine of its own only so that a
// handler calling runtime.Goexit ends that goroutine, not the accept loop
// (see socketserver.RunContained). Its zero value is ready to use. At most one connection is
// served at once per accept loop; a Server serving several listeners runs
// one serial loop per listener.
type Strategy struct {
	mu     stdsync.Mutex
	closed bool
}

// New returns a serial strategy.
func New() *Strategy { return &Strategy{} }

// Execute runs serve before returning. After Shutdown it returns
// socketserver.ErrStrategyClosed without calling serve.
func (s *Strategy) Execute(_ context.Context, serve func()) error {
	if s.isClosed() {
		return socketserver.ErrStrategyClosed
	}
	socketserver.RunContained(serve)
	return nil
}

// ExecuteConn serves c before returning, as Execute does; the Server calls
// it instead of Execute (socketserver.ConnStrategy), which saves a closure
// per connection. After Shutdown it returns socketserver.ErrStrategyClosed
// without serving c.
func (s *Strategy) ExecuteConn(_ context.Context, c *socketserver.Conn) error {
	if s.isClosed() {
		return socketserver.ErrStrategyClosed
	}
	socketserver.RunContained(c.Serve)
	return nil
}

func (s *Strategy) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Shutdown marks the strategy closed. Nothing runs outside the accept loop,
// so there is nothing to wait for.
func (s *Strategy) Shutdown(context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	return nil
}
