package socketserver_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"github.com/gosocketserver/socketserver/strategies/pool"
)

// raceStrategies are the executions the Shutdown/HandleRequest race is
// checked with: the accept loop itself (nil), a goroutine per connection,
// and a pool.
var raceStrategies = []struct {
	name string
	mk   func() socketserver.Strategy
}{
	{"inline", func() socketserver.Strategy { return nil }},
	{"goroutine", func() socketserver.Strategy { return goroutine.New() }},
	{"pool", func() socketserver.Strategy { return pool.New(2, 0) }},
}

// TestShutdownDuringHandleRequestAccept makes Shutdown start exactly in the
// window between HandleRequest's accept and the strategy's Execute (from
// VerifyRequest, which runs there). Shutdown must count that accept path:
// it waits for it, the accepted client gets its reply, and Shutdown returns
// only after the handler has. Before the fix, Shutdown returned at once and
// the goroutine and pool strategies dropped the connection with
// ErrStrategyClosed.
func TestShutdownDuringHandleRequestAccept(t *testing.T) {
	for _, st := range raceStrategies {
		t.Run(st.name, func(t *testing.T) {
			var handled atomic.Bool
			var reported atomic.Int32
			srv := &socketserver.Server{Addr: "127.0.0.1:0", Strategy: st.mk(),
				HandleError: func(_ *socketserver.Request, err error) { reported.Add(1); t.Logf("reported: %v", err) }}
			srv.Handler = socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
				defer handled.Store(true)
				return upper.Handle(ctx, r)
			})
			shut := make(chan error, 1)
			shutEarly := make(chan bool, 1)
			srv.VerifyRequest = func(context.Context, net.Conn) bool {
				go func() { shut <- srv.Shutdown(context.Background()) }()
				select {
				case err := <-shut:
					shut <- err
					shutEarly <- true
				case <-time.After(100 * time.Millisecond): // Shutdown is (rightly) waiting
					shutEarly <- false
				}
				return true
			}
			listening(t, srv)
			reply := exchangeLater("tcp", srv.ListenAddr().String(), "hi\n", 0)
			if err := srv.HandleRequest(context.Background()); err != nil {
				t.Fatalf("HandleRequest: %v", err)
			}
			if <-shutEarly {
				t.Error("Shutdown returned while HandleRequest was handing over an accepted connection")
			}
			if got := <-reply; got != "HI" {
				t.Errorf("the accepted client got %q, want HI", got)
			}
			select {
			case err := <-shut:
				if err != nil {
					t.Errorf("Shutdown: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Shutdown did not return after the handler finished")
			}
			if !handled.Load() {
				t.Error("Shutdown returned before the accepted connection's handler ran")
			}
			if n := reported.Load(); n != 0 {
				t.Errorf("%d errors reported, want none", n)
			}
		})
	}
}

// TestShutdownRacingHandleRequest races Shutdown against HandleRequest with
// no hook, many times: whenever the server accepted the client, the client
// is answered and Shutdown returns only after its handler has finished.
// A client the server never accepted is refused or reset, which is allowed.
func TestShutdownRacingHandleRequest(t *testing.T) {
	const rounds = 100
	deadline := time.Now().Add(20 * time.Second)
	for _, st := range raceStrategies {
		t.Run(st.name, func(t *testing.T) {
			accepted := 0
			for i := 0; i < rounds && time.Now().Before(deadline); i++ {
				if shutdownRaceRound(t, st.mk(), i) {
					accepted++
				}
			}
			t.Logf("%d of %d rounds accepted the client before Shutdown", accepted, rounds)
		})
	}
}

// shutdownRaceRound runs one round of TestShutdownRacingHandleRequest and
// reports whether the server accepted the client.
func shutdownRaceRound(t *testing.T, st socketserver.Strategy, i int) bool {
	t.Helper()
	var accepted, handled atomic.Bool
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Strategy: st, RequestQueueSize: 8,
		HandleError: func(_ *socketserver.Request, err error) { t.Errorf("round %d: reported: %v", i, err) }}
	srv.Handler = socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		defer handled.Store(true)
		return upper.Handle(ctx, r)
	})
	srv.VerifyRequest = func(context.Context, net.Conn) bool { accepted.Store(true); return true }
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "hi\n"); err != nil {
		t.Fatal(err)
	}
	hr := make(chan error, 1)
	go func() { hr <- srv.HandleRequest(context.Background()) }()
	if i%2 == 1 {
		time.Sleep(time.Duration(i%7) * 10 * time.Microsecond) // vary the interleaving
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("round %d: Shutdown: %v", i, err)
	}
	if accepted.Load() && !handled.Load() {
		t.Errorf("round %d: Shutdown returned while the accepted connection's handler had not finished", i)
	}
	if err := <-hr; err != nil && !errors.Is(err, socketserver.ErrServerClosed) {
		t.Errorf("round %d: HandleRequest: %v", i, err)
	}
	got, _ := io.ReadAll(c)
	if accepted.Load() && string(got) != "HI" {
		t.Errorf("round %d: the accepted client got %q, want HI", i, got)
	}
	return accepted.Load()
}
