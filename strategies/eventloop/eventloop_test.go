//go:build linux

package eventloop_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/blackbox"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
)

// variants are the configurations every behaviour test runs on.
var variants = []struct {
	name string
	mk   func() *eventloop.Strategy
}{
	{"loops=1", func() *eventloop.Strategy { return &eventloop.Strategy{Loops: 1} }},
	{"loops=3", func() *eventloop.Strategy { return &eventloop.Strategy{Loops: 3} }},
	{"offload=2", func() *eventloop.Strategy { return &eventloop.Strategy{Loops: 2, Offload: 2} }},
	{"lockthread", func() *eventloop.Strategy { return &eventloop.Strategy{Loops: 2, LockThread: true} }},
}

func TestSeedRoundTrip(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			s := serve(t, handlers.UpperMessage(0, nil), v.mk(), nil)
			for i := range 5 {
				if got, want := roundTrip(t, "tcp", s.addr, fmt.Sprintf(" hello world with TCP %d\n", i)), fmt.Sprintf("HELLO WORLD WITH TCP %d", i); got != want {
					t.Fatalf("reply %q, want %q", got, want)
				}
			}
			if err := shutdown(s); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUnixSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "el")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "s")
	s := serve(t, handlers.UpperMessage(0, nil), eventloop.New(), func(srv *socketserver.Server) {
		srv.Network, srv.Addr = "unix", path
	})
	if got := roundTrip(t, "unix", path, "unix\n"); got != "UNIX" {
		t.Fatalf("reply %q", got)
	}
	if err := shutdown(s); err != nil {
		t.Fatal(err)
	}
}

// TestConformanceBlackBox runs the protocol-level checks (the ones
// sockbench conform runs) against the seed served on the event loop.
func TestConformanceBlackBox(t *testing.T) {
	for _, v := range variants[:3] {
		t.Run(v.name, func(t *testing.T) {
			s := serve(t, handlers.UpperMessage(0, nil), v.mk(), nil)
			for _, r := range blackbox.CheckAddr(context.Background(), "tcp", s.addr, socketserver.Unbounded, blackbox.AddrOptions{}) {
				if !r.Pass {
					t.Error(r)
				}
			}
		})
	}
}

func TestNotAMessageHandler(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.Upper(0, nil), Strategy: eventloop.New()}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	err := srv.Serve(srv.Listener())
	if !errors.Is(err, eventloop.ErrNotMessageHandler) || !strings.Contains(err.Error(), "*socketserver.StreamHandler") {
		t.Fatalf("Serve with a StreamHandler: %v, want ErrNotMessageHandler naming the type", err)
	}
}

// TestFraming sends messages cut in every way across reads: partial
// messages, several in one write, byte by byte, a last one without a
// newline before the half-close.
func TestFraming(t *testing.T) {
	tests := []struct {
		name   string
		chunks []string
	}{
		{"partial across reads", []string{"ab", "c\nde", "f\n", "g", "h\n"}},
		{"pipelined in one write", []string{"one\ntwo\nthree\nfour\n"}},
		{"byte by byte", strings.Split("by\nte\n", "")},
		{"tail at half-close", []string{"x\ntail"}},
		{"long line", []string{strings.Repeat("z", 300<<10) + "\n", "after\n"}},
	}
	for _, v := range variants {
		s := serve(t, upperLines(), v.mk(), nil)
		for _, tt := range tests {
			t.Run(v.name+"/"+tt.name, func(t *testing.T) {
				c := dial(t, "tcp", s.addr)
				go func() {
					for _, ch := range tt.chunks {
						if _, err := io.WriteString(c, ch); err != nil {
							return
						}
						time.Sleep(2 * time.Millisecond)
					}
					c.(*net.TCPConn).CloseWrite()
				}()
				got, err := io.ReadAll(c)
				if err != nil {
					t.Fatal(err)
				}
				want := strings.ToUpper(strings.Join(tt.chunks, ""))
				if string(got) != want {
					t.Fatalf("reply %.60q (%d bytes), want %.60q (%d bytes)", got, len(got), want, len(want))
				}
			})
		}
	}
}

// TestBalance: connections are dealt round-robin, so N*k connections give
// each of N loops exactly k.
func TestBalance(t *testing.T) {
	st := &eventloop.Strategy{Loops: 4}
	s := serve(t, handlers.UpperMessage(0, nil), st, nil)
	for range 40 {
		if got := roundTrip(t, "tcp", s.addr, "x\n"); got != "X" {
			t.Fatalf("reply %q", got)
		}
	}
	if diff := cmp.Diff([]int64{10, 10, 10, 10}, st.Balance()); diff != "" {
		t.Errorf("connections per loop (-want +got):\n%s", diff)
	}
}

// bigReplies answers every line with size bytes and counts the lines.
func bigReplies(size int, n *atomic.Int64) *socketserver.MessageHandler {
	reply := []byte(strings.Repeat("r", size))
	return &socketserver.MessageHandler{Message: func(c *socketserver.MessageConn, msg []byte) error {
		n.Add(1)
		_, err := c.Write(reply)
		return err
	}}
}

// TestBackPressure: a client that sends many requests and reads nothing
// makes its loop stop reading from it once MaxQueued bytes of replies wait,
// instead of queueing every reply; once it reads, it gets them all.
func TestBackPressure(t *testing.T) {
	const (
		lines     = 400
		replySize = 64 << 10
	)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			var handled atomic.Int64
			st := v.mk()
			st.MaxQueued = replySize
			s := serve(t, bigReplies(replySize, &handled), st, nil)
			c := dial(t, "tcp", s.addr)
			_ = c.SetDeadline(time.Now().Add(4 * replyTimeout))
			// A fixed receive buffer: the kernel would otherwise grow it
			// to tens of MiB, and hold that many replies for the client.
			_ = c.(*net.TCPConn).SetReadBuffer(128 << 10)
			if _, err := io.WriteString(c, strings.Repeat("q\n", lines)); err != nil {
				t.Fatal(err)
			}
			// Wait until the count stops moving: the loop has paused.
			last := int64(-1)
			eventually(replyTimeout, func() bool {
				time.Sleep(50 * time.Millisecond)
				n := handled.Load()
				stable := n == last
				last = n
				return stable
			})
			// Without the bound all 400 replies (25 MiB) would be queued;
			// with it, only what the socket buffers hold (at most 4 MiB of
			// send buffer here, 128 KiB of receive buffer) plus MaxQueued
			// has been answered.
			if n := handled.Load(); n >= lines/2 {
				t.Fatalf("%d of %d requests answered while the client read nothing: reading did not pause", n, lines)
			}
			got, err := io.CopyN(io.Discard, c, lines*replySize)
			if err != nil || got != lines*replySize {
				t.Fatalf("after reading resumed: %d of %d bytes, %v", got, lines*replySize, err)
			}
		})
	}
}

// gated answers a line at once, except "wait", which signals entered (if
// not nil) and blocks until the gate opens (or the server closes).
func gated(gate <-chan struct{}, entered chan<- struct{}) *socketserver.MessageHandler {
	return &socketserver.MessageHandler{Message: func(c *socketserver.MessageConn, msg []byte) error {
		if string(msg) == "wait\n" {
			if entered != nil {
				entered <- struct{}{}
			}
			select {
			case <-gate:
			case <-c.Context().Done():
				return c.Context().Err()
			}
		}
		_, err := c.Write(handlers.UpperInPlace(msg))
		return err
	}}
}

// TestBlockingHandlerFreezesLoopUnlessOffload: on one loop, a handler that
// blocks holds up every other connection; with Offload the others are
// served meanwhile.
func TestBlockingHandlerFreezesLoopUnlessOffload(t *testing.T) {
	for _, offload := range []int{0, 2} {
		t.Run(fmt.Sprintf("offload=%d", offload), func(t *testing.T) {
			gate, entered := make(chan struct{}), make(chan struct{}, 1)
			s := serve(t, gated(gate, entered), &eventloop.Strategy{Loops: 1, Offload: offload}, nil)
			blocker := dial(t, "tcp", s.addr)
			io.WriteString(blocker, "wait\n")
			select {
			case <-entered: // the handler blocks now
			case <-time.After(replyTimeout):
				t.Fatal("the blocking request did not reach the handler")
			}
			other := dial(t, "tcp", s.addr)
			io.WriteString(other, "other\n")
			_ = other.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			buf := make([]byte, 16)
			n, err := io.ReadFull(other, buf[:6])
			switch {
			case offload == 0 && err == nil:
				t.Fatalf("another connection was served (%q) while the only loop ran a blocking handler", buf[:n])
			case offload > 0 && err != nil:
				t.Fatalf("with offload, another connection was not served while a handler blocked: %v", err)
			}
			close(gate)
			_ = other.SetReadDeadline(time.Now().Add(replyTimeout))
			if _, err := io.ReadFull(other, buf[n:6]); err != nil || string(buf[:6]) != "OTHER\n" {
				t.Fatalf("after the gate opened: %q, %v", buf[:6], err)
			}
			r := bufio.NewReader(blocker)
			if got := readLine(t, r); got != "WAIT\n" {
				t.Fatalf("blocked request answered %q", got)
			}
		})
	}
}

// TestOffloadKeepsOrder: messages of one connection run on several
// workers with varying delays but are answered in order.
func TestOffloadKeepsOrder(t *testing.T) {
	var calls atomic.Int64
	h := &socketserver.MessageHandler{Message: func(c *socketserver.MessageConn, msg []byte) error {
		time.Sleep(time.Duration(calls.Add(1)%3) * time.Millisecond)
		_, err := c.Write(msg)
		return err
	}}
	s := serve(t, h, &eventloop.Strategy{Loops: 2, Offload: 4}, nil)
	var wg sync.WaitGroup
	for k := range 4 {
		wg.Go(func() {
			c := dial(t, "tcp", s.addr)
			var want strings.Builder
			for i := range 100 {
				fmt.Fprintf(&want, "%d-%d\n", k, i)
			}
			go func() {
				for _, line := range strings.SplitAfter(want.String(), "\n") {
					io.WriteString(c, line)
				}
				c.(*net.TCPConn).CloseWrite()
			}()
			got, err := io.ReadAll(c)
			if err != nil || string(got) != want.String() {
				t.Errorf("connection %d: replies out of order or lost (%v):\n%.200q\nwant\n%.200q", k, err, got, want.String())
			}
		})
	}
	wg.Wait()
}

// faulty fails on "fail" (after writing "partial"), panics on "panic",
// and answers anything else upper-cased.
var errDeliberate = errors.New("deliberate")

func faulty() *socketserver.MessageHandler {
	return &socketserver.MessageHandler{Message: func(c *socketserver.MessageConn, msg []byte) error {
		switch string(handlers.Strip(msg)) {
		case "fail":
			c.Write([]byte("partial"))
			return errDeliberate
		case "panic":
			panic("deliberate panic")
		}
		_, err := c.Write(handlers.UpperInPlace(msg))
		return err
	}}
}

// TestHandlerFaults: an error or a panic is reported once, ends only its
// connection (the client sees what was written, then the close), and the
// loop goes on serving.
func TestHandlerFaults(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			st := v.mk()
			st.Loops = 1
			s := serve(t, faulty(), st, nil)
			keep := dial(t, "tcp", s.addr) // a connection on the same loop
			kr := bufio.NewReader(keep)
			for i, tt := range []struct{ line, reply string }{{"fail\n", "partial"}, {"panic\n", ""}, {"fail\n", "partial"}} {
				if got := roundTrip(t, "tcp", s.addr, tt.line); got != tt.reply {
					t.Fatalf("%q answered %q, want %q", tt.line, got, tt.reply)
				}
				if !eventually(replyTimeout, func() bool { return len(s.handlerErrors()) >= i+1 }) {
					t.Fatalf("fault %d not reported", i+1)
				}
				io.WriteString(keep, "still\n")
				if got := readLine(t, kr); got != "STILL\n" {
					t.Fatalf("after fault %d, another connection got %q", i+1, got)
				}
			}
			time.Sleep(50 * time.Millisecond) // a duplicate report would show now
			errs := s.handlerErrors()
			var pe *socketserver.PanicError
			if len(errs) != 3 || !errors.Is(errs[0], errDeliberate) || !errors.As(errs[1], &pe) || pe.Value != "deliberate panic" || !errors.Is(errs[2], errDeliberate) {
				t.Fatalf("HandleError got %v; want the error, the panic and the error, once each", errs)
			}
		})
	}
}

// TestHooks: Open and Close run once per connection with the state
// Open set; Close sees why the connection ended.
func TestHooks(t *testing.T) {
	var mu sync.Mutex
	var ended []string
	h := &socketserver.MessageHandler{
		Open: func(c *socketserver.MessageConn) error {
			c.State = new(int)
			_, err := c.Write([]byte("hi\n"))
			return err
		},
		Message: func(c *socketserver.MessageConn, msg []byte) error {
			*c.State.(*int)++
			if string(msg) == "bye\n" {
				c.CloseAfterReply()
			}
			_, err := c.Write(msg)
			return err
		},
		Close: func(c *socketserver.MessageConn, err error) {
			mu.Lock()
			ended = append(ended, fmt.Sprintf("%d %v", *c.State.(*int), err))
			mu.Unlock()
		},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			mu.Lock()
			ended = nil
			mu.Unlock()
			s := serve(t, h, v.mk(), nil)
			if got := roundTrip(t, "tcp", s.addr, "a\nb\nbye\nignored\n"); got != "hi\na\nb\nbye\n" {
				t.Fatalf("reply %q", got)
			}
			if err := shutdown(s); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if diff := cmp.Diff([]string{"3 <nil>"}, ended); diff != "" {
				t.Errorf("Close hook calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestShutdownDrain: Shutdown closes a connection between requests at
// once (an orderly close), answers a request whose first bytes it has
// read once the rest comes, and returns only then; nothing is lost.
func TestShutdownDrain(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			s := serve(t, upperLines(), v.mk(), nil)
			idle := dial(t, "tcp", s.addr)
			ir := bufio.NewReader(idle)
			io.WriteString(idle, "first\n")
			if got := readLine(t, ir); got != "FIRST\n" {
				t.Fatalf("reply %q", got)
			}
			partial := dial(t, "tcp", s.addr)
			pr := bufio.NewReader(partial)
			io.WriteString(partial, "par")
			// Admitted (Shutdown's last read then finds "par" whether or not
			// the loop has read it already).
			if !eventually(replyTimeout, func() bool { return s.ActiveConns() == 2 }) {
				t.Fatalf("ActiveConns = %d, want the idle and the partial client admitted", s.ActiveConns())
			}
			shut := make(chan error, 1)
			go func() { shut <- shutdown(s) }()
			if rest, err := io.ReadAll(ir); err != nil || len(rest) != 0 {
				t.Fatalf("idle connection at Shutdown: %q, %v; want an orderly close", rest, err)
			}
			select {
			case err := <-shut:
				t.Fatalf("Shutdown returned (%v) with a request half read", err)
			case <-time.After(100 * time.Millisecond):
			}
			io.WriteString(partial, "tial\n")
			if got := readLine(t, pr); got != "PARTIAL\n" {
				t.Fatalf("half-read request answered %q", got)
			}
			if rest, err := io.ReadAll(pr); err != nil || len(rest) != 0 {
				t.Fatalf("after its reply: %q, %v; want an orderly close", rest, err)
			}
			select {
			case err := <-shut:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(replyTimeout):
				t.Fatal("Shutdown did not return after the last request")
			}
		})
	}
}

// TestShutdownDeadlineThenClose: Shutdown with a request pending returns
// the context's error at its deadline; Close then ends the connection now.
func TestShutdownDeadlineThenClose(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			s := serve(t, upperLines(), v.mk(), nil)
			c := dial(t, "tcp", s.addr)
			io.WriteString(c, "never finished")
			// Shutdown's last read finds the bytes; the connection must
			// have been accepted by then, or the listener's close resets it.
			if !eventually(replyTimeout, func() bool { return s.ActiveConns() == 1 }) {
				t.Fatalf("ActiveConns = %d, want the client admitted", s.ActiveConns())
			}
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Shutdown: %v, want DeadlineExceeded", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(c) // EOF or a reset, at once
			if len(got) != 0 {
				t.Fatalf("client of a closed server got %q", got)
			}
		})
	}
}

// TestCloseInterruptsBlockedOffload: Close ends connections whose handler
// waits on its context in a worker.
func TestCloseInterruptsBlockedOffload(t *testing.T) {
	gate, entered := make(chan struct{}), make(chan struct{}, 1)
	defer close(gate)
	s := serve(t, gated(gate, entered), &eventloop.Strategy{Loops: 1, Offload: 1}, nil)
	c := dial(t, "tcp", s.addr)
	io.WriteString(c, "wait\n")
	select {
	case <-entered:
	case <-time.After(replyTimeout):
		t.Fatal("the request did not reach the handler")
	}
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(replyTimeout):
		t.Fatal("Close did not return")
	}
	if got, _ := io.ReadAll(c); len(got) != 0 {
		t.Fatalf("interrupted request answered %q", got)
	}
	if errs := s.handlerErrors(); len(errs) != 0 {
		t.Fatalf("errors of handlers Close interrupted were reported: %v", errs)
	}
}

// TestVerifyRequest: a refused connection is closed unserved; the next one
// is served.
func TestVerifyRequest(t *testing.T) {
	var n atomic.Int64
	var handled atomic.Int64
	h := handlers.UpperMessage(0, nil)
	msg := h.Message
	h.Message = func(c *socketserver.MessageConn, b []byte) error { handled.Add(1); return msg(c, b) }
	s := serve(t, h, eventloop.New(), func(srv *socketserver.Server) {
		srv.VerifyRequest = func(context.Context, net.Conn) bool { return n.Add(1) > 1 }
	})
	if got := roundTrip(t, "tcp", s.addr, "refused\n"); got != "" {
		t.Fatalf("refused connection answered %q", got)
	}
	if got := roundTrip(t, "tcp", s.addr, "served\n"); got != "SERVED" {
		t.Fatalf("reply %q", got)
	}
	if handled.Load() != 1 {
		t.Fatalf("the handler ran %d times, want once", handled.Load())
	}
}

// hiddenListener hides the listener's descriptor, as a wrapper does;
// with hideConns its connections hide theirs too.
type hiddenListener struct {
	net.Listener
	hideConns bool
}

type hiddenConn struct{ net.Conn }

func (l hiddenListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || !l.hideConns {
		return c, err
	}
	return hiddenConn{c}, nil
}

// TestWrappedListener: a listener that hides its descriptor is accepted
// from in a goroutine; connections that expose theirs go to the loops,
// others are served by the message handler's own read loop.
func TestWrappedListener(t *testing.T) {
	for _, hide := range []bool{false, true} {
		t.Run(fmt.Sprintf("hideConns=%v", hide), func(t *testing.T) {
			srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upperLines(), Strategy: &eventloop.Strategy{Loops: 2}, RequestQueueSize: 128}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(hiddenListener{srv.Listener(), hide}) }()
			addr := srv.ListenAddr().String()
			for range 4 {
				c := dial(t, "tcp", addr)
				io.WriteString(c, "a\nb")
				c.(*net.TCPConn).CloseWrite()
				if got, err := io.ReadAll(c); err != nil || string(got) != "A\nB" {
					t.Fatalf("reply %q, %v", got, err)
				}
			}
			if err := shutdown(&server{Server: srv}); err != nil {
				t.Fatal(err)
			}
			if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
				t.Fatal(err)
			}
		})
	}
}

// TestDescriptorsReleased: after serving connections and shutting down,
// the process has the descriptors it had before.
func TestDescriptorsReleased(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			before := openFDs(t)
			srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upperLines(), Strategy: v.mk(), RequestQueueSize: 128}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(srv.Listener()) }()
			var conns []net.Conn
			for i := range 20 {
				c, err := net.Dial("tcp", srv.ListenAddr().String())
				if err != nil {
					t.Fatal(err)
				}
				_ = c.SetDeadline(time.Now().Add(replyTimeout))
				fmt.Fprintf(c, "x%d\n", i)
				conns = append(conns, c)
			}
			for _, c := range conns {
				if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
					t.Fatal(err)
				}
			}
			if err := shutdown(&server{Server: srv}); err != nil {
				t.Fatal(err)
			}
			<-done
			for _, c := range conns {
				c.Close()
			}
			if !eventually(replyTimeout, func() bool { return openFDs(t) == before }) {
				t.Fatalf("%d descriptors open after Shutdown, %d before", openFDs(t), before)
			}
		})
	}
}
