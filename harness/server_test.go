package harness

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// fakeServer is a hand-written seed server, not a socketserver.Server:
// what the server entry point must accept. Correct, it serves serially in
// its accept loop or a goroutine per connection; the flags break it in the
// ways the suite must catch.
type fakeServer struct {
	own net.Listener // the maker's listener, closed by Close even if never served
	fakeKind

	mu     sync.Mutex
	closed bool
	lns    []net.Listener
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup // connections being served
}

// fakeKind says how a fakeServer serves and how it is broken.
type fakeKind struct {
	serial   bool // handle in the accept loop
	drop     bool // the bug: Shutdown closes in-flight connections and returns at once
	serveNil bool // the bug: Serve returns nil after Shutdown or Close
}

// fakeMaker returns a MakeServer of fakes of the given kind.
func fakeMaker(kind fakeKind) MakeServer {
	return func(network, address string) (Server, net.Listener, error) {
		l, err := net.Listen(network, address)
		if err != nil {
			return nil, nil, err
		}
		return &fakeServer{own: l, fakeKind: kind}, l, nil
	}
}

func (f *fakeServer) Serve(l net.Listener) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return f.closedErr()
	}
	f.lns = append(f.lns, l)
	f.mu.Unlock()
	for {
		c, err := l.Accept()
		if err != nil {
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.closed {
				return f.closedErr()
			}
			return err
		}
		if !f.track(c) {
			c.Close()
			continue
		}
		if f.serial {
			f.serve(c)
		} else {
			go f.serve(c)
		}
	}
}

func (f *fakeServer) closedErr() error {
	if f.serveNil {
		return nil
	}
	return socketserver.ErrServerClosed
}

// track records c as in flight, unless the server is closing.
func (f *fakeServer) track(c net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	if f.conns == nil {
		f.conns = map[net.Conn]struct{}{}
	}
	f.conns[c] = struct{}{}
	f.wg.Add(1)
	return true
}

// serve is the seed's handler: one line, stripped and upper-cased, close.
func (f *fakeServer) serve(c net.Conn) {
	defer f.wg.Done()
	line, _ := bufio.NewReader(c).ReadBytes('\n')
	_, _ = c.Write(handlers.UpperInPlace(handlers.Strip(line)))
	c.Close()
	f.mu.Lock()
	delete(f.conns, c)
	f.mu.Unlock()
}

// stop marks the server closed and closes its listeners, and with
// conns its connections too.
func (f *fakeServer) stop(conns bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for _, l := range f.lns {
		_ = l.Close()
	}
	_ = f.own.Close()
	if conns {
		for c := range f.conns {
			_ = c.Close()
		}
	}
}

func (f *fakeServer) Shutdown(ctx context.Context) error {
	f.stop(f.drop)
	if f.drop {
		return nil
	}
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeServer) Close() error {
	f.stop(true)
	f.wg.Wait()
	return nil
}

// TestFakeServersPass: correct hand-written seed servers, serial and
// unbounded, pass every server check.
func TestFakeServersPass(t *testing.T) {
	for _, tt := range []struct {
		name string
		mk   MakeServer
		want socketserver.Concurrency
	}{
		{"serial", fakeMaker(fakeKind{serial: true}), socketserver.Serial},
		{"unbounded", fakeMaker(fakeKind{}), socketserver.Unbounded},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckServer(tt.mk, tt.want); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestBrokenServersAreCaught: broken seed servers fail the server entry
// point in the named check, for the reason it names.
func TestBrokenServersAreCaught(t *testing.T) {
	tests := []struct {
		name   string
		mk     MakeServer
		want   socketserver.Concurrency
		check  string
		reason string // a substring of the failure
	}{
		{
			name: "Shutdown drops in-flight requests", mk: fakeMaker(fakeKind{drop: true}), want: socketserver.Unbounded,
			check: "GracefulShutdown", reason: "Shutdown returned (<nil>) while 8 accepted requests were still in their handlers",
		},
		{
			name: "serial Shutdown drops in-flight requests", mk: fakeMaker(fakeKind{serial: true, drop: true}), want: socketserver.Serial,
			check: "GracefulShutdown", reason: "Shutdown returned (<nil>) while",
		},
		{
			name: "promises serial, is not", mk: fakeMaker(fakeKind{}), want: socketserver.Serial,
			check: "Capacity", reason: "a probe was served while 1 clients held connections",
		},
		{
			name: "promises 2, is serial", mk: fakeMaker(fakeKind{serial: true}), want: socketserver.AtMost(2),
			check: "Capacity", reason: "with 1 holders (one fewer than promised)",
		},
		{
			name: "Serve returns nil", mk: fakeMaker(fakeKind{serveNil: true}), want: socketserver.Unbounded,
			check: "RoundTripTCP", reason: "Serve returned <nil>, want ErrServerClosed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckServer(tt.mk, tt.want, tt.check)
			var se *SuiteError
			if !errors.As(err, &se) || !se.Failed(tt.check) {
				t.Fatalf("CheckServer(%s) = %v; want the check %s to fail", tt.check, err, tt.check)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("failure %q does not say %q", err, tt.reason)
			}
		})
	}
}

// TestServerChecksAreStrategyChecks: every server check also runs in the
// strategy suite, in the same order, and the strategy-only checks are
// exactly those that need a socketserver.Server of their own.
func TestServerChecksAreStrategyChecks(t *testing.T) {
	all, server := CheckNames(), ServerCheckNames()
	var only []string
	i := 0
	for _, n := range all {
		if i < len(server) && server[i] == n {
			i++
			continue
		}
		only = append(only, n)
	}
	if i != len(server) {
		t.Fatalf("server checks %v are not a subsequence of the strategy checks %v", server, all)
	}
	want := []string{"BindLeak", "HandlerError", "HandlerPanic", "VerifyRequestFalse", "StreamWrite", "ShutdownFromHandler", "AcceptErrors"}
	if strings.Join(only, ",") != strings.Join(want, ",") {
		t.Errorf("strategy-only checks %v, want %v", only, want)
	}
}

func TestCheckServerUnknownName(t *testing.T) {
	err := CheckServer(fakeMaker(fakeKind{}), socketserver.Unbounded, "BindLeak")
	if err == nil || !strings.Contains(err.Error(), `unknown check "BindLeak"`) {
		t.Fatalf("err = %v; want BindLeak unknown to the server suite", err)
	}
}

// TestServeSeed: the helper serves the seed with the given strategy.
func TestServeSeed(t *testing.T) {
	addr := ServeSeed(t, nil)
	got, err := seedclient.Exchange(context.Background(), "tcp", addr, []byte("hello world\n"))
	if err != nil || string(got) != "HELLO WORLD" {
		t.Fatalf("reply %q, %v; want %q", got, err, "HELLO WORLD")
	}
}
