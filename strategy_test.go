package socketserver_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
)

// acceptingStrategy is a fake ListenerStrategy: it accepts on the listener
// in ServeListener and serves each admitted connection in a goroutine of
// its own, as an event loop or a SO_REUSEPORT group would own accepting.
type acceptingStrategy struct {
	wg       sync.WaitGroup
	accepted atomic.Int32
	fail     error // returned by ServeListener at once, when set
}

func (a *acceptingStrategy) Execute(context.Context, func()) error {
	return errors.New("acceptingStrategy: Execute called; the server should have called ServeListener")
}

func (a *acceptingStrategy) ServeListener(ctx context.Context, l net.Listener, p *socketserver.Pipeline) error {
	if a.fail != nil {
		return a.fail
	}
	for {
		rwc, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		a.accepted.Add(1)
		if c := p.Admit(rwc); c != nil {
			a.wg.Add(1)
			go func() { defer a.wg.Done(); c.Serve() }()
		}
	}
}

func (a *acceptingStrategy) Shutdown(ctx context.Context) error {
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestListenerStrategy checks the accept-owning seam with the fake: the
// server hands Serve's listener to the strategy, and the pipeline still
// verifies, tracks, reports and closes each connection; Shutdown waits for
// what was admitted; HandleRequest refuses; an early error ends Serve.
func TestListenerStrategy(t *testing.T) {
	st := &acceptingStrategy{}
	b := newBlocker()
	var reported atomic.Int32
	var actions atomic.Int32
	srv := &socketserver.Server{Strategy: st, PollInterval: 5 * time.Millisecond,
		ServiceActions: func() { actions.Add(1) },
		HandleError:    func(*socketserver.Request, error) { reported.Add(1) },
	}
	srv.Handler = socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		if err := b.Handle(ctx, r); err != nil {
			return err
		}
		return errors.New("reported once")
	})
	addr := start(t, srv)
	replies := make(chan string, 2)
	for range 2 {
		go func() { got, err := tryExchange("tcp", addr, ""); replies <- got + errString(err) }()
	}
	for range 2 {
		<-b.started
	}
	if n := srv.ActiveConns(); n != 2 {
		t.Errorf("ActiveConns = %d with two clients in their handlers, want 2", n)
	}
	for deadline := time.Now().Add(5 * time.Second); actions.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if actions.Load() == 0 {
		t.Error("ServiceActions was never called while the strategy accepted")
	}
	if err := srv.HandleRequest(context.Background()); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("HandleRequest with a ListenerStrategy: %v, want ErrUnsupported", err)
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) with admitted connections in their handlers", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(b.release)
	for range 2 {
		if got := <-replies; got != "done" {
			t.Errorf("admitted client got %q, want done", got)
		}
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if n := reported.Load(); n != 2 {
		t.Errorf("%d handler errors reported, want 2 (one per connection)", n)
	}
	if n := st.accepted.Load(); n != 2 {
		t.Errorf("the strategy accepted %d connections, want 2", n)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// TestListenerStrategyVerifies checks that a connection the strategy
// accepted and VerifyRequest refuses is closed unserved, with no data.
func TestListenerStrategyVerifies(t *testing.T) {
	var served atomic.Bool
	srv := &socketserver.Server{Strategy: &acceptingStrategy{},
		VerifyRequest: func(context.Context, net.Conn) bool { return false },
		Handler: socketserver.HandlerFunc(func(context.Context, *socketserver.Request) error {
			served.Store(true)
			return nil
		})}
	addr := start(t, srv)
	if got := exchange(t, "tcp", addr, "x\n"); got != "" {
		t.Errorf("refused client got %q, want nothing", got)
	}
	if served.Load() {
		t.Error("the handler ran for a refused connection")
	}
}

// TestListenerStrategyError checks that a ServeListener that fails before
// shutdown ends Serve with its error, wrapped.
func TestListenerStrategyError(t *testing.T) {
	boom := errors.New("boom")
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: upper, Strategy: &acceptingStrategy{fail: boom}}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.Serve(srv.Listener()); !errors.Is(err, boom) {
		t.Fatalf("Serve with a failing ServeListener: %v, want %v wrapped", err, boom)
	}
}

// handingStrategy is a fake ConnStrategy: like a process per connection
// that passes the descriptor on, it serves each connection elsewhere (here
// a goroutine that answers without the server's Handler) and finishes it.
type handingStrategy struct {
	wg     sync.WaitGroup
	result error         // what serving each connection "fails" with
	hold   chan struct{} // when set, serving waits for it to close
	refuse bool          // refuse every connection
	twice  bool          // call Finish twice (a broken strategy)
}

func (h *handingStrategy) Execute(context.Context, func()) error {
	return errors.New("handingStrategy: Execute called; the server should have called ExecuteConn")
}

func (h *handingStrategy) ExecuteConn(_ context.Context, c *socketserver.Conn) error {
	if h.refuse {
		return socketserver.ErrRefused
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		if h.hold != nil {
			<-h.hold
		}
		_, err := io.WriteString(c.Request().Conn, "elsewhere")
		c.Finish(errors.Join(err, h.result))
		if h.twice {
			c.Finish(nil)
		}
	}()
	return nil
}

func (h *handingStrategy) Shutdown(context.Context) error { h.wg.Wait(); return nil }

// TestConnStrategy checks the connection-taking seam with the fake, for
// both accept paths: the server hands the Conn over instead of running the
// Handler, reports what Finish reports once, closes the connection after
// Finish, and tracks it until then.
func TestConnStrategy(t *testing.T) {
	failed := errors.New("child exited with status 3")
	tests := []struct {
		name      string
		st        *handingStrategy
		want      string
		reports   int
		handleReq bool
	}{
		{name: "served", st: &handingStrategy{}, want: "elsewhere"},
		{name: "failed", st: &handingStrategy{result: failed}, want: "elsewhere", reports: 1},
		{name: "refused", st: &handingStrategy{refuse: true}, want: "", reports: 1},
		{name: "finished twice", st: &handingStrategy{twice: true}, want: "elsewhere", reports: 1},
		{name: "HandleRequest", st: &handingStrategy{result: failed}, want: "elsewhere", reports: 1, handleReq: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var errs []error
			var handled atomic.Bool
			srv := &socketserver.Server{Strategy: tt.st,
				HandleError: func(_ *socketserver.Request, err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() },
				Handler: socketserver.HandlerFunc(func(context.Context, *socketserver.Request) error {
					handled.Store(true)
					return nil
				})}
			var addr string
			if tt.handleReq {
				srv.Addr = "127.0.0.1:0"
				listening(t, srv)
				addr = srv.ListenAddr().String()
				reply := exchangeLater("tcp", addr, "x\n", 0)
				if err := srv.HandleRequest(context.Background()); err != nil {
					t.Fatalf("HandleRequest: %v", err)
				}
				if got := <-reply; got != tt.want {
					t.Errorf("reply %q, want %q", got, tt.want)
				}
			} else {
				addr = start(t, srv)
				if got := exchange(t, "tcp", addr, "x\n"); got != tt.want {
					t.Errorf("reply %q, want %q", got, tt.want)
				}
			}
			if err := srv.Shutdown(context.Background()); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			if handled.Load() {
				t.Error("the server ran its Handler for a connection the strategy took")
			}
			mu.Lock()
			defer mu.Unlock()
			if len(errs) != tt.reports {
				t.Fatalf("reported %v, want %d report(s)", errs, tt.reports)
			}
			if tt.st.result != nil && !errors.Is(errs[0], tt.st.result) {
				t.Errorf("reported %v, want %v", errs[0], tt.st.result)
			}
			if n := srv.ActiveConns(); n != 0 {
				t.Errorf("%d connections tracked after Shutdown", n)
			}
		})
	}
}

// TestConnStrategyShutdownWaits checks that Shutdown waits for a
// connection the strategy took and has not finished, and that the
// connection stays tracked until Finish.
func TestConnStrategyShutdownWaits(t *testing.T) {
	st := &handingStrategy{hold: make(chan struct{})}
	srv := &socketserver.Server{Strategy: st, Handler: upper}
	addr := start(t, srv)
	reply := exchangeLater("tcp", addr, "x\n", 0)
	deadline := time.Now().Add(5 * time.Second)
	for srv.ActiveConns() != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := srv.ActiveConns(); n != 1 {
		t.Fatalf("ActiveConns = %d with one connection taken by the strategy, want 1", n)
	}
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned (%v) before the strategy finished its connection", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(st.hold)
	if got := <-reply; got != "elsewhere" {
		t.Errorf("reply %q, want elsewhere", got)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}
