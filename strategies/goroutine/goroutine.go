// Package goroutine is the goroutine-per-connection strategy, Go's idiom and
// the counterpart of Python's ThreadingMixIn: every accepted connection is
// served in a new goroutine, with no cap on how many run at once.
package goroutine

import (
	"context"

	"github.com/gosocketserver/socketserver"
)

// Strategy starts a goroutine per connection. Its zero value waits for them
// on Shutdown (Python's block_on_close=True).
type Strategy struct {
	// Daemon makes Shutdown return without waiting for running handlers,
	// like Python's daemon_threads=True with block_on_close=False. Those
	// goroutines then have no owner waiting for them: use it only when the
	// process is about to exit.
	Daemon bool

	g socketserver.Group
}

// New returns a goroutine-per-connection strategy.
func New() *Strategy { return &Strategy{} }

// Execute starts serve in a new goroutine and returns at once. After
// Shutdown it returns socketserver.ErrStrategyClosed.
func (s *Strategy) Execute(_ context.Context, serve func()) error {
	return s.g.Go(serve)
}

// ExecuteConn serves c in a new goroutine and returns at once, as Execute
// does; the Server calls it instead of Execute (socketserver.ConnStrategy),
// which saves a closure per connection. After Shutdown it returns
// socketserver.ErrStrategyClosed.
func (s *Strategy) ExecuteConn(_ context.Context, c *socketserver.Conn) error {
	if err := s.g.Add(); err != nil {
		return err
	}
	go s.serve(c)
	return nil
}

func (s *Strategy) serve(c *socketserver.Conn) {
	defer s.g.Done()
	c.Serve()
}

// Shutdown refuses further work and, unless Daemon is set, waits until every
// started handler has returned or ctx is done.
func (s *Strategy) Shutdown(ctx context.Context) error {
	s.g.Close()
	if s.Daemon {
		return nil
	}
	return s.g.Wait(ctx)
}
