package load_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/load"
)

// serveUpperDatagrams serves the docs' UDP handler on a free port; drop,
// if set, decides which requests (by number) get no reply.
func serveUpperDatagrams(t *testing.T, drop func(n int) bool) string {
	t.Helper()
	srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0",
		DatagramHandler: socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
			f := bytes.Fields(d.Data)
			if n, err := strconv.Atoi(string(f[len(f)-1])); drop != nil && err == nil && drop(n) {
				return nil
			}
			return d.Reply(bytes.ToUpper(bytes.TrimSpace(d.Data)))
		})}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Error(err)
		}
	})
	return srv.ListenAddr().String()
}

func TestRunDatagram(t *testing.T) {
	tests := []struct {
		name string
		cfg  load.DatagramConfig
		drop func(int) bool
		// check gets the result; losses are exact because the server
		// decides them by request number.
		check func(t *testing.T, r *load.DatagramResult)
	}{
		{"closed, nothing lost", load.DatagramConfig{Clients: 2, Duration: 100 * time.Millisecond, Timeout: 10 * time.Second}, nil,
			func(t *testing.T, r *load.DatagramResult) {
				if r.Sent == 0 || r.Lost != 0 || r.Received != r.Sent || r.Latency.TotalCount() != r.Received {
					t.Errorf("%v", r)
				}
			}},
		{"closed, every other one dropped", load.DatagramConfig{Duration: 300 * time.Millisecond, Timeout: 200 * time.Millisecond},
			func(n int) bool { return n%2 == 0 },
			func(t *testing.T, r *load.DatagramResult) {
				// The even requests are lost; an odd one answered later
				// than the timeout (a loaded machine) would be lost too.
				if r.Sent < 2 || r.Lost < (r.Sent+1)/2 || r.Received+r.Lost != r.Sent || r.Latency.TotalCount() != r.Received {
					t.Errorf("%v: want at least half of at least 2 lost", r)
				}
			}},
		{"open, rate", load.DatagramConfig{Clients: 2, Rate: 200, Duration: 200 * time.Millisecond, Timeout: 10 * time.Second}, nil,
			func(t *testing.T, r *load.DatagramResult) {
				if r.Sent != 40 || r.Lost != 0 || r.Received != 40 {
					t.Errorf("%v: want 40 sent and answered", r)
				}
			}},
		{"open, all dropped", load.DatagramConfig{Rate: 100, Duration: 100 * time.Millisecond, Timeout: 20 * time.Millisecond},
			func(int) bool { return true },
			func(t *testing.T, r *load.DatagramResult) {
				if r.Sent != 10 || r.Lost != 10 || r.LossRate() != 1 || r.Latency.TotalCount() != 0 {
					t.Errorf("%v: want all 10 lost", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Addr = serveUpperDatagrams(t, tt.drop)
			r, err := load.RunDatagram(context.Background(), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, r)
		})
	}
	if _, err := load.RunDatagram(context.Background(), load.DatagramConfig{Network: "tcp", Addr: "x"}); !errors.Is(err, load.ErrBadConfig) {
		t.Errorf("a stream network: %v, want ErrBadConfig", err)
	}
}
