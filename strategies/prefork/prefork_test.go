//go:build linux

package prefork_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/prefork"
)

const ioTimeout = 10 * time.Second

// served is a running prefork server with what HandleError received.
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

func serve(t *testing.T, st *prefork.Strategy) *served {
	t.Helper()
	s := &served{done: make(chan error, 1)}
	s.srv = &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.Upper(0, nil), Strategy: st,
		RequestQueueSize: 256, AllowReusePort: st.Accept == prefork.ReusePort, ErrorLog: slog.New(slog.DiscardHandler),
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

// request sends one seed request and returns the reply. It retries
// (at most 50 times) only when no byte of a reply arrived: the
// connection was refused or reset, or closed before answering, which is
// what a worker killed with the request in its hands, or one draining
// while the request was still on its way, leaves the client with. A
// reply that arrived is never retried, so every request is answered
// exactly once.
func request(addr, line string) (reply string, retries int, err error) {
	for attempt := range 50 {
		c, derr := net.DialTimeout("tcp", addr, ioTimeout)
		if derr == nil {
			_ = c.SetDeadline(time.Now().Add(ioTimeout))
			_, err = io.WriteString(c, line+"\n")
			var b []byte
			if err == nil {
				b, err = io.ReadAll(c)
			}
			c.Close()
			if len(b) > 0 {
				return string(b), attempt, err
			}
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
		} else {
			err = derr
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	return "", 50, fmt.Errorf("no reply in 50 attempts: %w", err)
}

// TestKillWorkerUnderLoad kills a worker while 8 clients send 40 requests
// each, with SIGKILL (the requests the worker held are lost with it, and
// their clients retry: no byte of a reply had arrived) and with SIGTERM
// (the worker drains). Every request must be answered exactly once and
// correctly, the killed worker must be reported and replaced, and the
// per-worker counts must account for every connection.
func TestKillWorkerUnderLoad(t *testing.T) {
	for _, tt := range []struct {
		name   string
		sig    syscall.Signal
		accept string
	}{
		{"SIGKILL/shared", syscall.SIGKILL, prefork.Shared},
		{"SIGTERM/shared", syscall.SIGTERM, prefork.Shared},
		{"SIGKILL/reuseport", syscall.SIGKILL, prefork.ReusePort},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := prefork.New("upper", 2)
			st.Accept = tt.accept
			s := serve(t, st)
			const clients, each = 8, 40
			var answered, retried atomic.Int64
			killAt := make(chan struct{})
			var wg sync.WaitGroup
			errs := make(chan error, clients*each)
			for i := range clients {
				wg.Go(func() {
					for j := range each {
						line := fmt.Sprintf("req %d.%d", i, j)
						got, n, err := request(s.addr, line)
						retried.Add(int64(n))
						if want := fmt.Sprintf("REQ %d.%d", i, j); err != nil || got != want {
							errs <- fmt.Errorf("%s: reply %q, %v; want %q", line, got, err, want)
							continue
						}
						if answered.Add(1) == clients*each/4 {
							close(killAt)
						}
					}
				})
			}
			select {
			case <-killAt:
			case <-time.After(60 * time.Second):
				t.Fatalf("only %d requests answered in a minute", answered.Load())
			}
			pids := st.Pids()
			if len(pids) != 2 {
				t.Fatalf("Pids() = %v, want 2 workers", pids)
			}
			if err := syscall.Kill(pids[0], tt.sig); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if n := answered.Load(); n != clients*each {
				t.Errorf("%d requests answered, want %d", n, clients*each)
			}
			t.Logf("%d requests answered, %d retries after %v", answered.Load(), retried.Load(), tt.sig)
			checkReplaced(t, st, s, pids[0], tt.sig)
			// Every answered connection's worker wrote its byte before
			// serving it; the parent reads the pipes a moment later.
			sum := func() (n int64) {
				for _, c := range st.Balance() {
					n += c
				}
				return n
			}
			for deadline := time.Now().Add(ioTimeout); sum() < clients*each && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			if sum() < clients*each {
				t.Errorf("Balance() %v sums to %d, fewer than the %d connections answered", st.Balance(), sum(), clients*each)
			}
		})
	}
}

// checkReplaced waits for the killed worker to be replaced and checks
// that its death was reported (a drained one exits 0 but is reported too:
// it left while serving).
func checkReplaced(t *testing.T, st *prefork.Strategy, s *served, killed int, sig syscall.Signal) {
	t.Helper()
	deadline := time.Now().Add(ioTimeout)
	for st.Restarts() < 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st.Restarts() != 1 {
		t.Fatalf("Restarts() = %d, want 1", st.Restarts())
	}
	errs := s.errors()
	if len(errs) != 1 || !errors.Is(errs[0], prefork.ErrWorkerExited) {
		t.Errorf("reported %v, want one ErrWorkerExited", errs)
	}
	for _, pid := range st.Pids() {
		if pid == killed {
			t.Errorf("the killed worker %d (%v) is still listed", pid, sig)
		}
	}
}

// TestShutdownDrains checks that Shutdown answers a request a worker has
// read and waits for the workers, leaving none running. The keep-alive
// client sends two lines in one write: the worker has read both when it
// answers the first (each reply waits 300 ms), so the second is in its
// hands, not on its way, when Shutdown begins.
func TestShutdownDrains(t *testing.T) {
	st := prefork.New("sleep:delay=300ms", 2)
	s := serve(t, st)
	c, err := net.DialTimeout("tcp", s.addr, ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	io.WriteString(c, "one\ntwo\n")
	r := bufio.NewReader(c)
	if got, err := r.ReadString('\n'); err != nil || got != "ONE\n" {
		t.Fatalf("first reply %q, %v", got, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(r); err != nil || string(b) != "TWO\n" {
		t.Errorf("the request read before Shutdown: %q, %v; want TWO and the connection closed", b, err)
	}
	if pids := st.Pids(); len(pids) != 0 {
		t.Errorf("workers %v still running after Shutdown", pids)
	}
	if errs := s.errors(); len(errs) != 0 {
		t.Errorf("Shutdown reported %v", errs)
	}
}

// TestServeErrors checks the error at Serve for a strategy without a
// handler spec, and for reuseport on a socket bound without SO_REUSEPORT.
func TestServeErrors(t *testing.T) {
	for _, tt := range []struct {
		st   *prefork.Strategy
		want error
	}{
		{&prefork.Strategy{Procs: 1}, prefork.ErrNoHandler},
		{&prefork.Strategy{Procs: 1, Handler: "upper", Accept: prefork.ReusePort}, prefork.ErrNoReusePort},
	} {
		srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.Upper(0, nil), Strategy: tt.st}
		if err := srv.Listen(); err != nil {
			t.Fatal(err)
		}
		err := srv.Serve(srv.Listener())
		if !errors.Is(err, tt.want) {
			t.Errorf("Serve = %v, want %v", err, tt.want)
		}
		srv.Close()
	}
}
