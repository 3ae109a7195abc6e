package socketserver_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"github.com/gosocketserver/socketserver/strategies/pool"
	ssync "github.com/gosocketserver/socketserver/strategies/sync"
)

// errorLog collects what a server reports through HandleError.
type errorLog struct {
	mu   sync.Mutex
	errs []error
}

func (l *errorLog) handle(_ *socketserver.Request, err error) {
	l.mu.Lock()
	l.errs = append(l.errs, err)
	l.mu.Unlock()
}

func (l *errorLog) all() []error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]error(nil), l.errs...)
}

// waitErrors waits (at most 5 s) until n errors were reported and returns them.
func (l *errorLog) waitErrors(t *testing.T, n int) []error {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(l.all()) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return l.all()
}

// hostileStrategies are the strategies every hostile-client test runs on.
var hostileStrategies = []struct {
	name   string
	make   func() socketserver.Strategy
	serial bool
}{
	{"nil", func() socketserver.Strategy { return nil }, true},
	{"sync", func() socketserver.Strategy { return ssync.New() }, true},
	{"goroutine", func() socketserver.Strategy { return goroutine.New() }, false},
	{"pool", func() socketserver.Strategy { return pool.New(3, 4) }, false},
}

// keepAliveUpper is a keep-alive line handler: each line is answered
// upper-cased; "exit" calls runtime.Goexit; "slow" signals slow (when not
// nil) and then waits 200 ms before it answers.
func keepAliveUpper(slow chan<- struct{}) *socketserver.StreamHandler {
	return &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
		for {
			line, err := s.ReadLine()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			switch string(line) {
			case "exit\n":
				runtime.Goexit()
			case "slow\n":
				if slow != nil {
					slow <- struct{}{}
				}
				time.Sleep(200 * time.Millisecond)
			}
			if _, err := s.W.Write(bytes.ToUpper(line)); err != nil {
				return err
			}
		}
	}}
}

// waitSlow waits (at most 5 s) for the handler to signal on slow.
func waitSlow(t *testing.T, slow <-chan struct{}) {
	t.Helper()
	select {
	case <-slow:
	case <-time.After(5 * time.Second):
		t.Fatal("the slow request was not read by the server within 5s")
	}
}

// dial connects to addr with a 5 s deadline on everything.
func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return c
}

// ask sends msg to addr, half-closes, and returns the reply read to EOF.
func ask(t *testing.T, addr, msg string) string {
	t.Helper()
	c := dial(t, addr)
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	return readToEOF(t, c)
}

// readToEOF reads what c sends until EOF; an error (a reset, a time-out)
// fails the test.
func readToEOF(t *testing.T, c net.Conn) string {
	t.Helper()
	b, err := io.ReadAll(c)
	if err != nil {
		t.Errorf("reading to EOF: %v after %q (want an orderly close)", err, b)
	}
	return string(b)
}

// TestReadTimeoutCutsSlowloris: a client sending one byte every 50 ms and
// never a newline is cut by ReadTimeout with an orderly close and one
// report naming the limit, and a normal client is then served, even by a
// serial server.
func TestReadTimeoutCutsSlowloris(t *testing.T) {
	for _, st := range hostileStrategies {
		t.Run(st.name, func(t *testing.T) {
			var log errorLog
			srv := &socketserver.Server{Handler: keepAliveUpper(nil), Strategy: st.make(),
				ReadTimeout: 300 * time.Millisecond, HandleError: log.handle}
			addr := start(t, srv)
			slow := dial(t, addr)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			defer wg.Wait()
			defer close(stop)
			wg.Go(func() {
				for range 200 { // at most 10 s
					if _, err := slow.Write([]byte("a")); err != nil {
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(50 * time.Millisecond):
					}
				}
			})
			time.Sleep(50 * time.Millisecond) // the slow client is being served
			began := time.Now()
			if got := ask(t, addr, "hi\n"); got != "HI\n" {
				t.Errorf("normal client got %q, want %q", got, "HI\n")
			}
			if d := time.Since(began); d > 4*time.Second {
				t.Errorf("normal client waited %v behind a slowloris with a 300ms ReadTimeout", d)
			}
			if got := readToEOF(t, slow); got != "" {
				t.Errorf("slow client got %q, want nothing", got)
			}
			errs := log.waitErrors(t, 1)
			if len(errs) != 1 || !errors.Is(errs[0], socketserver.ErrReadTimeout) || !strings.Contains(errs[0].Error(), "read timeout of 300ms") {
				t.Errorf("reported %v, want one error naming the read timeout of 300ms", errs)
			}
		})
	}
}

// TestIdleTimeout: a client that sends nothing, before its first request
// or after one, is closed in order after IdleTimeout (ReadTimeout when
// IdleTimeout is zero), with one report naming the limit.
func TestIdleTimeout(t *testing.T) {
	for _, tt := range []struct {
		name        string
		read, idle  time.Duration
		send, reply string
	}{
		{"silent client", 0, 200 * time.Millisecond, "", ""},
		{"after a request", 0, 200 * time.Millisecond, "ab\n", "AB\n"},
		{"read timeout stands in", 200 * time.Millisecond, 0, "ab\n", "AB\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var log errorLog
			srv := &socketserver.Server{Handler: keepAliveUpper(nil), Strategy: goroutine.New(),
				ReadTimeout: tt.read, IdleTimeout: tt.idle, HandleError: log.handle}
			c := dial(t, start(t, srv))
			if _, err := io.WriteString(c, tt.send); err != nil {
				t.Fatal(err)
			}
			if got := readToEOF(t, c); got != tt.reply {
				t.Errorf("got %q, want %q", got, tt.reply)
			}
			errs := log.waitErrors(t, 1)
			if len(errs) != 1 || !errors.Is(errs[0], socketserver.ErrIdleTimeout) {
				t.Errorf("reported %v, want one idle timeout", errs)
			}
		})
	}
}

// TestWriteTimeout: a reply the client does not read ends after
// WriteTimeout with one report naming the limit.
func TestWriteTimeout(t *testing.T) {
	var log errorLog
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	h := &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
		if _, err := s.ReadLine(); err != nil {
			return err
		}
		for range 1024 { // 64 MiB: more than any socket buffer holds
			if _, err := s.W.Write(chunk); err != nil {
				return err
			}
		}
		return errors.New("the whole reply was written to a client that reads nothing")
	}}
	srv := &socketserver.Server{Handler: h, Strategy: goroutine.New(),
		WriteTimeout: 200 * time.Millisecond, HandleError: log.handle}
	c := dial(t, start(t, srv))
	if _, err := io.WriteString(c, "big\n"); err != nil {
		t.Fatal(err)
	}
	errs := log.waitErrors(t, 1)
	if len(errs) != 1 || !errors.Is(errs[0], socketserver.ErrWriteTimeout) {
		t.Errorf("reported %v, want one write timeout", errs)
	}
}

// TestServerMaxLineSize: the limit does not count the newline, so a line
// and the same bytes before EOF agree; a longer line is refused with an
// orderly close.
func TestServerMaxLineSize(t *testing.T) {
	for _, tt := range []struct {
		send, want string
		tooLong    bool
	}{
		{"abcde\n", "ABCDE", false},
		{"abcde", "ABCDE", false},
		{"abcdef\n", "", true},
		{"abcdef", "", true},
	} {
		t.Run(tt.send, func(t *testing.T) {
			var log errorLog
			srv := &socketserver.Server{Handler: upper, MaxLineSize: 5, HandleError: log.handle}
			addr := start(t, srv)
			if got := ask(t, addr, tt.send); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			errs := log.waitErrors(t, 0)
			if tt.tooLong {
				errs = log.waitErrors(t, 1)
			}
			if got := len(errs) == 1 && errors.Is(errs[0], socketserver.ErrLineTooLong); got != tt.tooLong || len(errs) > 1 {
				t.Errorf("reported %v, want a line-too-long error: %v", errs, tt.tooLong)
			}
		})
	}
}

// TestShutdownDrainsKeepAlive: Shutdown closes connections waiting between
// requests at once with a FIN, answers a request the server has read, and
// returns as soon as that is done, with nothing reported.
func TestShutdownDrainsKeepAlive(t *testing.T) {
	for _, st := range hostileStrategies {
		t.Run(st.name, func(t *testing.T) {
			var log errorLog
			slow := make(chan struct{}, 1)
			srv := &socketserver.Server{Handler: keepAliveUpper(slow), Strategy: st.make(), HandleError: log.handle}
			addr := start(t, srv)
			var idle []net.Conn
			for range 2 {
				c := dial(t, addr)
				if _, err := io.WriteString(c, "a\n"); err != nil {
					t.Fatal(err)
				}
				if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "A\n" {
					t.Fatalf("first reply %q, %v", got, err)
				}
				idle = append(idle, c)
				if st.serial {
					break // the serial server serves one connection at a time
				}
			}
			var busy net.Conn
			if !st.serial {
				busy = dial(t, addr)
				if _, err := io.WriteString(busy, "slow\n"); err != nil {
					t.Fatal(err)
				}
				waitSlow(t, slow) // the server has read the request
			}
			began := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown: %v", err)
			}
			if d := time.Since(began); d > 5*time.Second {
				t.Errorf("Shutdown took %v with only idle connections and one 200ms request", d)
			}
			for i, c := range idle {
				if got := readToEOF(t, c); got != "" {
					t.Errorf("idle client %d got %q, want an orderly close", i, got)
				}
			}
			if busy != nil {
				if got := readToEOF(t, busy); got != "SLOW\n" {
					t.Errorf("busy client got %q, want its reply then an orderly close", got)
				}
			}
			if errs := log.all(); len(errs) != 0 {
				t.Errorf("reported %v, want nothing", errs)
			}
		})
	}
}

// TestShutdownServesQueuedConnection: a connection queued in a pool whose
// request has been sent is served during Shutdown, not closed as idle.
func TestShutdownServesQueuedConnection(t *testing.T) {
	slow := make(chan struct{}, 1)
	srv := &socketserver.Server{Handler: keepAliveUpper(slow), Strategy: pool.New(1, 4)}
	addr := start(t, srv)
	busy := dial(t, addr)
	if _, err := io.WriteString(busy, "slow\n"); err != nil {
		t.Fatal(err)
	}
	waitSlow(t, slow)
	queued := dial(t, addr)
	if _, err := io.WriteString(queued, "q\n"); err != nil {
		t.Fatal(err)
	}
	// Wait (bounded) until the server has accepted it and queued it.
	for deadline := time.Now().Add(5 * time.Second); srv.ActiveConns() < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := srv.ActiveConns(); n != 2 {
		t.Fatalf("ActiveConns = %d, want 2 (busy and queued)", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if got := readToEOF(t, busy); got != "SLOW\n" {
		t.Errorf("busy client got %q", got)
	}
	if got := readToEOF(t, queued); got != "Q\n" {
		t.Errorf("queued client got %q, want its reply", got)
	}
}

// TestGoexitInHandler: a handler calling runtime.Goexit is reported once
// per connection, and the server goes on serving with all its capacity
// (the serial accept loop survives, a pool keeps its workers).
func TestGoexitInHandler(t *testing.T) {
	for _, st := range hostileStrategies {
		t.Run(st.name, func(t *testing.T) {
			var log errorLog
			srv := &socketserver.Server{Handler: keepAliveUpper(nil), Strategy: st.make(), HandleError: log.handle}
			addr := start(t, srv)
			const exits = 5
			for i := range exits {
				if got := ask(t, addr, "exit\n"); got != "" {
					t.Errorf("Goexit %d: client got %q, want an orderly close", i, got)
				}
				if got := ask(t, addr, "ok\n"); got != "OK\n" {
					t.Fatalf("after Goexit %d: got %q, want %q", i, got, "OK\n")
				}
			}
			if !st.serial { // full capacity: three clients at once on the pool of 3
				conns := []net.Conn{dial(t, addr), dial(t, addr), dial(t, addr)}
				for _, c := range conns {
					io.WriteString(c, "x\n")
				}
				for _, c := range conns {
					if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "X\n" {
						t.Errorf("concurrent client got %q, %v", got, err)
					}
				}
			}
			errs := log.waitErrors(t, exits)
			if len(errs) != exits {
				t.Errorf("reported %d errors, want %d: %v", len(errs), exits, errs)
			}
			for _, err := range errs {
				if !errors.Is(err, socketserver.ErrHandlerGoexit) {
					t.Errorf("reported %v, want ErrHandlerGoexit", err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("Shutdown after Goexits: %v", err)
			}
		})
	}
}
