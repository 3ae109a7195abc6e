// Package harness is the conformance suite for socketserver strategies and
// for any server that speaks the seed's protocol. It is modelled on
// golang.org/x/net/nettest.TestConn and testing/fstest.TestFS: a strategy's
// own package test hands it a maker function and the concurrency it
// promises, and the suite checks exactly that. The harness never imports a
// strategy.
//
// # White-box suite
//
// [TestStrategy] (and [CheckStrategy], which returns an error instead of
// reporting through a *testing.T) runs named checks, each on fresh servers
// with a new Strategy from the maker, each under a watchdog that turns a
// hang into a failure with a goroutine dump, each followed by a check that
// no goroutine was left behind. Timeouts are generous and only bound
// waiting for things that must happen; things that must not happen (a
// probe served beyond the promise) are watched for a fixed window, so a
// slow machine cannot make a correct strategy fail. Run it with -race.
//
// The checks, and the CPython Lib/test/test_socketserver.py tests they
// translate:
//
//	RoundTripTCP         test_TCPServer, test_ThreadingTCPServer: three seed
//	                     exchanges, ListenAddr is the socket's address,
//	                     Shutdown and Close, then connecting fails
//	RoundTripUnix        test_UnixStreamServer, test_ThreadingUnixStreamServer
//	ShutdownRace         test_shutdown: 20 servers shut down just as Serve
//	                     starts; every Serve returns ErrServerClosed
//	CloseUnserved        test_close_immediately, test_context_manager: a
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
//	Bookkeeping          test_threads_reaped: goroutines, descriptors and
//	                     ActiveConns return to their level after 165 clients
//	                     and after 10 HandleRequest calls
//	Capacity             the promise: K silent holders all run at once (K = N,
//	                     or 64 when unbounded); a probe starves when bounded,
//	                     is served when unbounded; the peak never exceeds N
//	GracefulShutdown     8 requests held in their handlers: Shutdown waits
//	                     for them and every accepted one gets its full reply
//	ShutdownDeadline     Shutdown returns context.DeadlineExceeded while a
//	                     handler is stuck; Close then interrupts it
//	CloseInterrupts      Close ends handlers blocked reading a silent client
//	ShutdownFromHandler  Shutdown with the handler's own context does not
//	                     deadlock; Serve returns ErrServerClosed
//	ClientFaults         clients that leave, reset mid-request, reset
//	                     mid-reply; the server keeps serving
//	HugeLine             a 1 MiB line is served in full, like Python
//	ByteByByte           a request written one byte at a time
//	SlowClient           a slowloris client does not stop others from being
//	                     served (serial: after it finishes, not before)
//	AcceptErrors         Accept failing with EMFILE for 300 ms: the server
//	                     backs off (< 50 attempts), logs, and recovers
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
// The white-box checks ClientFaults, HugeLine, ByteByByte and SlowClient
// are its checks, run on a fresh server.
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
package harness
