package socketserver

import (
	"context"
	"fmt"
	"net"
)

// A Strategy decides how one accepted connection is executed, the way a
// Python mix-in overrides process_request. It knows nothing of protocols:
// accepting, verification and error reporting stay in the Server.
//
// A Strategy value serves a single Server; its methods must be safe for
// concurrent use, because a Server may Serve several listeners at once.
//
// A Strategy may also implement one of two optional interfaces, which the
// Server detects the way io.Copy detects io.WriterTo: [ConnStrategy], to be
// handed each accepted connection itself rather than a function that runs
// the Handler in this process, and [ListenerStrategy], to own accepting on
// the listener. Any Strategy may also be a [CheckedStrategy], checked
// before the Server accepts.
type Strategy interface {
	// Execute arranges for serve to be called exactly once, now or later, in
	// any goroutine, and returns nil; or it returns an error without ever
	// calling serve (the server then reports the error and closes the
	// connection unserved). Execute may block to apply back-pressure to the
	// accept loop (a full pool); it must return when ctx, which the server
	// cancels in Close, is done.
	Execute(ctx context.Context, serve func()) error

	// Shutdown is called once no more Execute calls will be made (and again
	// by Close if an earlier Shutdown did not finish). It releases the
	// strategy's resources and, unless its options say not to (Python's
	// block_on_close=False), waits until every serve it started has
	// returned or ctx is done, returning ctx.Err() in that case.
	Shutdown(ctx context.Context) error
}

// A ConnStrategy is a Strategy that takes each accepted connection itself,
// for example to pass its descriptor to a child process that serves it
// (Python's ForkingMixIn). For such a strategy the Server calls ExecuteConn
// instead of Execute, for every accept path; verification, tracking, error
// reporting and the final close stay in the Server.
type ConnStrategy interface {
	Strategy
	// ExecuteConn arranges for exactly one of c.Serve (run the Handler in
	// this process) or c.Finish (it was served elsewhere) to be called, now
	// or later, in any goroutine, and returns nil; or it returns an error
	// having called neither (the server then reports the error and closes
	// c unserved). Like Execute, it may block for back-pressure and must
	// return when ctx, which the server cancels in Close, is done. Shutdown
	// must wait for every c it took, as it waits for serve functions.
	ExecuteConn(ctx context.Context, c *Conn) error
}

// A ListenerStrategy is a Strategy that owns accepting on the server's
// listener: an event loop that accepts in its own poller, pre-forked
// processes that share the listening socket, or a group of SO_REUSEPORT
// sockets. When the Strategy implements it, [Server.Serve] calls
// ServeListener instead of running its own accept loop, and Execute is not
// called. The Server keeps binding and activating the socket, the lifecycle
// and error reporting: Shutdown and Close count a running ServeListener as
// an accept loop, close l, and then call the strategy's Shutdown.
type ListenerStrategy interface {
	Strategy
	// ServeListener accepts on l (or has other processes accept on it)
	// until ctx is done, which happens when Shutdown or Close begins, and
	// then returns nil; or it returns the error that stopped it. Each
	// connection accepted in this process must enter through p.Admit and
	// the Conn it returns be served exactly once. ServeListener must not
	// close l (the Server does) and must return promptly once ctx is done;
	// connections admitted by then are waited for by the strategy's
	// Shutdown, and must not be dropped.
	ServeListener(ctx context.Context, l net.Listener, p *Pipeline) error
}

// A CheckedStrategy is a Strategy that can tell, before anything is
// accepted, that it cannot serve: one whose handlers run in other
// processes and that was not told which handler they must build. Serve,
// ServePacket and HandleRequest call Check before accepting (or reading a
// datagram) and return its error (wrapped) without doing so, so a
// misconfigured server fails where it starts rather than at its first
// client.
type CheckedStrategy interface {
	Strategy
	// Check returns why the strategy cannot execute connections, or nil.
	// It must not block; the Server may call it more than once.
	Check() error
}

// checkStrategy returns the wrapped error of a CheckedStrategy's Check.
func checkStrategy(st Strategy) error {
	c, ok := st.(CheckedStrategy)
	if !ok {
		return nil
	}
	if err := c.Check(); err != nil {
		return fmt.Errorf("socketserver: strategy %T cannot serve: %w", st, err)
	}
	return nil
}

// inline is the strategy of a Server whose Strategy is nil: the accept loop
// runs the handler itself, as Python's plain TCPServer does (a Goexit in
// the handler ends the accept loop's goroutine, which Serve starts again).
type inline struct{}

func (inline) Execute(_ context.Context, serve func()) error { serve(); return nil }
func (inline) Shutdown(context.Context) error                { return nil }

// RunContained calls f in a new goroutine and waits for it, so that f
// calling runtime.Goexit ends that goroutine, not the caller's. It reports
// whether f returned normally. A worker that must survive handlers it runs
// in its own goroutine (a test's one-worker strategy) can use it; the
// Server's serial accept loop does not need to, since Serve restarts it.
func RunContained(f func()) (returned bool) {
	done := make(chan bool, 1)
	go func() {
		ok := false
		defer func() { done <- ok }()
		f()
		ok = true
	}()
	return <-done
}
