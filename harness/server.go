package harness

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
)

// A Server is a server under test that serves the seed's protocol
// (handlers.Upper: one line in, the line stripped of ASCII whitespace and
// with a-z upper-cased out, no newline, then close) with the lifecycle of
// a *socketserver.Server, which is one:
//
//   - Serve accepts connections from l and serves them until Shutdown or
//     Close, then returns socketserver.ErrServerClosed (at once when
//     called after either). It must accept from l itself: the suite hands
//     it a wrapper that watches what is accepted.
//   - Shutdown closes l, lets every accepted connection finish, and
//     returns nil; or ctx's error when ctx ends first.
//   - Close closes l and every connection now, and returns once they are
//     released.
//
// An event loop, a process tree or a test fake fits as well: the suite
// sees only this interface and the seed's protocol.
type Server interface {
	Serve(l net.Listener) error
	Shutdown(ctx context.Context) error
	Close() error
}

// MakeServer makes a fresh Server bound to network ("tcp" or "unix") and
// address (a loopback host:port, port 0 for a free one, or a socket path)
// and returns it with its listening socket, not yet served. The suite
// calls it once per server it needs; each call must return a new server.
type MakeServer func(network, address string) (Server, net.Listener, error)

// SeedServer returns a MakeServer of socketserver.Servers serving
// handlers.Upper, each executing with a new Strategy from mk (nil: the
// Server's built-in serial execution), with a backlog of 128 and errors
// logged nowhere (the suite's resets are deliberate).
func SeedServer(mk func() socketserver.Strategy) MakeServer {
	return func(network, address string) (Server, net.Listener, error) {
		srv := &socketserver.Server{
			Network:          network,
			Addr:             address,
			Handler:          handlers.Upper(0, nil),
			Strategy:         mk(),
			RequestQueueSize: 128,
			ErrorLog:         slog.New(slog.DiscardHandler),
		}
		if err := srv.Listen(); err != nil {
			return nil, nil, errors.Join(err, srv.Close())
		}
		return srv, srv.Listener(), nil
	}
}

// ServeSeed serves handlers.Upper with st on 127.0.0.1 (a free port) until
// the test ends, and returns the address. At the end it closes the server
// and requires Serve to have returned socketserver.ErrServerClosed. It is
// the seed server a strategy's black-box test checks.
func ServeSeed(t testing.TB, st socketserver.Strategy) string {
	t.Helper()
	srv, l, err := SeedServer(func() socketserver.Strategy { return st })("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("harness: serving the seed: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("harness: closing the seed server: %v", err)
		}
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Errorf("harness: the seed server's Serve returned %v, want ErrServerClosed", err)
		}
	})
	return l.Addr().String()
}

// ServerCheckNames returns the names of the checks CheckServer runs, in
// order: the checks that make sense for any seed server.
func ServerCheckNames() []string { return nameList(serverChecks()) }

// CheckServer runs the server checks against the servers mk makes, which
// promise concurrency want, and returns nil or a *SuiteError listing every
// failed check. With names, it runs only those checks (an unknown name is
// an error). Each check gets fresh servers from mk on 127.0.0.1 or a Unix
// socket, runs under a watchdog and then must leave no goroutine behind.
//
// CheckServer blocks for several seconds. It measures process-wide
// goroutines and descriptors, so it must not run in parallel with other
// tests; it is safe to call from any goroutine.
func CheckServer(mk MakeServer, want socketserver.Concurrency, names ...string) error {
	return checkAll(serverChecks(), target{mk: mk, p: want}, names)
}

// TestServer runs the server checks as subtests of t, one per check,
// named as ServerCheckNames returns them. It is CheckServer reporting
// through t; see CheckServer for what mk and want mean. Do not call
// t.Parallel in the test that calls it.
func TestServer(t *testing.T, mk MakeServer, want socketserver.Concurrency) {
	t.Helper()
	testAll(t, serverChecks(), target{mk: mk, p: want})
}
