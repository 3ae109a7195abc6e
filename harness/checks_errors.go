package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// errDeliberate is what the failing handler returns.
var errDeliberate = errors.New("harness: deliberate handler error")

// faulty is the seed's handler, except that the line "fail" makes it write
// "partial" and return errDeliberate, and "panic" makes it panic.
var faulty = &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
	line, err := s.ReadLine()
	if err != nil {
		return err
	}
	switch data := handlers.Strip(line); string(data) {
	case "fail":
		_, _ = s.W.WriteString("partial")
		return errDeliberate
	case "panic":
		panic("harness: deliberate handler panic")
	default:
		_, err = s.W.Write(handlers.UpperInPlace(data))
		return err
	}
}}

// checkHandlerError is ErrorHandlerTest's *_handled tests: a handler error
// reaches HandleError exactly once per request, the client sees what was
// written and an orderly close, and the server goes on serving.
func checkHandlerError(e *env) error {
	return handlerFault(e, "fail", []byte("partial"), func(err error) bool { return errors.Is(err, errDeliberate) })
}

// checkHandlerPanic: a panicking handler is recovered and reported to
// HandleError exactly once as a *socketserver.PanicError; the server goes on.
func checkHandlerPanic(e *env) error {
	return handlerFault(e, "panic", nil, func(err error) bool {
		var pe *socketserver.PanicError
		return errors.As(err, &pe) && fmt.Sprint(pe.Value) == "harness: deliberate handler panic"
	})
}

func handlerFault(e *env, line string, reply []byte, match func(error) bool) error {
	s, err := e.newServer(config{handler: faulty})
	if err != nil {
		return err
	}
	for i := 1; i <= 2; i++ {
		if err := seedclient.ExpectReply(e.ctx, "tcp", s.addr, []byte(line+"\n"), reply); err != nil {
			return fmt.Errorf("faulty request %d: %w", i, err)
		}
		if !seedclient.Eventually(seedclient.Settle, func() bool { return len(s.handlerErrors()) >= i }) {
			return fmt.Errorf("faulty request %d was not reported to HandleError", i)
		}
		if err := seedclient.RoundTrips(e.ctx, "tcp", s.addr, 1); err != nil {
			return fmt.Errorf("after faulty request %d the server stopped serving: %w", i, err)
		}
	}
	time.Sleep(50 * time.Millisecond) // a duplicate report would show now
	errs := s.handlerErrors()
	if len(errs) != 2 {
		return fmt.Errorf("HandleError called %d times for 2 faulty requests: %v", len(errs), errs)
	}
	for _, err := range errs {
		if !match(err) {
			return fmt.Errorf("HandleError got %v, not the handler's %s", err, line)
		}
	}
	return nil
}

// checkVerifyFalse is test_shutdown_request_called_if_verify_request_false:
// a connection VerifyRequest rejects is shut down exactly once (one
// CloseWrite, one Close), never reaches the handler or HandleError, and the
// client sees an orderly close with no data; the server goes on serving.
func checkVerifyFalse(e *env) error {
	var reject atomic.Bool
	reject.Store(true)
	var g gauge
	s, err := e.newServer(config{
		handler: counted(&g, handlers.Upper(0, nil)),
		tweak: func(srv *socketserver.Server) {
			srv.VerifyRequest = func(context.Context, net.Conn) bool { return !reject.Load() }
		},
	})
	if err != nil {
		return err
	}
	c, err := seedclient.Dial(e.ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := seedclient.ExpectEOF(c, seedclient.ReplyTimeout); err != nil {
		return fmt.Errorf("client of a rejected connection: %w", err)
	}
	reject.Store(false)
	if err := seedclient.RoundTrips(e.ctx, "tcp", s.addr, 1); err != nil {
		return fmt.Errorf("after a rejected connection: %w", err)
	}
	if err := s.shutdown(seedclient.ReplyTimeout); err != nil {
		return err
	}
	conns := s.ln.acceptedConns()
	if len(conns) != 2 {
		return fmt.Errorf("the listener accepted %d connections, want 2", len(conns))
	}
	if cl, cw := conns[0].closes.Load(), conns[0].closeWrites.Load(); cl != 1 || cw != 1 {
		return fmt.Errorf("rejected connection: Close called %d times, CloseWrite %d times; want exactly one shutdown (1 and 1)", cl, cw)
	}
	if _, _, entered, _ := g.read(); entered != 1 {
		return fmt.Errorf("the handler ran %d times, want once (not for the rejected connection)", entered)
	}
	if errs := s.handlerErrors(); len(errs) != 0 {
		return fmt.Errorf("HandleError called for a rejected connection: %v", errs)
	}
	return nil
}

// checkStreamWrite is SocketWriterTest.test_write: with the default
// (unbuffered) writer, a handler's write reaches the client before the
// handler reads, and a large write is sent in full.
func checkStreamWrite(e *env) error {
	const big = 4 << 20
	var mu sync.Mutex
	var sent1, sent2 int
	var received []byte
	h := &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
		n, err := s.W.WriteString("write data\n")
		if err != nil {
			return err
		}
		line, err := s.ReadLine()
		if err != nil {
			return err
		}
		mu.Lock()
		sent1, received = n, append([]byte(nil), line...)
		mu.Unlock()
		n, err = s.W.Write(make([]byte, big))
		mu.Lock()
		sent2 = n
		mu.Unlock()
		return err
	}}
	s, err := e.newServer(config{handler: h})
	if err != nil {
		return err
	}
	c, err := seedclient.Dial(e.ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	first := make([]byte, len("write data\n"))
	_ = c.SetReadDeadline(time.Now().Add(seedclient.ReplyTimeout))
	if _, err := seedclient.ReadFull(c, first); err != nil {
		return fmt.Errorf("the handler's first write did not arrive before it read (is the writer unbuffered?): %w", err)
	}
	if string(first) != "write data\n" {
		return fmt.Errorf("first write %q, want %q", first, "write data\n")
	}
	if _, err := c.Write([]byte("client response\n")); err != nil {
		return err
	}
	rest, err := seedclient.ReadAll(c, seedclient.ReplyTimeout)
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	switch {
	case sent1 != len(first):
		return fmt.Errorf("first Write returned %d, want %d", sent1, len(first))
	case string(received) != "client response\n":
		return fmt.Errorf("the handler read %q, want %q", received, "client response\n")
	case sent2 != big || len(rest) != big || !bytes.Equal(rest, make([]byte, big)):
		return fmt.Errorf("large write: Write returned %d, the client received %d bytes, want %d of zeros", sent2, len(rest), big)
	}
	return nil
}

// flakyListener fails every Accept with EMFILE until a deadline, counting
// the calls made meanwhile.
type flakyListener struct {
	net.Listener
	until time.Time
	calls atomic.Int64
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if time.Now().Before(l.until) {
		l.calls.Add(1)
		time.Sleep(time.Millisecond) // a real failing accept is not free either
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// checkAcceptErrors: while Accept fails with EMFILE for 300 ms, the server
// backs off (fewer than 50 attempts), logs the error to ErrorLog, and then
// serves again.
func checkAcceptErrors(e *env) error {
	const window = 300 * time.Millisecond
	var fl *flakyListener
	s, err := e.newServer(config{wrap: func(l net.Listener) net.Listener {
		fl = &flakyListener{Listener: l, until: time.Now().Add(window)}
		return fl
	}})
	if err != nil {
		return err
	}
	time.Sleep(window)
	if err := seedclient.RoundTrips(e.ctx, "tcp", s.addr, 1); err != nil {
		return fmt.Errorf("after %v of EMFILE from Accept: %w", window, err)
	}
	n := fl.calls.Load()
	if n >= 50 {
		return fmt.Errorf("Accept was called %d times in %v of EMFILE: the accept loop spins instead of backing off", n, window)
	}
	if n < 2 {
		return fmt.Errorf("Accept was called %d times in %v of EMFILE: the loop did not retry", n, window)
	}
	if log := s.log.String(); !strings.Contains(log, "too many open files") {
		return fmt.Errorf("the accept error was not logged to ErrorLog; log: %q", log)
	}
	return nil
}
