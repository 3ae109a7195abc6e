//go:build linux

package fork_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/child"
	"github.com/gosocketserver/socketserver/strategies/fork"
)

// ioTimeout bounds every client read and write of these tests.
const ioTimeout = 10 * time.Second

// served is a running server of a test, with what HandleError received.
type served struct {
	srv  *socketserver.Server
	addr string
	done chan error

	mu   sync.Mutex
	errs []error
}

func (s *served) errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// serve serves st on 127.0.0.1 until the test ends (then Close).
func serve(t *testing.T, st *fork.Strategy) *served {
	t.Helper()
	s := &served{done: make(chan error, 1)}
	s.srv = &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.Upper(0, nil), Strategy: st,
		RequestQueueSize: 64, ErrorLog: slog.New(slog.DiscardHandler),
		HandleError: func(_ *socketserver.Request, err error) {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
		}}
	if err := s.srv.Listen(); err != nil {
		t.Fatal(err)
	}
	s.addr = s.srv.ListenAddr().String()
	go func() { s.done <- s.srv.Serve(s.srv.Listener()) }()
	t.Cleanup(func() {
		s.srv.Close()
		if err := <-s.done; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return s
}

// client is a keep-alive client of an upperlines server.
type client struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &client{c: c, r: bufio.NewReader(c)}
}

// exchange sends line and returns the reply line.
func (c *client) exchange(line string) (string, error) {
	_ = c.c.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := io.WriteString(c.c, line+"\n"); err != nil {
		return "", err
	}
	return c.r.ReadString('\n')
}

// mustExchange checks that line is answered upper-cased.
func (c *client) mustExchange(t *testing.T, line string) {
	t.Helper()
	got, err := c.exchange(line)
	if want := strings.ToUpper(line) + "\n"; err != nil || got != want {
		t.Fatalf("reply to %q: %q, %v; want %q", line, got, err, want)
	}
}

// eventually polls cond every 5 ms for at most 10 s.
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(ioTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestMaxChildrenWaits checks the bound: with two children holding
// keep-alive connections the third client is not served (the accept
// loop waits, as collect_children(blocking)) until one of them leaves.
func TestMaxChildrenWaits(t *testing.T) {
	st := fork.New("upperlines", 2)
	s := serve(t, st)
	c1, c2 := dial(t, s.addr), dial(t, s.addr)
	c1.mustExchange(t, "one")
	c2.mustExchange(t, "two")
	c3 := dial(t, s.addr)
	_ = c3.c.SetDeadline(time.Now().Add(300 * time.Millisecond))
	io.WriteString(c3.c, "three\n")
	if got, err := c3.r.ReadString('\n'); err == nil {
		t.Fatalf("third client answered %q while two children ran (max-children=2)", got)
	}
	if n := st.Running(); n != 2 {
		t.Errorf("Running() = %d, want 2", n)
	}
	c1.c.Close()
	_ = c3.c.SetDeadline(time.Now().Add(ioTimeout))
	if got, err := c3.r.ReadString('\n'); err != nil || got != "THREE\n" {
		t.Fatalf("third client after the first left: %q, %v; want THREE", got, err)
	}
}

// TestChildFailureReportedOnce checks that a child whose handler panics,
// returns an error, or whose process exits non-zero is reported through
// HandleError exactly once, as ErrChildFailed, and that serving goes on.
func TestChildFailureReportedOnce(t *testing.T) {
	s := serve(t, fork.New("crash", 4))
	for i, line := range []string{"panic", "error", "exit"} {
		c := dial(t, s.addr)
		c.mustExchange(t, "before")
		if got, err := c.exchange(line); err == nil {
			t.Errorf("%s: reply %q, want the connection closed", line, got)
		}
		if !eventually(func() bool { return len(s.errors()) == i+1 }) {
			t.Fatalf("after %q: %d errors reported, want %d: %v", line, len(s.errors()), i+1, s.errors())
		}
		if err := s.errors()[i]; !errors.Is(err, fork.ErrChildFailed) {
			t.Errorf("%s: reported %v, want ErrChildFailed", line, err)
		}
	}
	last := dial(t, s.addr)
	last.mustExchange(t, "still serving")
	last.c.Close() // the crash handler reads its connection raw: Shutdown waits for its EOF
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if errs := s.errors(); len(errs) != 3 {
		t.Errorf("%d errors reported, want 3 (one per failed child): %v", len(errs), errs)
	}
	for _, want := range []string{"crash handler: panic", "crash handler: error", "exit status 3"} {
		if !strings.Contains(fmt.Sprint(s.errors()), want) {
			t.Errorf("reported errors %v lack %q", s.errors(), want)
		}
	}
}

// TestShutdown checks Shutdown with and without waiting: the children are
// told to finish (an idle keep-alive connection is closed) and reaped
// before Shutdown returns, no zombie is left; with nowait Shutdown returns
// while the child goes on serving its client.
func TestShutdown(t *testing.T) {
	for _, nowait := range []bool{false, true} {
		t.Run(fmt.Sprintf("nowait=%v", nowait), func(t *testing.T) {
			st := fork.New("upperlines", 4)
			st.NoWait = nowait
			s := serve(t, st)
			var cs []*client
			for i := range 3 {
				c := dial(t, s.addr)
				c.mustExchange(t, fmt.Sprint("hello ", i))
				cs = append(cs, c)
			}
			pids := st.Pids()
			if len(pids) != 3 {
				t.Fatalf("Pids() = %v, want 3 children", pids)
			}
			ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
			defer cancel()
			if err := s.srv.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if nowait {
				if n := st.Running(); n != 3 {
					t.Errorf("Running() = %d after a nowait Shutdown, want 3", n)
				}
				cs[0].mustExchange(t, "served on")
				return
			}
			if n := st.Running(); n != 0 {
				t.Errorf("Running() = %d after Shutdown, want 0", n)
			}
			for _, c := range cs {
				if got, err := c.exchange("late"); err == nil {
					t.Errorf("reply %q after Shutdown closed an idle connection", got)
				}
			}
			checkReaped(t, pids)
		})
	}
}

// TestCloseKills checks that Close kills the children now, reports
// nothing for them, and reaps them.
func TestCloseKills(t *testing.T) {
	st := fork.New("upperlines", 4)
	s := serve(t, st)
	c := dial(t, s.addr)
	c.mustExchange(t, "hello")
	pids := st.Pids()
	if err := s.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if n := st.Running(); n != 0 {
		t.Errorf("Running() = %d after Close, want 0", n)
	}
	if got, err := c.exchange("late"); err == nil {
		t.Errorf("reply %q after Close", got)
	}
	checkReaped(t, pids)
	if errs := s.errors(); len(errs) != 0 {
		t.Errorf("Close reported %v; killed children are not failures", errs)
	}
}

// TestNoHandlerSpec checks that a server whose strategy has no handler
// spec fails at Serve and HandleRequest with ErrNoHandler, before it
// accepts anyone, and that child.Configure refuses a handler that is not
// registered before anything is served.
func TestNoHandlerSpec(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.Upper(0, nil), Strategy: &fork.Strategy{}}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.HandleRequest(ctx); !errors.Is(err, fork.ErrNoHandler) {
		t.Errorf("HandleRequest = %v, want ErrNoHandler", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srv.Listener()) }()
	select {
	case err := <-done:
		if !errors.Is(err, fork.ErrNoHandler) {
			t.Errorf("Serve = %v, want ErrNoHandler", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve accepted without a handler spec instead of returning ErrNoHandler")
	}
	if c, err := net.DialTimeout("tcp", srv.ListenAddr().String(), time.Second); err == nil {
		c.Close()
		t.Error("the listener still accepts after Serve refused to start")
	}
	st := &fork.Strategy{}
	if err := child.Configure(st, "nosuch"); err == nil || !strings.Contains(err.Error(), `unknown handler "nosuch"`) {
		t.Errorf("Configure(nosuch) = %v, want an unknown-handler error", err)
	}
	if err := child.Configure(st, "cpu:rounds=10"); err != nil || st.Handler != "cpu:rounds=10" {
		t.Errorf("Configure(cpu:rounds=10) = %v, Handler %q", err, st.Handler)
	}
}

// checkReaped checks that none of pids is still a child of this process
// (a zombie keeps its /proc entry until it is waited for).
func checkReaped(t *testing.T, pids []int) {
	t.Helper()
	for _, pid := range pids {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue // gone: reaped
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(os.Getpid()) {
			t.Errorf("child %d still exists in state %s after the strategy finished", pid, f[0])
		}
	}
}

// TestDatagramsRefused: a datagram server with the fork strategy fails at
// Serve with ErrStreamOnly instead of executing datagrams it cannot hand
// to a child.
func TestDatagramsRefused(t *testing.T) {
	srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0", Strategy: &fork.Strategy{Handler: "dgram-upper"},
		DatagramHandler: socketserver.DatagramHandlerFunc(func(context.Context, *socketserver.Datagram) error { return nil })}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	select {
	case err := <-done:
		if !errors.Is(err, socketserver.ErrStreamOnly) {
			t.Errorf("ListenAndServe = %v, want ErrStreamOnly", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("ListenAndServe still serving datagrams after 5 s, want ErrStreamOnly")
		_ = srv.Close()
		<-done
	}
	_ = srv.Close()
}
