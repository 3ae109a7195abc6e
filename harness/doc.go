// Package harness is the conformance suite for socketserver strategies and
// for any server that speaks the seed's protocol. It is modelled on
// golang.org/x/net/nettest.TestConn and testing/fstest.TestFS: a strategy's
// own package test hands it a maker function and the concurrency it
// promises ([socketserver.Concurrency]), and the suite checks exactly that. The harness never imports a
// strategy.
//
// # Two entry points
//
// [TestServer] (and [CheckServer], which returns an error instead of
// reporting through a *testing.T) is handed a [MakeServer], as
// x/net/nettest is handed a pipe maker: anything that serves the seed's
// protocol with Serve, Shutdown and Close — a socketserver.Server, an event
// loop, a process tree, a fake — gets one verdict on the checks that make
// sense for any seed server (marked S below), lifecycle included.
// [TestStrategy] (and [CheckStrategy]) is a thin wrapper for strategies: it
// builds a socketserver.Server per server with a new Strategy from its
// maker and runs the same checks, plus those that need a handler or a
// Server field of their own. [SeedServer] makes a MakeServer of a strategy;
// [ServeSeed] serves the seed with a strategy for a test.
//
// Each check runs on fresh servers, under a watchdog that turns a hang
// into a failure with a goroutine dump, and is followed by a check that no
// goroutine was left behind. Timeouts are generous and only bound waiting
// for things that must happen; things that must not happen (a probe served
// beyond the promise) are watched for a fixed window, so a slow machine
// cannot make a correct server fail. Run it with -race. A serial promise
// says how many connections are served at once, not which goroutine
// serves them.
//
// The checks, and the CPython Lib/test/test_socketserver.py tests they
// translate:
//
//	RoundTripTCP       S test_TCPServer, test_ThreadingTCPServer: three seed
//	                     exchanges (a Server's ListenAddr is the socket's
//	                     address), Shutdown and Close, then connecting fails
//	RoundTripUnix      S test_UnixStreamServer, test_ThreadingUnixStreamServer
//	ShutdownRace       S test_shutdown: 20 servers shut down just as Serve
//	                     starts; every Serve returns ErrServerClosed
//	CloseUnserved      S test_close_immediately, test_context_manager: a
//	                     server closed without serving releases its
//	                     descriptor, refuses clients, and Serve returns at once
//	BindLeak             test_tcpserver_bind_leak: 1024 failed binds (address
//	                     in use, port out of range) leave the descriptor
//	                     count flat
//	HandlerError         ErrorHandlerTest.test_sync_handled and
//	                     test_threading_handled: an error reaches HandleError
//	                     exactly once, the server keeps serving
//	HandlerPanic         the same for a panic, reported as a *PanicError
//	VerifyRequestFalse   test_shutdown_request_called_if_verify_request_false:
//	                     exactly one shutdown (CloseWrite, Close), the client
//	                     reads EOF with no data, the handler never runs
//	StreamWrite          SocketWriterTest.test_write: unbuffered writes go out
//	                     at once; a 4 MiB write arrives in full
//	Bookkeeping        S test_threads_reaped: goroutines, descriptors (and a
//	                     Server's ActiveConns) return to their level after
//	                     165 clients, and for a Server after 10 HandleRequest
//	                     calls
//	Capacity           S the promise: K silent holders (K = N, or 64 when
//	                     unbounded) make a probe starve when bounded, not
//	                     when unbounded; with N-1 holders it is served. For a
//	                     strategy, all K run in handlers at once and the peak
//	                     never exceeds N
//	GracefulShutdown   S 8 clients each send part of a request: Shutdown
//	                     closes the listener and waits for them, and every
//	                     accepted one gets its full reply; Serve returns
//	                     ErrServerClosed
//	ShutdownDeadline   S Shutdown returns context.DeadlineExceeded while a
//	                     request is in flight (for a strategy, a handler
//	                     stuck on its context); Close then ends it
//	CloseInterrupts    S Close ends a connection in the middle of a request
//	                     (for a strategy, also handlers blocked reading a
//	                     silent client or waiting on their context)
//	ShutdownFromHandler  Shutdown with the handler's own context does not
//	                     deadlock; Serve returns ErrServerClosed
//	OddBytes           S Python's strip and upper: ASCII only, bytes kept
//	NoNewlineHalfClose S a line without newline, then a half-close, is served
//	Burst              S 20 clients at once are all served
//	ClientFaults       S clients that leave, reset mid-request, reset
//	                     mid-reply; the server keeps serving
//	HugeLine           S a 1 MiB line is served in full, like Python
//	ByteByByte         S a request written one byte at a time
//	SlowClient         S a slowloris client does not stop others from being
//	                     served (serial: after it finishes, not before)
//	AcceptErrors         Accept failing with EMFILE for 300 ms: the server
//	                     backs off (< 50 attempts), logs, and recovers
//
// The client-side checks (OddBytes to SlowClient, and Capacity for a
// server) are the black-box checker's, run on a fresh server.
//
// Not translated: the datagram and forking tests (UDP and processes are out
// of this toolkit's scope), the *_not_handled tests (Go has no SystemExit:
// a panic is always recovered and reported), SocketWriterTest.test_basics
// (wfile's Python type), and MiscTestCase.test_all (__all__).
//
// # Black-box mode
//
// Package [github.com/gosocketserver/socketserver/harness/blackbox] checks
// any address that speaks the seed's protocol (Python's own socketserver
// passes it too); "sockbench conform" is its command line. It imports
// neither testing nor goleak, so the measured binary does not link them.
//
// # Using the suite
//
// A strategy package runs the suite from a test file, say conform_test.go:
//
//	package mystrategy_test
//
//	import (
//		"testing"
//
//		"github.com/gosocketserver/socketserver"
//		"github.com/gosocketserver/socketserver/harness"
//		"example.com/mystrategy"
//		"go.uber.org/goleak"
//	)
//
//	func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
//
//	func TestConformance(t *testing.T) {
//		harness.TestStrategy(t, func() socketserver.Strategy {
//			return mystrategy.New(4)
//		}, socketserver.AtMost(4))
//	}
//
// Anything else that serves the seed's protocol runs the server checks
// with a maker of its own:
//
//	func TestConformance(t *testing.T) {
//		harness.TestServer(t, func(network, address string) (harness.Server, net.Listener, error) {
//			l, err := net.Listen(network, address)
//			if err != nil {
//				return nil, nil, err
//			}
//			return myloop.New(), l, nil
//		}, socketserver.Unbounded)
//	}
package harness
