package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// This file is the datagram load: requests of the docs' UDPServer
// protocol (one datagram, answered by it stripped and upper-cased). A
// datagram can be lost, so every request has a timeout and a lost one is
// counted as lost, never folded into the latency.

// DatagramConfig describes a datagram load.
type DatagramConfig struct {
	Network string // "udp" (default), "udp4", "udp6" or "unixgram"
	Addr    string // host:port or socket path; required
	// Clients is the number of client sockets (default 1). Closed loop:
	// each has one request in flight. Open loop: sends go round-robin over
	// them.
	Clients int
	// Rate, when positive, makes the load open-loop: Rate requests per
	// second in all, each sent at its intended time whatever the replies
	// do, its latency measured from that time (no coordinated omission).
	Rate float64
	// Duration is how long requests are sent; default DefaultDuration.
	Duration time.Duration
	// Timeout is how long a request waits for its reply before it counts
	// as lost; default 1s.
	Timeout time.Duration
}

// DatagramResult is what a datagram load measured.
type DatagramResult struct {
	Sent, Received, Lost int64
	Elapsed              time.Duration // the sending interval
	// Latency holds the answered requests' latencies in microseconds.
	Latency *hdrhistogram.Histogram
}

// LossRate is the lost share of the sent requests, 0 to 1.
func (r *DatagramResult) LossRate() float64 {
	if r.Sent == 0 {
		return 0
	}
	return float64(r.Lost) / float64(r.Sent)
}

// Throughput is answered requests per second of the sending interval.
func (r *DatagramResult) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Received) / r.Elapsed.Seconds()
}

// Percentile returns the latency at percentile q (0 to 100).
func (r *DatagramResult) Percentile(q float64) time.Duration {
	return time.Duration(r.Latency.ValueAtQuantile(q)) * time.Microsecond
}

// String is a one-line summary.
func (r *DatagramResult) String() string {
	return fmt.Sprintf("sent %d received %d lost %d (%.2f%%) %.0f req/s p50 %v p99 %v",
		r.Sent, r.Received, r.Lost, 100*r.LossRate(), r.Throughput(), r.Percentile(50), r.Percentile(99))
}

func (cfg DatagramConfig) withDefaults() (DatagramConfig, error) {
	switch cfg.Network {
	case "":
		cfg.Network = "udp"
	case "udp", "udp4", "udp6", "unixgram":
	default:
		return cfg, fmt.Errorf("%w: datagram network %q (want udp, udp4, udp6 or unixgram)", ErrBadConfig, cfg.Network)
	}
	if cfg.Addr == "" || cfg.Clients < 0 || cfg.Rate < 0 || cfg.Duration < 0 || cfg.Timeout < 0 {
		return cfg, fmt.Errorf("%w: no address, or a negative number", ErrBadConfig)
	}
	cfg.Clients = max(cfg.Clients, 1)
	if cfg.Duration == 0 {
		cfg.Duration = DefaultDuration
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = time.Second
	}
	return cfg, nil
}

// RunDatagram runs a datagram load and returns what it measured. It stops
// early, with what it has, when ctx is done.
func RunDatagram(ctx context.Context, cfg DatagramConfig) (*DatagramResult, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	clients := make([]*dgramWorker, cfg.Clients)
	for i := range clients {
		c, err := blackbox.DialDatagram(cfg.Network, cfg.Addr, "auto")
		if err != nil {
			for _, w := range clients[:i] {
				w.c.Close()
			}
			return nil, err
		}
		clients[i] = &dgramWorker{c: c, id: i, hist: newHist(), pending: map[uint64]time.Time{}}
	}
	start := time.Now()
	end := start.Add(cfg.Duration)
	if cfg.Rate > 0 {
		openDatagrams(ctx, clients, cfg, start, end)
	} else {
		var wg sync.WaitGroup
		for _, w := range clients {
			wg.Go(func() { w.closedLoop(ctx, end, cfg.Timeout) })
		}
		wg.Wait()
	}
	r := &DatagramResult{Elapsed: min(time.Since(start), cfg.Duration), Latency: newHist()}
	for _, w := range clients {
		w.c.Close()
		r.Sent += w.sent.Load()
		r.Received += w.received.Load()
		r.Latency.Merge(w.hist)
	}
	r.Lost = r.Sent - r.Received
	return r, nil
}

// A dgramWorker is one client socket.
type dgramWorker struct {
	c              *blackbox.DatagramClient
	id             int
	sent, received atomic.Int64
	mu             sync.Mutex
	hist           *hdrhistogram.Histogram
	pending        map[uint64]time.Time // open loop: request number -> intended send time
	sendDone       bool                 // open loop: no more requests; guarded by mu
}

// request is the datagram of request n; reply is the answer it expects.
func (w *dgramWorker) request(n uint64) []byte {
	return []byte("client " + strconv.Itoa(w.id) + " request " + strconv.FormatUint(n, 10) + "\n")
}

func reply(req []byte) []byte { return bytes.ToUpper(bytes.TrimSpace(req)) }

// closedLoop sends one request at a time until end: each waits at most
// timeout for its reply (late replies to earlier requests are skipped).
func (w *dgramWorker) closedLoop(ctx context.Context, end time.Time, timeout time.Duration) {
	buf := make([]byte, 65536)
	for n := uint64(0); ctx.Err() == nil && time.Now().Before(end); n++ {
		req := w.request(n)
		want := reply(req)
		t0 := time.Now()
		if _, err := w.c.Write(req); err != nil {
			if errors.Is(err, context.Canceled) {
				return
			}
			time.Sleep(time.Millisecond) // ECONNREFUSED from ICMP: count it lost, go on
		}
		w.sent.Add(1)
		_ = w.c.SetReadDeadline(t0.Add(timeout))
		for {
			k, err := w.c.Read(buf)
			if err != nil {
				break // lost
			}
			if bytes.Equal(buf[:k], want) {
				w.received.Add(1)
				_ = w.hist.RecordValue(max(time.Since(t0).Microseconds(), 1))
				break
			}
		}
	}
}

// openDatagrams sends at cfg.Rate from start to end, round-robin over the
// clients, and collects replies until cfg.Timeout after the last send.
func openDatagrams(ctx context.Context, clients []*dgramWorker, cfg DatagramConfig, start, end time.Time) {
	var wg sync.WaitGroup
	for _, w := range clients {
		_ = w.c.SetReadDeadline(end.Add(cfg.Timeout))
		wg.Go(func() { w.collect(cfg.Timeout) })
	}
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	for i := uint64(0); ctx.Err() == nil; i++ {
		due := start.Add(time.Duration(i) * interval)
		if !due.Before(end) {
			break
		}
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		w := clients[i%uint64(len(clients))]
		n := i / uint64(len(clients))
		w.mu.Lock()
		w.pending[n] = due
		w.mu.Unlock()
		w.sent.Add(1)
		_, _ = w.c.Write(w.request(n))
	}
	for _, w := range clients {
		w.mu.Lock()
		w.sendDone = true
		answered := len(w.pending) == 0
		w.mu.Unlock()
		if answered || ctx.Err() != nil {
			_ = w.c.SetReadDeadline(time.Unix(1, 0)) // nothing more to wait for
		}
	}
	wg.Wait()
}

// collect reads replies until the socket's deadline, recording each whose
// request is pending and came back within timeout of its intended time.
func (w *dgramWorker) collect(timeout time.Duration) {
	buf := make([]byte, 65536)
	prefix := []byte("CLIENT " + strconv.Itoa(w.id) + " REQUEST ")
	for {
		k, err := w.c.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		n, err := strconv.ParseUint(string(bytes.TrimPrefix(buf[:k], prefix)), 10, 64)
		if err != nil || !bytes.HasPrefix(buf[:k], prefix) {
			continue
		}
		w.mu.Lock()
		due, ok := w.pending[n]
		delete(w.pending, n)
		finished := w.sendDone && len(w.pending) == 0
		w.mu.Unlock()
		if ok && now.Sub(due) <= timeout {
			w.received.Add(1)
			_ = w.hist.RecordValue(max(now.Sub(due).Microseconds(), 1))
		}
		if finished {
			return
		}
	}
}
