package socketserver_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

// start serves srv on a fresh listener (127.0.0.1:0 unless Addr is set)
// and stops it when the test ends.
func start(t *testing.T, srv *socketserver.Server) string {
	t.Helper()
	if srv.Addr == "" {
		srv.Addr = "127.0.0.1:0"
	}
	if err := srv.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() {
		srv.Close()
		select {
		case err := <-done:
			if !errors.Is(err, socketserver.ErrServerClosed) {
				t.Errorf("Serve returned %v, want ErrServerClosed", err)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return after Close")
		}
	})
	return srv.ListenAddr().String()
}

// exchange sends msg, half-closes, and reads the reply to EOF.
func exchange(t *testing.T, network, addr, msg string) string {
	t.Helper()
	got, err := tryExchange(network, addr, msg)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// tryExchange is exchange for any goroutine: it returns its error.
func tryExchange(network, addr, msg string) (string, error) {
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		return "", fmt.Errorf("dial %s: %w", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, msg); err != nil {
		return "", fmt.Errorf("write: %w", err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	return string(b), nil
}

// exchangeLater runs tryExchange in a new goroutine after delay and
// delivers the reply, or the error's text, on the returned channel.
func exchangeLater(network, addr, msg string, delay time.Duration) <-chan string {
	reply := make(chan string, 1)
	go func() {
		time.Sleep(delay)
		got, err := tryExchange(network, addr, msg)
		if err != nil {
			got = err.Error()
		}
		reply <- got
	}()
	return reply
}

// listening activates srv without serving it (for HandleRequest) and
// closes it when the test ends.
func listening(t *testing.T, srv *socketserver.Server) {
	t.Helper()
	if err := srv.Listen(); err != nil {
		t.Fatalf("Listen: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
}

// upper is a minimal seed handler for lifecycle tests.
var upper = &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
	line, err := s.ReadLine()
	if err != nil && err != io.EOF {
		return err
	}
	_, err = s.W.Write(bytes.ToUpper(bytes.TrimSpace(line)))
	return err
}}

func TestServeNetworks(t *testing.T) {
	dir, err := os.MkdirTemp("", "ss")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	tests := []struct{ network, addr string }{
		{"tcp", "127.0.0.1:0"},
		{"tcp4", "127.0.0.1:0"},
		{"tcp6", "[::1]:0"},
		{"unix", filepath.Join(dir, "s.sock")},
	}
	for _, tt := range tests {
		t.Run(tt.network, func(t *testing.T) {
			if tt.network == "tcp6" {
				if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
					t.Skipf("no IPv6 loopback on this machine: %v", err)
				} else {
					ln.Close()
				}
			}
			srv := &socketserver.Server{Network: tt.network, Addr: tt.addr, Handler: upper}
			addr := start(t, srv)
			for range 3 {
				if got := exchange(t, tt.network, addr, "hello world with tcp\n"); got != "HELLO WORLD WITH TCP" {
					t.Fatalf("reply %q", got)
				}
			}
		})
	}
}

func TestBindThenActivate(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper}
	defer srv.Close()
	if err := srv.Bind(); err != nil {
		t.Fatal(err)
	}
	addr := srv.ListenAddr().(*net.TCPAddr)
	if addr.Port == 0 {
		t.Fatalf("ListenAddr after Bind = %v, want the bound port", addr)
	}
	// Bound but not listening: the kernel refuses connections.
	if c, err := net.DialTimeout("tcp", addr.String(), time.Second); err == nil {
		c.Close()
		t.Fatal("dial succeeded before Activate")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial before Activate: %v, want ECONNREFUSED", err)
	}
	if err := srv.Activate(); err != nil {
		t.Fatal(err)
	}
	if got := srv.ListenAddr().String(); got != addr.String() {
		t.Fatalf("address changed from %s to %s", addr, got)
	}
	c, err := net.DialTimeout("tcp", addr.String(), time.Second)
	if err != nil {
		t.Fatalf("dial after Activate: %v", err)
	}
	c.Close()
}

func sockoptInt(t *testing.T, l net.Listener, level, opt int) int {
	t.Helper()
	sc, err := l.(syscall.Conn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	if err := sc.Control(func(fd uintptr) { v, gerr = syscall.GetsockoptInt(int(fd), level, opt) }); err != nil {
		t.Fatal(err)
	}
	if gerr != nil {
		t.Fatal(gerr)
	}
	return v
}

const soReusePort = 0xf // SO_REUSEPORT on Linux

func TestReuseOptionsHonouredExactly(t *testing.T) {
	for _, tt := range []struct{ addr, port bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper, AllowReuseAddress: tt.addr, AllowReusePort: tt.port}
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		got := struct{ addr, port bool }{
			sockoptInt(t, srv.Listener(), syscall.SOL_SOCKET, syscall.SO_REUSEADDR) != 0,
			sockoptInt(t, srv.Listener(), syscall.SOL_SOCKET, soReusePort) != 0,
		}
		srv.Close()
		if got != tt {
			t.Errorf("AllowReuseAddress=%v AllowReusePort=%v: socket has SO_REUSEADDR=%v SO_REUSEPORT=%v", tt.addr, tt.port, got.addr, got.port)
		}
	}
}

// TestBacklog checks RequestQueueSize reaches listen(2): with nobody
// accepting, Linux completes about backlog+1 handshakes and drops further
// SYNs.
func TestBacklog(t *testing.T) {
	completed := func(backlog int) int {
		srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper, RequestQueueSize: backlog}
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		n := 0
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for range backlog + 6 {
			c, err := net.DialTimeout("tcp", srv.ListenAddr().String(), 150*time.Millisecond)
			if err != nil {
				continue
			}
			conns = append(conns, c)
			n++
		}
		return n
	}
	small, large := completed(2), completed(6)
	if small < 2 || small > 4 || large < 6 || large > 8 || large <= small {
		t.Fatalf("handshakes completed with backlog 2: %d, with 6: %d; want about backlog+1", small, large)
	}
}

func TestUnixSocketFile(t *testing.T) {
	dir, err := os.MkdirTemp("", "ss")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	for _, remove := range []bool{false, true} {
		path := filepath.Join(dir, "s.sock")
		os.Remove(path)
		srv := &socketserver.Server{Network: "unix", Addr: path, Handler: upper, RemoveSocketFile: remove}
		start(t, srv)
		srv.Close()
		_, err := os.Stat(path)
		if exists := err == nil; exists == remove {
			t.Errorf("RemoveSocketFile=%v: socket file exists after Close = %v", remove, exists)
		}
	}
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestFailedBindsLeakNothing(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	before := countFDs(t)
	for range 200 {
		srv := &socketserver.Server{Addr: busy.Addr().String(), Handler: upper}
		err := srv.Listen()
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Fatalf("Listen on a busy address: %v, want EADDRINUSE", err)
		}
	}
	if after := countFDs(t); after > before+2 {
		t.Fatalf("open fds grew from %d to %d over 200 failed binds", before, after)
	}
}

func TestHandleRequest(t *testing.T) {
	var timeouts atomic.Int32
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper, Timeout: 50 * time.Millisecond,
		HandleTimeout: func() { timeouts.Add(1) }}
	listening(t, srv)
	if err := srv.HandleRequest(context.Background()); !errors.Is(err, socketserver.ErrTimeout) {
		t.Fatalf("HandleRequest with no client: %v, want ErrTimeout", err)
	}
	if n := timeouts.Load(); n != 1 {
		t.Fatalf("HandleTimeout called %d times, want 1", n)
	}
	// A context that ends first wins over Timeout and is not a time-out.
	srv.Timeout = 0
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	err := srv.HandleRequest(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("HandleRequest with expiring ctx: %v, want DeadlineExceeded", err)
	}
	// With a client, exactly one request is served.
	reply := exchangeLater("tcp", srv.ListenAddr().String(), "one\n", 0)
	if err := srv.HandleRequest(context.Background()); err != nil {
		t.Fatalf("HandleRequest with a client: %v", err)
	}
	if got := <-reply; got != "ONE" {
		t.Fatalf("reply %q", got)
	}
}

// TestHandleRequestAfterExpiredContexts checks that a context ending while
// HandleRequest waits leaves no deadline behind on the listener: the next
// call, with no deadline, must wait for and serve a client.
func TestHandleRequestAfterExpiredContexts(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper}
	listening(t, srv)
	for i := range 30 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		_ = srv.HandleRequest(ctx)
		cancel()
		// The client comes after HandleRequest has started waiting.
		reply := exchangeLater("tcp", srv.ListenAddr().String(), "one\n", 5*time.Millisecond)
		if err := srv.HandleRequest(context.Background()); err != nil {
			t.Fatalf("round %d: HandleRequest after an expired context: %v", i, err)
		}
		if got := <-reply; got != "ONE" {
			t.Fatalf("round %d: reply %q", i, got)
		}
	}
}

// TestHandleRequestCancelled checks that a context already done serves
// nothing, even with a client waiting in the backlog; the client is served
// by the next call.
func TestHandleRequestCancelled(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper}
	listening(t, srv)
	c, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, "late\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.HandleRequest(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("HandleRequest with a cancelled context: %v, want context.Canceled", err)
	}
	if err := srv.HandleRequest(context.Background()); err != nil {
		t.Fatalf("HandleRequest after the cancelled one: %v", err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if got, err := io.ReadAll(c); err != nil || string(got) != "LATE" {
		t.Fatalf("reply %q, %v; want %q", got, err, "LATE")
	}
}

func TestVerifyRequestRejects(t *testing.T) {
	var handled atomic.Int32
	srv := &socketserver.Server{
		Handler:       socketserver.HandlerFunc(func(context.Context, *socketserver.Request) error { handled.Add(1); return nil }),
		VerifyRequest: func(ctx context.Context, c net.Conn) bool { return false },
	}
	addr := start(t, srv)
	if got := exchange(t, "tcp", addr, "hi\n"); got != "" {
		t.Fatalf("rejected client got %q, want nothing", got)
	}
	if handled.Load() != 0 {
		t.Fatal("handler ran for a rejected connection")
	}
}

// TestServiceActions checks that an idle server calls ServiceActions every
// PollInterval: ten calls at a 10ms interval must come well within the
// second that the default interval (500ms) would need for two.
func TestServiceActions(t *testing.T) {
	tenth := make(chan time.Time, 1)
	var calls atomic.Int32
	srv := &socketserver.Server{Handler: upper, PollInterval: 10 * time.Millisecond, ServiceActions: func() {
		if calls.Add(1) == 10 {
			tenth <- time.Now()
		}
	}}
	begin := time.Now()
	start(t, srv)
	select {
	case at := <-tenth:
		t.Logf("10 calls in %v", at.Sub(begin).Round(time.Millisecond))
	case <-time.After(time.Second):
		t.Fatalf("ServiceActions called %d times in 1s of idling at a 10ms poll interval, want 10", calls.Load())
	}
}

// TestServiceActionsAfterConnection checks that the accept loop calls
// ServiceActions after handing over a connection, not only when its poll
// interval expires: with an hour-long interval, a call must follow the request.
func TestServiceActionsAfterConnection(t *testing.T) {
	called := make(chan struct{}, 1)
	srv := &socketserver.Server{Handler: upper, PollInterval: time.Hour, ServiceActions: func() {
		select {
		case called <- struct{}{}:
		default:
		}
	}}
	addr := start(t, srv)
	select {
	case <-called:
		t.Fatal("ServiceActions called before any connection with an hour-long poll interval")
	default:
	}
	if got := exchange(t, "tcp", addr, "x\n"); got != "X" {
		t.Fatalf("reply %q", got)
	}
	// The accept loop calls ServiceActions after dispatching the connection,
	// which may come after the client has its reply; wait, bounded.
	select {
	case <-called:
	case <-time.After(5 * time.Second):
		t.Fatal("ServiceActions not called within 5s after a request")
	}
}

func TestHandlerErrorsAndPanicsAreReported(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	boom := errors.New("boom")
	srv := &socketserver.Server{
		Handler: socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
			line, _ := bufio.NewReader(r.Conn).ReadString('\n')
			switch strings.TrimSpace(line) {
			case "error":
				return boom
			case "panic":
				panic("kaboom")
			}
			_, err := io.WriteString(r.Conn, "ok")
			return err
		}),
		HandleError: func(r *socketserver.Request, err error) {
			mu.Lock()
			reported = append(reported, err)
			mu.Unlock()
		},
	}
	addr := start(t, srv)
	for _, msg := range []string{"error\n", "panic\n", "fine\n"} {
		exchange(t, "tcp", addr, msg)
	}
	if got := exchange(t, "tcp", addr, "fine\n"); got != "ok" {
		t.Fatalf("server stopped serving after errors: %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 2 {
		t.Fatalf("reported %d errors (%v), want 2", len(reported), reported)
	}
	if !errors.Is(reported[0], boom) {
		t.Errorf("first report %v, want boom", reported[0])
	}
	var pe *socketserver.PanicError
	if !errors.As(reported[1], &pe) || pe.Value != "kaboom" || !bytes.Contains(pe.Stack, []byte("server_test.go")) {
		t.Errorf("second report %#v, want a PanicError with value kaboom and a stack", reported[1])
	}
}

func TestDefaultErrorLog(t *testing.T) {
	var buf bytes.Buffer
	srv := &socketserver.Server{
		Handler:  socketserver.HandlerFunc(func(context.Context, *socketserver.Request) error { return errors.New("bad thing") }),
		ErrorLog: slog.New(slog.NewTextHandler(&syncWriter{w: &buf}, nil)),
	}
	addr := start(t, srv)
	exchange(t, "tcp", addr, "x\n")
	srv.Close()
	out := buf.String()
	for _, want := range []string{"exception occurred during processing of request", "bad thing", "client=127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// hooks records the order in which a handler's methods run.
type hooks struct {
	mu       sync.Mutex
	calls    []string
	setupErr error
	handle   func() error
}

func (h *hooks) add(s string) { h.mu.Lock(); h.calls = append(h.calls, s); h.mu.Unlock() }
func (h *hooks) Setup(context.Context, *socketserver.Request) error {
	h.add("setup")
	return h.setupErr
}
func (h *hooks) Handle(context.Context, *socketserver.Request) error {
	h.add("handle")
	return h.handle()
}
func (h *hooks) Finish(context.Context, *socketserver.Request) error { h.add("finish"); return nil }

func TestSetupHandleFinish(t *testing.T) {
	tests := []struct {
		name      string
		setupErr  error
		handle    func() error
		want      []string
		wantError bool
	}{
		{"ok", nil, func() error { return nil }, []string{"setup", "handle", "finish"}, false},
		{"handle fails", nil, func() error { return errors.New("x") }, []string{"setup", "handle", "finish"}, true},
		{"handle panics", nil, func() error { panic("x") }, []string{"setup", "handle", "finish"}, true},
		{"setup fails", errors.New("s"), func() error { return nil }, []string{"setup"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &hooks{setupErr: tt.setupErr, handle: tt.handle}
			var errs atomic.Int32
			srv := &socketserver.Server{Handler: h, HandleError: func(*socketserver.Request, error) { errs.Add(1) }}
			addr := start(t, srv)
			exchange(t, "tcp", addr, "")
			srv.Close()
			if diff := cmp.Diff(tt.want, h.calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if got := errs.Load() == 1; got != tt.wantError {
				t.Errorf("errors reported: %d, want error %v", errs.Load(), tt.wantError)
			}
		})
	}
}

func TestShutdownBeforeServe(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	select {
	case err := <-done:
		if !errors.Is(err, socketserver.ErrServerClosed) {
			t.Fatalf("ListenAndServe after Shutdown: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("ListenAndServe after Shutdown did not return")
	}
}

// blocker is a handler that signals when it starts and waits for release
// (or for its context to end) before answering.
type blocker struct {
	started chan struct{}
	release chan struct{}
}

func newBlocker() *blocker {
	return &blocker{started: make(chan struct{}, 100), release: make(chan struct{})}
}

func (b *blocker) Handle(ctx context.Context, r *socketserver.Request) error {
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	_, err := io.WriteString(r.Conn, "done")
	return err
}

func TestShutdownWaitsForInFlight(t *testing.T) {
	b := newBlocker()
	srv := &socketserver.Server{Handler: b, Strategy: goroutine.New()}
	addr := start(t, srv)
	replies := make(chan string, 3)
	for range 3 {
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				replies <- err.Error()
				return
			}
			defer c.Close()
			got, _ := io.ReadAll(c)
			replies <- string(got)
		}()
	}
	for range 3 {
		<-b.started
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with handlers in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a new client connected during Shutdown")
	}
	close(b.release)
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for range 3 {
		if got := <-replies; got != "done" {
			t.Errorf("in-flight client got %q, want done", got)
		}
	}
}

func TestShutdownDeadlineThenClose(t *testing.T) {
	b := newBlocker()
	srv := &socketserver.Server{Handler: b, Strategy: goroutine.New(), HandleError: func(*socketserver.Request, error) {}}
	addr := start(t, srv)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-b.started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a stuck handler: %v, want DeadlineExceeded", err)
	}
	// Close cancels the handler's context and waits for it.
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := srv.ActiveConns(); n != 0 {
		t.Fatalf("%d connections still tracked after Close", n)
	}
}

func TestShutdownFromHandler(t *testing.T) {
	for _, name := range []string{"inline", "goroutine"} {
		t.Run(name, func(t *testing.T) {
			srv := &socketserver.Server{Addr: "127.0.0.1:0"}
			if name == "goroutine" {
				srv.Strategy = goroutine.New()
			}
			srv.Handler = socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
				if err := r.Server.Shutdown(ctx); err != nil {
					return err
				}
				_, err := io.WriteString(r.Conn, "bye")
				return err
			})
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.ListenAndServe() }()
			if got := exchange(t, "tcp", srv.ListenAddr().String(), "x\n"); got != "bye" {
				t.Errorf("reply %q", got)
			}
			select {
			case err := <-done:
				if !errors.Is(err, socketserver.ErrServerClosed) {
					t.Fatalf("Serve: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Shutdown from a handler deadlocked")
			}
		})
	}
}

func TestCloseInterruptsBlockedRead(t *testing.T) {
	started := make(chan struct{})
	var readErr error
	srv := &socketserver.Server{Strategy: goroutine.New(), Handler: socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		close(started)
		_, readErr = r.Conn.Read(make([]byte, 1))
		return readErr
	})}
	addr := start(t, srv)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-started
	closed := make(chan error)
	go func() { closed <- srv.Close() }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt a handler blocked in Read")
	}
	if readErr == nil {
		t.Fatal("handler's Read returned no error after Close")
	}
}

// flakyListener fails Accept with EMFILE a number of times.
type flakyListener struct {
	net.Listener
	fails   atomic.Int32
	accepts atomic.Int32
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.accepts.Add(1)
	if l.fails.Add(-1) >= 0 {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

func TestAcceptErrorsBackOff(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fl := &flakyListener{Listener: inner}
	fl.fails.Store(5)
	var logBuf bytes.Buffer
	srv := &socketserver.Server{Handler: upper, ErrorLog: slog.New(slog.NewTextHandler(&syncWriter{w: &logBuf}, nil))}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(fl) }()
	// 5 failures back off 5+10+20+40+80 ms before the next Accept.
	if got := exchange(t, "tcp", inner.Addr().String(), "after\n"); got != "AFTER" {
		t.Fatalf("reply %q after accept errors", got)
	}
	srv.Close()
	<-done
	if n := fl.accepts.Load(); n > 8 {
		t.Errorf("Accept called %d times for 5 errors and 1 client: not backing off", n)
	}
	if !strings.Contains(logBuf.String(), "accept error") || !strings.Contains(logBuf.String(), "too many open files") {
		t.Errorf("accept errors not logged: %q", logBuf.String())
	}
}

func TestServeReturnsFatalAcceptError(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	inner.Close() // Accept fails with a non-temporary error at once
	srv := &socketserver.Server{Handler: upper}
	if err := srv.Serve(inner); err == nil || errors.Is(err, socketserver.ErrServerClosed) {
		t.Fatalf("Serve on a closed listener: %v, want the accept error", err)
	}
}
