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

// Strategy serves one connection at a time, in the caller of Execute (the
// accept loop), as Python's TCPServer does. A handler that calls
// runtime.Goexit ends the accept loop's goroutine; the Server reports it
// and starts its accept loop again. Its zero value is ready to use. At
// most one connection is served at once per accept loop; a Server serving
// several listeners runs one serial loop per listener. Called from
// HandleRequest, a Goexit ends the caller's goroutine, as Python's
// SystemExit escapes handle_request.
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
	serve()
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
	c.Serve()
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
