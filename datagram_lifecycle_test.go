package socketserver_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

// streamOnly is a strategy that says it cannot execute datagrams.
type streamOnly struct{ goroutine.Strategy }

func (*streamOnly) StreamOnly() {}

func TestDatagramStreamOnlyStrategies(t *testing.T) {
	tests := []struct {
		name string
		st   socketserver.Strategy
	}{
		{"event loop", eventloop.New()},
		{"stream only", &streamOnly{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0", Strategy: tt.st, DatagramHandler: upperDatagram}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if err := srv.HandleRequest(context.Background()); !errors.Is(err, socketserver.ErrStreamOnly) {
				t.Errorf("HandleRequest: %v, want ErrStreamOnly", err)
			}
			if err := srv.ServePacket(srv.PacketConn()); !errors.Is(err, socketserver.ErrStreamOnly) {
				t.Errorf("ServePacket: %v, want ErrStreamOnly", err)
			}
		})
	}
}

func TestDatagramHandleRequest(t *testing.T) {
	var timeouts atomic.Int32
	srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0", DatagramHandler: upperDatagram,
		Timeout: 20 * time.Millisecond, HandleTimeout: func() { timeouts.Add(1) }}
	if err := srv.Bind(); err != nil { // bind_and_activate=False: two steps
		t.Fatal(err)
	}
	if err := srv.Activate(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.HandleRequest(context.Background()); !errors.Is(err, socketserver.ErrTimeout) {
		t.Errorf("HandleRequest with nothing sent: %v, want ErrTimeout", err)
	}
	if timeouts.Load() != 1 {
		t.Errorf("HandleTimeout called %d times, want 1", timeouts.Load())
	}
	c := dgramClient(t, "udp")
	if _, err := c.WriteTo([]byte("one "), srv.ListenAddr()); err != nil {
		t.Fatal(err)
	}
	srv.Timeout = 0
	ctx, cancel := context.WithTimeout(context.Background(), dgramWait)
	defer cancel()
	if err := srv.HandleRequest(ctx); err != nil {
		t.Fatalf("HandleRequest: %v", err)
	}
	if got := string(receive(t, c)); got != "ONE" {
		t.Errorf("reply %q, want ONE", got)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := srv.HandleRequest(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("HandleRequest with a cancelled context: %v", err)
	}
}

func TestDatagramHandleRequestEndsAtShutdown(t *testing.T) {
	srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0", DatagramHandler: upperDatagram}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.HandleRequest(context.Background()) }()
	ctx, cancel := context.WithTimeout(context.Background(), dgramWait)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
		t.Errorf("HandleRequest: %v, want ErrServerClosed", err)
	}
	if srv.PacketConn() != nil {
		t.Error("Shutdown left the datagram socket open")
	}
}

func TestDatagramVerifyPanicAndErrors(t *testing.T) {
	var reported []error
	errs := make(chan error, 10)
	srv := &socketserver.Server{
		VerifyDatagram: func(_ context.Context, d *socketserver.Datagram) bool { return string(d.Data) != "drop" },
		HandleError: func(r *socketserver.Request, err error) {
			if r == nil || r.Datagram == nil || r.ClientAddr == nil {
				err = errors.Join(err, errors.New("report without its datagram"))
			}
			errs <- err
		},
		DatagramHandler: socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
			switch string(d.Data) {
			case "panic":
				panic("boom")
			case "fail":
				return errors.New("failed")
			}
			return d.Reply(d.Data)
		}),
	}
	addr := startDgram(t, srv)
	c := dgramClient(t, "udp")
	for _, m := range []string{"drop", "panic", "fail"} {
		if _, err := c.WriteTo([]byte(m), addr); err != nil {
			t.Fatal(err)
		}
	}
	if got := string(dgramExchange(t, c, addr, []byte("ok"))); got != "ok" {
		t.Errorf("reply %q, want ok (the dropped datagram got no reply)", got)
	}
	for range 2 {
		select {
		case err := <-errs:
			reported = append(reported, err)
		case <-time.After(dgramWait):
			t.Fatal("errors not reported")
		}
	}
	var pe *socketserver.PanicError
	if !errors.As(reported[0], &pe) || reported[1].Error() != "failed" {
		t.Errorf("reported %v, want the panic then the error", reported)
	}
}

func TestDatagramShutdownFromHandler(t *testing.T) {
	for _, st := range dgramStrategies {
		t.Run(st.name, func(t *testing.T) {
			shut := make(chan error, 1)
			srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0", Strategy: st.make()}
			srv.DatagramHandler = socketserver.DatagramHandlerFunc(func(ctx context.Context, d *socketserver.Datagram) error {
				shut <- srv.Shutdown(ctx)
				return d.Reply([]byte("bye"))
			})
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.ListenAndServe() }()
			c := dgramClient(t, "udp")
			if got := string(dgramExchange(t, c, srv.ListenAddr(), []byte("x"))); got != "bye" {
				t.Errorf("reply %q", got)
			}
			if err := <-shut; err != nil {
				t.Errorf("Shutdown from the handler: %v", err)
			}
			select {
			case err := <-done:
				if !errors.Is(err, socketserver.ErrServerClosed) {
					t.Errorf("ListenAndServe: %v", err)
				}
			case <-time.After(dgramWait):
				srv.Close()
				t.Fatal("ListenAndServe did not return")
			}
		})
	}
}

func TestDatagramCloseInterruptsHandlers(t *testing.T) {
	started := make(chan struct{})
	var once atomic.Bool
	srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0", Strategy: goroutine.New(),
		DatagramHandler: socketserver.DatagramHandlerFunc(func(ctx context.Context, d *socketserver.Datagram) error {
			if once.CompareAndSwap(false, true) {
				close(started)
			}
			<-ctx.Done()
			return ctx.Err()
		})}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServePacket(srv.PacketConn()) }()
	c := dgramClient(t, "udp")
	if _, err := c.WriteTo([]byte("x"), srv.ListenAddr()); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := srv.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
		t.Errorf("ServePacket: %v", err)
	}
}

func TestDatagramServiceActions(t *testing.T) {
	calls := make(chan struct{}, 100)
	srv := &socketserver.Server{DatagramHandler: upperDatagram, PollInterval: 5 * time.Millisecond,
		ServiceActions: func() {
			select {
			case calls <- struct{}{}:
			default:
			}
		}}
	addr := startDgram(t, srv)
	for range 2 { // called while idle, more than once
		select {
		case <-calls:
		case <-time.After(dgramWait):
			t.Fatal("ServiceActions not called while idle")
		}
	}
	c := dgramClient(t, "udp")
	if got := string(dgramExchange(t, c, addr, []byte("a"))); got != "A" {
		t.Errorf("reply %q", got)
	}
}

func TestDatagramNetworks(t *testing.T) {
	tests := []struct {
		network, addr string
		want          func(net.Addr) bool
	}{
		{"udp", "127.0.0.1:0", func(a net.Addr) bool { u, ok := a.(*net.UDPAddr); return ok && u.Port != 0 }},
		{"udp4", "127.0.0.1:0", func(a net.Addr) bool { u, ok := a.(*net.UDPAddr); return ok && u.IP.To4() != nil }},
		{"unixgram", "", func(a net.Addr) bool { u, ok := a.(*net.UnixAddr); return ok && u.Net == "unixgram" }},
	}
	for _, tt := range tests {
		t.Run(tt.network, func(t *testing.T) {
			srv := &socketserver.Server{Network: tt.network, Addr: tt.addr, DatagramHandler: upperDatagram}
			addr := startDgram(t, srv)
			if !tt.want(addr) {
				t.Errorf("ListenAddr %#v", addr)
			}
			c := dgramClient(t, tt.network)
			if got := string(dgramExchange(t, c, addr, []byte(" hi\n"))); got != "HI" {
				t.Errorf("reply %q", got)
			}
		})
	}
}
