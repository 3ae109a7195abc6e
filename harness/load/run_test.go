package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// modeCase is one mode as the table-driven tests run it.
type modeCase struct {
	mode Mode
	set  func(*Config)
}

var modeCases = []modeCase{
	{Closed, nil},
	{Pipelined, func(c *Config) { c.Depth = 4 }},
	{Open, func(c *Config) { c.Rate = 1500 }},
	{Churn, nil},
}

// server starts the right test server for mode: the seed's for Churn, the
// keep-alive upperlines server for the others.
func server(t testing.TB, network string, mode Mode, decide func(*testServer, int64) fault) *testServer {
	t.Helper()
	if mode == Churn {
		return serve(t, network, seed(decide))
	}
	return serve(t, network, lines(decide))
}

// config is a short run of mc against s.
func config(s *testServer, mc modeCase, conns int, d time.Duration) Config {
	cfg := Config{Network: s.network, Addr: s.addr, Mode: mc.mode, Conns: conns, Duration: d, ReplyTimeout: 2 * time.Second}
	if mc.set != nil {
		mc.set(&cfg)
	}
	return cfg
}

func mustRun(t *testing.T, cfg Config) *Result {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkConsistent(t, cfg, res)
	return res
}

// checkConsistent checks what must hold for every Result.
func checkConsistent(t *testing.T, cfg Config, res *Result) {
	t.Helper()
	conns := max(cfg.Conns, 1)
	if got, want := len(res.PerConn), conns-cfg.Slow; got != want {
		t.Errorf("len(PerConn) = %d, want %d", got, want)
	}
	if got := sum(res.PerConn); got != res.Requests {
		t.Errorf("sum(PerConn) = %d, Requests = %d", got, res.Requests)
	}
	if got := res.Latency.TotalCount(); got != res.Requests {
		t.Errorf("Latency.TotalCount() = %d, Requests = %d", got, res.Requests)
	}
	if cfg.Slow == 0 {
		if res.SlowLatency != nil || res.SlowPerConn != nil || res.SlowRequests != 0 {
			t.Errorf("slow results without slow connections: %v %v %d", res.SlowLatency, res.SlowPerConn, res.SlowRequests)
		}
	} else {
		if got := sum(res.SlowPerConn); got != res.SlowRequests || len(res.SlowPerConn) != cfg.Slow {
			t.Errorf("SlowPerConn %v, SlowRequests %d", res.SlowPerConn, res.SlowRequests)
		}
		if got := res.SlowLatency.TotalCount(); got != res.SlowRequests {
			t.Errorf("SlowLatency.TotalCount() = %d, SlowRequests = %d", got, res.SlowRequests)
		}
	}
	if res.Errors == 0 && res.ErrorSamples != nil {
		t.Errorf("ErrorSamples %q without errors", res.ErrorSamples)
	}
	if res.Errors > 0 && len(res.ErrorSamples) == 0 {
		t.Errorf("%d errors but no samples", res.Errors)
	}
	if len(res.ErrorSamples) > MaxErrorSamples {
		t.Errorf("%d error samples", len(res.ErrorSamples))
	}
	if res.Elapsed <= 0 || (!res.Cancelled && cfg.MeasureAt.IsZero() && res.Elapsed < cfg.Duration) {
		t.Errorf("Elapsed = %v for Duration %v", res.Elapsed, cfg.Duration)
	}
	if res.ClientCPUs < 1 || res.ClientUtil < 0 {
		t.Errorf("ClientCPUs %d, ClientUtil %v", res.ClientCPUs, res.ClientUtil)
	}
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

// hasSample reports whether some error sample contains sub.
func hasSample(res *Result, sub string) bool {
	for _, s := range res.ErrorSamples {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// countAtLeast counts the recorded values >= v.
func countAtLeast(h *hdrhistogram.Histogram, v int64) int64 {
	var n int64
	for _, b := range h.Distribution() {
		if b.From >= v {
			n += b.Count
		}
	}
	return n
}

func TestRunCorrectServer(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		for _, mc := range modeCases {
			t.Run(network+"/"+string(mc.mode), func(t *testing.T) {
				t.Parallel()
				s := server(t, network, mc.mode, nil)
				cfg := config(s, mc, 3, 150*time.Millisecond)
				res := mustRun(t, cfg)
				if res.Errors != 0 {
					t.Errorf("Errors = %d: %q", res.Errors, res.ErrorSamples)
				}
				if res.Requests == 0 {
					t.Fatal("no requests")
				}
				for i, n := range res.PerConn {
					if n == 0 {
						t.Errorf("connection %d served nothing: %v", i, res.PerConn)
					}
				}
				if served := s.served.Load(); served < res.Requests {
					t.Errorf("server sent %d replies, client counted %d", served, res.Requests)
				}
				if res.AchievedRate <= 0 || res.Latency.Min() < HistMin {
					t.Errorf("AchievedRate %v, min latency %d", res.AchievedRate, res.Latency.Min())
				}
				if mc.mode == Open {
					if res.TargetRate != cfg.Rate {
						t.Errorf("TargetRate = %v, want %v", res.TargetRate, cfg.Rate)
					}
					// The schedule is never run ahead of.
					if limit := int64(cfg.Rate*res.Elapsed.Seconds()*1.2) + 10; res.Requests > limit {
						t.Errorf("open loop sent %d requests in %v at rate %v", res.Requests, res.Elapsed, cfg.Rate)
					}
				} else if res.TargetRate != 0 || res.LateSends != 0 || res.MaxSendLag != 0 {
					t.Errorf("open-loop fields set in mode %s: %+v", mc.mode, res)
				}
				if mc.mode == Churn {
					if got := s.accepted.Load(); got < res.Requests {
						t.Errorf("churn: %d connections accepted for %d requests", got, res.Requests)
					}
				} else if got := s.accepted.Load(); got != int64(cfg.Conns) {
					t.Errorf("keep-alive: %d connections accepted, want %d", got, cfg.Conns)
				}
			})
		}
	}
}

func TestRunWrongReplies(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		for _, mc := range modeCases {
			t.Run(network+"/"+string(mc.mode), func(t *testing.T) {
				t.Parallel()
				s := server(t, network, mc.mode, always(faultWrong))
				res := mustRun(t, config(s, mc, 2, 100*time.Millisecond))
				if res.Requests != 0 || res.Errors == 0 {
					t.Errorf("Requests = %d, Errors = %d; want 0 and > 0", res.Requests, res.Errors)
				}
				if !hasSample(res, "reply: "+ErrWrongReply.Error()) {
					t.Errorf("samples %q lack a wrong reply", res.ErrorSamples)
				}
			})
		}
	}
}

func TestRunFaults(t *testing.T) {
	tests := []struct {
		name   string
		decide func(*testServer, int64) fault
		sample string // in some error sample
		atMost int64  // if > 0, Requests is at most this
	}{
		// Every 5th, not rarer: churn on a loaded 2-core machine may
		// complete only a handful of connections in the 150 ms.
		{"reset every 5th", func(_ *testServer, n int64) fault {
			if n%5 == 4 {
				return faultReset
			}
			return faultNone
		}, "reply: connection reset by peer", 0},
		{"close after 10", func(_ *testServer, n int64) fault {
			if n >= 10 {
				return faultClose
			}
			return faultNone
		}, "reply: " + ErrMissingReply.Error(), 10},
	}
	for _, tt := range tests {
		for _, mc := range modeCases {
			t.Run(tt.name+"/"+string(mc.mode), func(t *testing.T) {
				t.Parallel()
				s := server(t, "tcp", mc.mode, tt.decide)
				res := mustRun(t, config(s, mc, 2, 400*time.Millisecond))
				if res.Errors == 0 {
					t.Errorf("no errors counted")
				}
				if tt.atMost > 0 && res.Requests > tt.atMost {
					t.Errorf("Requests = %d, but the server answered only %d", res.Requests, tt.atMost)
				}
				if tt.atMost == 0 && res.Requests == 0 {
					t.Errorf("no requests after redialing")
				}
				if !hasSample(res, tt.sample) {
					t.Errorf("samples %q lack %q", res.ErrorSamples, tt.sample)
				}
			})
		}
	}
}

func TestRunReplyTimeout(t *testing.T) {
	for _, mc := range modeCases {
		t.Run(string(mc.mode), func(t *testing.T) {
			t.Parallel()
			s := server(t, "tcp", mc.mode, always(faultStall))
			cfg := config(s, mc, 2, 200*time.Millisecond)
			cfg.ReplyTimeout = 50 * time.Millisecond
			start := time.Now()
			res := mustRun(t, cfg)
			if res.Requests != 0 || res.Errors < 2 {
				t.Errorf("Requests = %d, Errors = %d; want 0 and >= 2", res.Requests, res.Errors)
			}
			if !hasSample(res, "reply: timeout") {
				t.Errorf("samples %q lack a reply timeout", res.ErrorSamples)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Run took %v", d)
			}
		})
	}
}

// TestRunInFlight: a server that stalls for longer than the run shows in
// InFlight, not in Errors.
func TestRunInFlight(t *testing.T) {
	for _, mc := range modeCases {
		t.Run(string(mc.mode), func(t *testing.T) {
			t.Parallel()
			s := server(t, "tcp", mc.mode, always(faultStall))
			cfg := config(s, mc, 2, 100*time.Millisecond)
			res := mustRun(t, cfg)
			want := int64(2)
			if mc.mode == Pipelined {
				want = 2 * int64(cfg.Depth)
			}
			if res.Requests != 0 || res.Errors != 0 || res.InFlight != want {
				t.Errorf("Requests %d, Errors %d, InFlight %d; want 0, 0, %d", res.Requests, res.Errors, res.InFlight, want)
			}
		})
	}
}

func TestRunWarmupDiscarded(t *testing.T) {
	wrongFirst200ms := func(s *testServer, _ int64) fault {
		if time.Since(s.start) < 200*time.Millisecond {
			return faultWrong
		}
		return faultNone
	}
	for _, mc := range modeCases {
		for _, warmup := range []time.Duration{0, 300 * time.Millisecond} {
			t.Run(string(mc.mode)+"/warmup="+warmup.String(), func(t *testing.T) {
				t.Parallel()
				s := server(t, "tcp", mc.mode, wrongFirst200ms)
				d := 200 * time.Millisecond
				if warmup == 0 {
					d = 400 * time.Millisecond // the control: errors, then replies
				}
				cfg := config(s, mc, 2, d)
				cfg.Warmup = warmup
				res := mustRun(t, cfg)
				if res.Requests == 0 {
					t.Errorf("no requests")
				}
				if warmup > 0 && res.Errors != 0 {
					t.Errorf("errors from the warm-up counted: %d %q", res.Errors, res.ErrorSamples)
				}
				if warmup == 0 && res.Errors == 0 {
					t.Errorf("without warm-up the first 200ms' errors must count")
				}
			})
		}
	}
}

// TestOpenLoopNoCoordinatedOmission: one 200ms stall must show as a max
// latency of ~200ms, and the requests whose intended times fell in the
// stall must show inflated latencies too.
func TestOpenLoopNoCoordinatedOmission(t *testing.T) {
	var stalled atomic.Bool // set by the server's goroutine, read by the test
	var once = make(chan struct{}, 1)
	once <- struct{}{}
	s := serve(t, "tcp", lines(func(s *testServer, _ int64) fault {
		if time.Since(s.start) > 150*time.Millisecond {
			select {
			case <-once:
				stalled.Store(true)
				time.Sleep(200 * time.Millisecond)
			default:
			}
		}
		return faultNone
	}))
	cfg := Config{Addr: s.addr, Mode: Open, Rate: 1000, Conns: 2, Duration: 600 * time.Millisecond}
	res := mustRun(t, cfg)
	if !stalled.Load() {
		t.Fatal("the server never stalled")
	}
	if res.Errors != 0 {
		t.Errorf("Errors = %d %q", res.Errors, res.ErrorSamples)
	}
	if max := res.Latency.Max(); max < 190_000 {
		t.Errorf("max latency %dus, want >= 190ms", max)
	}
	// The stalled connection had ~100 requests due during the stall
	// (500/s); about half were due more than 100ms before their reply.
	if n := countAtLeast(res.Latency, 100_000); n < 20 {
		t.Errorf("%d latencies >= 100ms; requests queued behind the stall must count from their intended time", n)
	}
	if res.LateSends < 20 || res.MaxSendLag < 150*time.Millisecond {
		t.Errorf("LateSends = %d, MaxSendLag = %v; want >= 20 and >= 150ms", res.LateSends, res.MaxSendLag)
	}
	// Measured from the actual send, only the stalled request itself is
	// slow: that is the coordinated omission the corrected histogram avoids.
	if n := countAtLeast(res.UncorrectedLatency, 100_000); n > 2 {
		t.Errorf("%d uncorrected latencies >= 100ms, want the stalled request only", n)
	}
	if res.UncorrectedLatency.TotalCount() != res.Requests {
		t.Errorf("UncorrectedLatency has %d values for %d requests", res.UncorrectedLatency.TotalCount(), res.Requests)
	}
	if res.ClientLateSends > res.LateSends {
		t.Errorf("ClientLateSends %d > LateSends %d", res.ClientLateSends, res.LateSends)
	}
}

func TestRunSlowClients(t *testing.T) {
	for _, mc := range modeCases {
		t.Run(string(mc.mode), func(t *testing.T) {
			t.Parallel()
			s := server(t, "tcp", mc.mode, nil)
			cfg := config(s, mc, 3, time.Second) // a slow request needs >= 21 sleeps of 1ms: room for a loaded machine
			cfg.Slow = 1
			cfg.SlowDelay = time.Millisecond
			res := mustRun(t, cfg)
			if res.Errors != 0 {
				t.Errorf("Errors = %d %q", res.Errors, res.ErrorSamples)
			}
			if res.SlowRequests == 0 || res.Requests == 0 {
				t.Fatalf("SlowRequests = %d, Requests = %d", res.SlowRequests, res.Requests)
			}
			// 21 bytes with 1ms between them.
			if min := res.SlowLatency.Min(); min < 19_000 {
				t.Errorf("slow request took %dus, want >= 20ms", min)
			}
			if res.SlowRequests >= res.Requests {
				t.Errorf("slow client did %d requests, the 2 others %d", res.SlowRequests, res.Requests)
			}
		})
	}
}

func TestRunIdle(t *testing.T) {
	s := server(t, "tcp", Closed, nil)
	cfg := Config{Addr: s.addr, Conns: 2, Idle: 100, Duration: 100 * time.Millisecond}
	res := mustRun(t, cfg)
	if res.IdleOpen != 100 || res.IdleAlive != 100 {
		t.Errorf("IdleOpen %d, IdleAlive %d; want 100, 100", res.IdleOpen, res.IdleAlive)
	}
	if got := s.accepted.Load(); got != 102 {
		t.Errorf("server accepted %d connections, want 102", got)
	}
}

func TestIsAlive(t *testing.T) {
	hold := serve(t, "tcp", func(s *testServer, c net.Conn) { <-s.done })
	drop := serve(t, "tcp", func(*testServer, net.Conn) {})
	for _, tt := range []struct {
		s    *testServer
		want bool
	}{{hold, true}, {drop, false}} {
		c, err := net.Dial("tcp", tt.s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		got := isAlive(c)
		for deadline := time.Now().Add(2 * time.Second); got != tt.want && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond) // the peer's FIN may not have arrived yet
			got = isAlive(c)
		}
		if got != tt.want {
			t.Errorf("isAlive = %v, want %v", got, tt.want)
		}
	}
}

func TestRunEcho(t *testing.T) {
	for _, size := range []int{1, 1000, MaxEchoSize} {
		for _, mode := range []Mode{Closed, Pipelined, Open} {
			t.Run(fmt.Sprintf("%s/%d", mode, size), func(t *testing.T) {
				t.Parallel()
				s := serve(t, "tcp", echo)
				// A 1 MiB echo under -race on a busy 2-core machine can take
				// longer than 100 ms: give it time for one round trip.
				d := 100 * time.Millisecond
				if size == MaxEchoSize {
					d = 2 * time.Second
				}
				cfg := Config{Addr: s.addr, Mode: mode, Conns: 2, Rate: 200, Protocol: Echo{Size: size}, Duration: d}
				res := mustRun(t, cfg)
				if res.Errors != 0 || res.Requests == 0 {
					t.Errorf("size %d: Requests %d, Errors %d %q", size, res.Requests, res.Errors, res.ErrorSamples)
				}
			})
		}
	}
}

func TestRunUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, cfg := range []Config{
		{Addr: addr, Conns: 3},
		{Addr: addr, Mode: Churn},
		{Network: "unix", Addr: t.TempDir() + "/none.sock", Mode: Pipelined},
	} {
		start := time.Now()
		res, err := Run(context.Background(), cfg)
		if !errors.Is(err, ErrUnreachable) || res != nil {
			t.Errorf("Run(%s %s) = %v, %v; want nil, ErrUnreachable", cfg.Mode, cfg.Addr, res, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("failing took %v", d)
		}
	}
}

func TestRunCancel(t *testing.T) {
	s := server(t, "tcp", Closed, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, Config{Addr: s.addr, Conns: 2, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run returned %v after the cancel", d)
	}
	if !res.Cancelled || res.Requests == 0 || res.Errors != 0 || res.Elapsed > time.Second {
		t.Errorf("Cancelled %v, Requests %d, Errors %d, Elapsed %v", res.Cancelled, res.Requests, res.Errors, res.Elapsed)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if res, err := Run(ctx, Config{Addr: s.addr, Warmup: time.Minute}); !errors.Is(err, context.DeadlineExceeded) || res != nil {
		t.Errorf("cancelled during warm-up: %v, %v; want nil, DeadlineExceeded", res, err)
	}
	if res, err := Run(ctx, Config{Addr: s.addr}); !errors.Is(err, context.DeadlineExceeded) || res != nil {
		t.Errorf("cancelled before: %v, %v; want nil, DeadlineExceeded", res, err)
	}
}

func TestRunBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Addr: "x", Network: "udp"},
		{Addr: "x", Mode: "bursty"},
		{Addr: "x", Conns: -1},
		{Addr: "x", Conns: 2, Slow: 3},
		{Addr: "x", Depth: -1},
		{Addr: "x", Duration: -time.Second},
		{Addr: "x", Mode: Open},
		{Addr: "x", Mode: Open, Rate: -1},
		{Addr: "x", Mode: Open, Rate: 10, Conns: 1, Slow: 1},
		{Addr: "x", Protocol: Echo{}},
		{Addr: "x", Protocol: Echo{Size: MaxEchoSize + 1}},
		{Addr: "x", Protocol: UpperLine{Line: "a\nb"}},
		{Addr: "x", Mode: Churn, ChurnLine: "a\nb"},
	} {
		if res, err := Run(context.Background(), cfg); !errors.Is(err, ErrBadConfig) || res != nil {
			t.Errorf("Run(%+v) = %v, %v; want ErrBadConfig", cfg, res, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Config{Addr: "x", Mode: Pipelined}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Network != "tcp" || cfg.Conns != 1 || cfg.Depth != DefaultDepth || cfg.Duration != DefaultDuration ||
		cfg.SlowDelay != DefaultSlowDelay || cfg.DialTimeout != DefaultDialTimeout || cfg.ReplyTimeout != DefaultReplyTimeout ||
		cfg.Protocol != (UpperLine{}) || cfg.ChurnLine != DefaultLine {
		t.Errorf("defaults: %+v", cfg)
	}
	if cfg, _ := (Config{Addr: "x", Depth: 5}).withDefaults(); cfg.Depth != 1 {
		t.Errorf("closed mode Depth = %d, want 1", cfg.Depth)
	}
}
