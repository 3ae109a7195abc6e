package socketserver_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
)

var errNotReady = errors.New("not configured")

// refusingStrategy is a CheckedStrategy whose Check fails; it counts the
// connections it is handed, which must stay zero.
type refusingStrategy struct{ executed atomic.Int32 }

func (r *refusingStrategy) Execute(_ context.Context, serve func()) error {
	r.executed.Add(1)
	serve()
	return nil
}
func (r *refusingStrategy) Shutdown(context.Context) error { return nil }
func (r *refusingStrategy) Check() error                   { return errNotReady }

// TestCheckedStrategy checks that Serve and HandleRequest return a failing
// Check's error before accepting: a client that connects is never served.
func TestCheckedStrategy(t *testing.T) {
	tests := []struct {
		name    string
		network string
		run     func(*socketserver.Server) error
	}{
		{"Serve", "tcp", func(s *socketserver.Server) error { return s.Serve(s.Listener()) }},
		{"HandleRequest", "tcp", func(s *socketserver.Server) error { return s.HandleRequest(context.Background()) }},
		{"ServePacket", "udp", func(s *socketserver.Server) error { return s.ServePacket(s.PacketConn()) }},
		{"HandleRequest/udp", "udp", func(s *socketserver.Server) error { return s.HandleRequest(context.Background()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &refusingStrategy{}
			srv := &socketserver.Server{Network: tt.network, Addr: "127.0.0.1:0", Handler: upper, DatagramHandler: upperDatagram, Strategy: st}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			c, err := net.Dial(tt.network, srv.ListenAddr().String()) // queued in the backlog or the socket
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write([]byte("hi\n")); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- tt.run(srv) }()
			select {
			case err := <-done:
				if !errors.Is(err, errNotReady) {
					t.Errorf("%s = %v, want the Check error", tt.name, err)
				}
			case <-time.After(5 * time.Second):
				srv.Close()
				<-done
				t.Fatalf("%s did not return the Check error", tt.name)
			}
			if n := st.executed.Load(); n != 0 {
				t.Errorf("%d connections executed, want none", n)
			}
		})
	}
}
