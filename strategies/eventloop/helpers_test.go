//go:build linux

package eventloop_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
)

// replyTimeout bounds every wait of a client in these tests.
const replyTimeout = 5 * time.Second

// server is a running server of a test, with what HandleError received.
type server struct {
	*socketserver.Server
	addr string
	done chan error // Serve's result

	mu   sync.Mutex
	errs []error
}

func (s *server) handlerErrors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errs...)
}

// serve serves h with st on 127.0.0.1 until the test ends; tweak, if not
// nil, adjusts the server before it listens.
func serve(t *testing.T, h socketserver.Handler, st socketserver.Strategy, tweak func(*socketserver.Server)) *server {
	t.Helper()
	s := &server{done: make(chan error, 1)}
	s.Server = &socketserver.Server{Addr: "127.0.0.1:0", Handler: h, Strategy: st, RequestQueueSize: 128,
		ErrorLog: slog.New(slog.DiscardHandler),
		HandleError: func(_ *socketserver.Request, err error) {
			s.mu.Lock()
			s.errs = append(s.errs, err)
			s.mu.Unlock()
		}}
	if tweak != nil {
		tweak(s.Server)
	}
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	s.addr = s.ListenAddr().String()
	go func() { s.done <- s.Serve(s.Listener()) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		select {
		case err := <-s.done:
			s.done <- err
			if !errors.Is(err, socketserver.ErrServerClosed) {
				t.Errorf("Serve returned %v, want ErrServerClosed", err)
			}
		case <-time.After(replyTimeout):
			t.Error("Serve did not return after Close")
		}
	})
	return s
}

func dial(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(replyTimeout))
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip is the seed's exchange: one line, the whole reply, the close.
func roundTrip(t *testing.T, network, addr, line string) string {
	t.Helper()
	c := dial(t, network, addr)
	if _, err := io.WriteString(c, line); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply to %q: %v", line, err)
	}
	return string(got)
}

// readLine reads one reply line from r.
func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	s, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading a reply line (got %q): %v", s, err)
	}
	return s
}

// eventually polls cond every few milliseconds for at most d.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// upperLines is the keep-alive protocol as a message handler.
func upperLines() *socketserver.MessageHandler { return handlers.UpperLinesMessage(0, handlers.Work{}) }

// shutdown calls Shutdown with a bounded context.
func shutdown(s *server) error {
	ctx, cancel := context.WithTimeout(context.Background(), replyTimeout)
	defer cancel()
	return s.Shutdown(ctx)
}
