package socketserver

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestHandleRequestLosesListenerToShutdown stops the server exactly in the
// window between HandleRequest's beginAccept and its taking the listener
// (or datagram socket). HandleRequest must report ErrServerClosed, not
// that the server was never listening; CI once saw the latter from
// TestShutdownRacingHandleRequest.
func TestHandleRequestLosesListenerToShutdown(t *testing.T) {
	tests := []struct {
		name    string
		network string
		stop    func(*Server) error
		gone    func(*Server) bool
	}{
		{"tcp/Shutdown", "tcp", func(s *Server) error { return s.Shutdown(context.Background()) },
			func(s *Server) bool { return s.ln == nil }},
		{"tcp/Close", "tcp", (*Server).Close, func(s *Server) bool { return s.ln == nil }},
		{"udp/Close", "udp", (*Server).Close, func(s *Server) bool { return s.dg.pc == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{Network: tt.network, Addr: "127.0.0.1:0",
				Handler:         HandlerFunc(func(context.Context, *Request) error { return nil }),
				DatagramHandler: DatagramHandlerFunc(func(context.Context, *Datagram) error { return nil })}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			stopped := make(chan error, 1)
			testHookHandleRequest = func(s *Server) {
				go func() { stopped <- tt.stop(s) }()
				waitUntil(t, s, tt.gone)
			}
			defer func() { testHookHandleRequest = nil }()
			err := srv.HandleRequest(context.Background())
			if !errors.Is(err, ErrServerClosed) {
				t.Errorf("HandleRequest = %v, want ErrServerClosed", err)
			}
			select {
			case err := <-stopped:
				if err != nil {
					t.Errorf("stop: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the server did not stop after HandleRequest returned")
			}
		})
	}
}

// waitUntil polls cond under the server's lock for at most five seconds.
func waitUntil(t *testing.T, s *Server, cond func(*Server) bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		s.mu.Lock()
		ok := cond(s)
		s.mu.Unlock()
		if ok {
			return
		}
	}
	t.Fatal("the listener was not closed within 5s")
}
