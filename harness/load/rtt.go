package load

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// MaxRTT is the largest round-trip time Run emulates.
const MaxRTT = 10 * time.Second

// RTT is a network round trip that Run emulates in the load generator: the
// connection is held as a path of that round-trip time would hold it.
//
// Each one-way trip (a request on its way to the server, a reply on its
// way back, each leg of the TCP handshake) is held for Delay/2 plus a
// uniform draw in [-Jitter/2, +Jitter/2), drawn independently for every
// leg from a per-connection generator with a fixed seed. A round trip is
// thus Delay ± Jitter (triangular, mean Delay, standard deviation
// Jitter/√6), never negative (Jitter ≤ Delay), and a connection's bytes
// never overtake each other (one request is in flight per connection), as
// on a TCP stream. netem's default jitter is uniform too.
//
// What the server sees, per request: the request arrives Delay/2 after the
// client sent it, and the next one arrives no sooner than a round trip
// after the reply left. A connection is thus held Delay + service time per
// request, as by a real distant client, which is what decides throughput
// by Little's law (requests in flight = throughput × time each is held).
// The handshake: a keep-alive connection (Closed, Open) is dialed one round
// trip after the client starts connecting (SYN and SYN-ACK), so the server
// accepts it half a round trip earlier than a real path would (there the
// final ACK travels with the first request); Churn, where it matters,
// dials after one and a half round trips and then writes at once, so the
// connection and its request reach the server together, as when the ACK
// carries the request; its exchange then takes two round trips plus service
// time. What it does not reproduce: TCP slow start and congestion windows,
// loss and retransmission, bandwidth limits (a large reply arrives as fast
// as loopback sends it), the server's SYN queue holding half-open
// connections, or delayed ACKs interacting with Nagle. Pipelined mode is
// refused (a reply's arrival time is not seen per request there).
type RTT struct {
	Delay  time.Duration // the round-trip time; 0 means none
	Jitter time.Duration // width of each leg's uniform spread; at most Delay
}

// String returns "20ms" or "20ms,jitter=2ms", the form ParseRTT reads;
// "0s" for none.
func (r RTT) String() string {
	if r.Jitter == 0 {
		return r.Delay.String()
	}
	return r.Delay.String() + ",jitter=" + r.Jitter.String()
}

// ParseRTT parses "20ms" or "20ms,jitter=2ms" (Go durations; "0" or ""
// means no emulation). Errors wrap ErrBadConfig.
func ParseRTT(s string) (RTT, error) {
	var r RTT
	s = strings.TrimSpace(s)
	if s == "" {
		return r, nil
	}
	head, rest, hasJitter := strings.Cut(s, ",")
	d, err := time.ParseDuration(strings.TrimSpace(head))
	if err != nil {
		return RTT{}, fmt.Errorf("%w: rtt %q: want a duration such as 20ms, optionally \",jitter=2ms\"", ErrBadConfig, s)
	}
	r.Delay = d
	if hasJitter {
		v, ok := strings.CutPrefix(strings.TrimSpace(rest), "jitter=")
		if !ok {
			return RTT{}, fmt.Errorf("%w: rtt %q: after the delay only \"jitter=D\" may follow", ErrBadConfig, s)
		}
		if r.Jitter, err = time.ParseDuration(strings.TrimSpace(v)); err != nil {
			return RTT{}, fmt.Errorf("%w: rtt %q: jitter: want a duration such as 2ms", ErrBadConfig, s)
		}
	}
	return r, r.validate()
}

func (r RTT) validate() error {
	switch {
	case r.Delay < 0 || r.Jitter < 0:
		return fmt.Errorf("%w: rtt %s: negative", ErrBadConfig, r)
	case r.Delay > MaxRTT:
		return fmt.Errorf("%w: rtt %s: above %s", ErrBadConfig, r, MaxRTT)
	case r.Jitter > r.Delay:
		return fmt.Errorf("%w: rtt %s: jitter above the delay would make a negative one-way time", ErrBadConfig, r)
	}
	return nil
}

// rttLagConns is how many connections of a Run record how late their
// emulated delays end (Result.RTTLag): a sample, to keep memory flat at
// tens of thousands of connections.
const rttLagConns = 256

// rttLagMax is the largest lag the lag histograms record, in microseconds.
const rttLagMax = 10_000_000

// path is one connection's emulated network path.
type path struct {
	half, jitter float64 // nanoseconds
	rng          *rand.Rand
	wake         chan struct{}           // the delay wheel's signal
	lag          *hdrhistogram.Histogram // nil when not sampled
	holds        int64                   // emulated delays in the measured interval
	debt         time.Duration           // lateness not yet made up (see hold)
	asked, held  time.Duration           // sums over the measured interval
}

func newPath(rtt RTT, seed uint64, sampled bool) *path {
	p := &path{
		half:   float64(rtt.Delay) / 2,
		jitter: float64(rtt.Jitter),
		rng:    rand.New(rand.NewPCG(seed, 0x7274742d6c656773)),
		wake:   make(chan struct{}, 1),
	}
	if sampled {
		p.lag = hdrhistogram.New(1, rttLagMax, 2)
	}
	return p
}

// legs draws the one-way times of n legs, summed.
func (p *path) legs(n int) time.Duration {
	var d float64
	for range n {
		d += p.half + p.jitter*(p.rng.Float64()-0.5)
	}
	return time.Duration(d)
}

// hold holds the connection for n one-way legs: on the run's delay wheel
// when it has one, else on the worker's Go timer. It reports false if the
// run is stopping.
//
// A wait that ends late (a busy CPU, the timer's slack) is made up on the
// connection's next waits: each is shortened by the lateness not yet made
// up (never below zero), so that the round trips a connection sees average
// what was asked as long as the lateness averages less than a leg, rather
// than drifting longer by every late wake-up. At most half a round trip
// is carried over: a stall longer than that (a starved process) is kept,
// as a real path's hiccup would be, rather than followed by a burst of
// requests with no delay at all. Result.RTTLag keeps the raw lateness;
// Result.RTTAsked and RTTHeld the totals.
func (w *worker) hold(n int) bool {
	p := w.path
	if p == nil {
		return true
	}
	asked := p.legs(n)
	d := asked - p.debt
	p.debt = max(-d, 0)
	d = max(d, 0)
	start := time.Now()
	until := start.Add(d)
	if d == 0 {
		// All made up: no wait.
	} else if wh := w.r.wheel; wh != nil && wh.add(until, p.wake) {
		select {
		case <-p.wake:
		case <-w.r.ctx.Done():
			return false
		}
	} else if !w.sleep(d) {
		return false
	}
	end := time.Now()
	late := end.Sub(until)
	p.debt = min(p.debt+late, time.Duration(p.half))
	if w.st.measuring {
		p.holds++
		p.asked += asked
		p.held += end.Sub(start)
		if p.lag != nil {
			_ = p.lag.RecordValue(min(max(int64(late/time.Microsecond), 1), rttLagMax))
		}
	}
	return true
}
