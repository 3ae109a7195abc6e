package load

import (
	"bufio"
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/internal/pybytes"
)

func TestParseRTT(t *testing.T) {
	tests := []struct {
		in      string
		want    RTT
		wantErr bool
	}{
		{"", RTT{}, false},
		{"0", RTT{}, false},
		{"20ms", RTT{Delay: 20 * time.Millisecond}, false},
		{" 20ms , jitter=2ms ", RTT{Delay: 20 * time.Millisecond, Jitter: 2 * time.Millisecond}, false},
		{"20ms,jitter=20ms", RTT{Delay: 20 * time.Millisecond, Jitter: 20 * time.Millisecond}, false},
		{"20ms,jitter=21ms", RTT{}, true}, // a negative one-way time
		{"20ms,2ms", RTT{}, true},
		{"20ms,jitter=x", RTT{}, true},
		{"fast", RTT{}, true},
		{"-1ms", RTT{}, true},
		{"11s", RTT{}, true},
	}
	for _, tt := range tests {
		got, err := ParseRTT(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseRTT(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrBadConfig) {
				t.Errorf("ParseRTT(%q) error %v does not wrap ErrBadConfig", tt.in, err)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("ParseRTT(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if back, err := ParseRTT(got.String()); err != nil || back != got {
			t.Errorf("ParseRTT(%q.String() = %q) = %+v, %v", tt.in, got.String(), back, err)
		}
	}
}

// TestPathLegs checks the stated jitter distribution: every leg within
// Delay/2 ± Jitter/2, with the mean at Delay/2.
func TestPathLegs(t *testing.T) {
	rtt := RTT{Delay: 20 * time.Millisecond, Jitter: 4 * time.Millisecond}
	p := newPath(rtt, 1, false)
	const n = 20000
	lo, hi := 8*time.Millisecond, 12*time.Millisecond
	var sum time.Duration
	for range n {
		d := p.legs(1)
		if d < lo || d >= hi {
			t.Fatalf("leg %s outside [%s, %s)", d, lo, hi)
		}
		sum += d
	}
	if mean := sum / n; mean < 9900*time.Microsecond || mean > 10100*time.Microsecond {
		t.Errorf("mean leg %s, want 10ms ± 0.1ms", mean)
	}
	if d := newPath(RTT{Delay: 20 * time.Millisecond}, 1, false).legs(3); d != 30*time.Millisecond {
		t.Errorf("3 legs without jitter = %s, want 30ms", d)
	}
}

func TestHoldQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Now()
	var q holdQueue
	var want []time.Duration
	for range 500 {
		d := time.Duration(rng.IntN(1000)) * time.Millisecond
		want = append(want, d)
		q.push(held{until: base.Add(d)})
	}
	var got []time.Duration
	for len(q) > 0 {
		got = append(got, q.pop().until.Sub(base))
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("pop %d: %s after %s", i, got[i], got[i-1])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("popped %d, pushed %d", len(got), len(want))
	}
}

// gapServer is the upperlines server that records, per request after a
// connection's first, how long after its previous reply it arrived: what
// the server sees of the client's round trip.
type gapServer struct {
	mu   sync.Mutex
	gaps []time.Duration
}

func (g *gapServer) handle(s *testServer, c net.Conn) {
	br := bufio.NewReader(c)
	var last time.Time
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return
		}
		now := time.Now()
		if !last.IsZero() {
			g.mu.Lock()
			g.gaps = append(g.gaps, now.Sub(last))
			g.mu.Unlock()
		}
		pybytes.UpperInPlace(line)
		last = time.Now() // before the write: the client cannot read the reply earlier
		if _, err := c.Write(line); err != nil {
			return
		}
	}
}

// TestRTTHoldsConnections checks what the server sees with an emulated
// RTT in each mode: requests on a connection arrive on average a round
// trip after the previous reply left, and the client's latency includes
// the round trips. Only lower bounds (the delay is applied), never
// speeds; each with slack for late wake-ups made up on later waits (a
// connection's waits sum to what was asked minus at most half a round trip
// of lateness carried in, see worker.hold).
func TestRTTHoldsConnections(t *testing.T) {
	const rtt = 20 * time.Millisecond
	tests := []struct {
		mode    Mode
		minLat  time.Duration // client-side latency at least
		perConn time.Duration // each connection's request at most every
	}{
		{Closed, rtt, rtt},
		{Open, rtt, rtt},
		{Churn, 2 * rtt, 2 * rtt},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			g := &gapServer{}
			handle := g.handle
			if tt.mode == Churn {
				handle = seed(nil)
			}
			srv := serve(t, "tcp", handle)
			cfg := Config{Addr: srv.addr, Mode: tt.mode, Conns: 3, Duration: 300 * time.Millisecond,
				Rate: 300, RTT: RTT{Delay: rtt}}
			res, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests == 0 || res.Errors != 0 {
				t.Fatalf("requests %d, errors %d (%v)", res.Requests, res.Errors, res.ErrorSamples)
			}
			if mean := time.Duration(res.Latency.Mean() * float64(time.Microsecond)); mean < tt.minLat*3/4 {
				t.Errorf("mean latency %s, want at least about %s", mean, tt.minLat)
			}
			// Each connection has about one request per perConn at most.
			if most := int64(cfg.Conns) * (int64(res.Elapsed/tt.perConn) + 3); res.Requests > most {
				t.Errorf("%d requests in %s on %d connections: more than %d, one per %s each", res.Requests, res.Elapsed, cfg.Conns, most, tt.perConn)
			}
			if res.RTTHolds == 0 || res.RTTLag == nil || res.RTTLag.TotalCount() == 0 || res.RTTTimer == "" || res.RTTAsked <= 0 || res.RTTHeld <= 0 {
				t.Errorf("RTTHolds %d, RTTLag %v, RTTTimer %q, asked %s, held %s: want the holds counted and sampled",
					res.RTTHolds, res.RTTLag, res.RTTTimer, res.RTTAsked, res.RTTHeld)
			}
			g.mu.Lock()
			defer g.mu.Unlock()
			var sum time.Duration
			for _, gap := range g.gaps {
				sum += gap
			}
			if n := len(g.gaps); n > 0 && sum < time.Duration(n-2*cfg.Conns)*rtt {
				t.Errorf("%d requests arrived %s after their previous replies in all, want about %s (a round trip each)", n, sum, time.Duration(n)*rtt)
			}
		})
	}
}

func TestRTTBadConfig(t *testing.T) {
	tests := []Config{
		{Addr: "127.0.0.1:1", Mode: Pipelined, RTT: RTT{Delay: time.Millisecond}},
		{Addr: "127.0.0.1:1", RTT: RTT{Delay: time.Millisecond, Jitter: 2 * time.Millisecond}},
		{Addr: "127.0.0.1:1", RTT: RTT{Delay: -time.Millisecond}},
	}
	for _, cfg := range tests {
		if _, err := Run(context.Background(), cfg); !errors.Is(err, ErrBadConfig) {
			t.Errorf("Run(%+v) = %v, want ErrBadConfig", cfg.RTT, err)
		}
	}
}

// TestRTTCancel stops runs whose connections are held on the wheel, in
// the handshake (before Run has seen a dial) and between requests: Run
// returns promptly and leaves no goroutine (goleak checks).
func TestRTTCancel(t *testing.T) {
	srv := serve(t, "tcp", lines(nil))
	tests := []struct {
		name    string
		rtt     time.Duration
		wantErr error // nil: a cancelled Result
	}{
		{"handshake", 5 * time.Second, context.Canceled},
		{"requests", 200 * time.Millisecond, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			time.AfterFunc(500*time.Millisecond, cancel)
			start := time.Now()
			res, err := Run(ctx, Config{Addr: srv.addr, Conns: 8, Duration: 10 * time.Second, RTT: RTT{Delay: tt.rtt}})
			if d := time.Since(start); d > 4*time.Second {
				t.Errorf("Run took %s after a cancel at 500ms", d)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Errorf("Run = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(struct {
				Cancelled bool
				Errors    int64
			}{true, 0}, struct {
				Cancelled bool
				Errors    int64
			}{res.Cancelled, res.Errors}); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}
