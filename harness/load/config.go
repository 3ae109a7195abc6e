package load

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Mode is the load pattern.
type Mode string

// The load patterns Run knows.
const (
	// Closed: each of Conns keep-alive connections loops: write a request,
	// read and check its reply, record the latency. One request in flight
	// per connection; the next one waits for the reply.
	Closed Mode = "closed"
	// Churn: each of Conns workers loops the seed's client: dial, send
	// ChurnLine+"\n", read to EOF, check, close. Latency runs from the
	// start of the dial to EOF.
	Churn Mode = "churn"
	// Pipelined: each connection keeps Depth requests in flight (a writer
	// and a reader goroutine per connection); latency runs from each
	// request's send time.
	Pipelined Mode = "pipelined"
	// Open: requests have intended send times at a fixed total Rate;
	// latency runs from the intended send time (no coordinated omission).
	Open Mode = "open"
)

// Defaults applied by Run to zero Config fields.
const (
	DefaultDepth        = 8 // Pipelined only; other modes have one request in flight
	DefaultDuration     = 5 * time.Second
	DefaultSlowDelay    = time.Millisecond
	DefaultDialTimeout  = 5 * time.Second
	DefaultReplyTimeout = 10 * time.Second
)

// Config describes one load run. The zero value of every field but Addr
// (and Rate, for Open) has a useful default.
type Config struct {
	Network string // "tcp" (default), "tcp4", "tcp6" or "unix"
	Addr    string // host:port or socket path; required

	Mode  Mode // default Closed
	Conns int  // concurrent connections (workers), slow ones included; default 1
	// Depth is the number of requests in flight per connection in
	// Pipelined mode; 0 means DefaultDepth (8). Other modes ignore it.
	Depth int
	// Rate is the total target of requests per second across all
	// well-behaved connections, required (> 0) for Open. Each of them gets
	// Rate/(Conns-Slow), with staggered phases.
	Rate float64

	Duration time.Duration // measured interval; default 5s
	Warmup   time.Duration // load before measuring; its results are discarded; default 0

	Protocol  Protocol // Closed, Pipelined and Open; default UpperLine{}
	ChurnLine string   // Churn; default DefaultLine; must not contain "\n"

	// Slow is how many of Conns are "slow clients": they send each request
	// one byte at a time with SlowDelay between bytes, one request in flight
	// whatever the Mode (in Churn they dial per request like the others).
	// Their results go to Result.SlowLatency, SlowRequests and SlowPerConn,
	// not Latency, Requests and PerConn; their errors count in Errors.
	Slow      int
	SlowDelay time.Duration // default 1ms

	// Idle is the number of extra connections opened before the run and
	// held idle until it ends (C10K-style). Run opens them at most 64 at a
	// time; Result.IdleOpen says how many opened, IdleAlive how many were
	// still open at the end. Their failures are not counted in Errors.
	Idle int

	DialTimeout time.Duration // per dial; default 5s
	// ReplyTimeout bounds each request's write and reply (in Churn: the
	// whole exchange after the dial); default 10s. A timeout counts as an
	// error and the connection is redialed.
	ReplyTimeout time.Duration

	// RTT, when its Delay is not 0, emulates a network round trip on every
	// connection (slow ones included, idle ones not): see RTT for what it
	// reproduces and what not. Latency includes it. Pipelined mode refuses
	// it.
	RTT RTT
	// Interval, when positive, splits the measured interval into
	// consecutive intervals of this length and keeps the well-behaved
	// connections' latencies of each in its own histogram
	// (Result.Intervals), so that the results of several generators merge
	// exactly over any common window. A reply belongs to the interval it
	// arrived in. At most MaxIntervals intervals.
	Interval time.Duration
	// MeasureAt, when not zero, is the wall-clock time the measured
	// interval begins: Run dials, then loads the server without measuring
	// until then (Warmup is ignored), and measures until MeasureAt +
	// Duration, so that generators started independently measure the same
	// window. Intervals are counted from MeasureAt. If the dials end after
	// MeasureAt, measuring starts late, Result.Start says when, and the
	// measured interval is shorter.
	MeasureAt time.Time
	// OnMeasure, if set, is called from Run's goroutine at the edges of
	// the measured interval: with true just before it begins, with false
	// when its Duration has passed, before the workers stop. The interval
	// is timed from the first call's return to the second call's return,
	// so a reader of server counters there sees the same interval,
	// shifted by the time such a read takes at both ends.
	OnMeasure func(begin bool)
}

// withDefaults returns cfg with defaults filled in, or an error wrapping
// ErrBadConfig.
func (cfg Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: "+format, append([]any{ErrBadConfig}, args...)...)
	}
	switch cfg.Network {
	case "":
		cfg.Network = "tcp"
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		return bad("network %q (want tcp, tcp4, tcp6 or unix)", cfg.Network)
	}
	if cfg.Addr == "" {
		return bad("no address")
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = Closed
	case Closed, Churn, Pipelined, Open:
	default:
		return bad("mode %q (want closed, churn, pipelined or open)", cfg.Mode)
	}
	if cfg.Conns < 0 || cfg.Depth < 0 || cfg.Slow < 0 || cfg.Idle < 0 {
		return bad("negative Conns, Depth, Slow or Idle")
	}
	if cfg.Duration < 0 || cfg.Warmup < 0 || cfg.SlowDelay < 0 || cfg.DialTimeout < 0 || cfg.ReplyTimeout < 0 {
		return bad("negative duration")
	}
	if cfg.Conns == 0 {
		cfg.Conns = 1
	}
	if cfg.Slow > cfg.Conns {
		return bad("Slow %d > Conns %d", cfg.Slow, cfg.Conns)
	}
	if cfg.Depth == 0 {
		cfg.Depth = 1
		if cfg.Mode == Pipelined {
			cfg.Depth = DefaultDepth
		}
	}
	if cfg.Mode != Pipelined {
		cfg.Depth = 1
	}
	if cfg.Mode == Open {
		if !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0) {
			return bad("open mode needs a finite Rate > 0, got %v", cfg.Rate)
		}
		if cfg.Conns == cfg.Slow {
			return bad("open mode needs at least one connection that is not slow")
		}
	}
	if err := cfg.RTT.validate(); err != nil {
		return Config{}, err
	}
	if cfg.RTT.Delay > 0 && cfg.Mode == Pipelined {
		return bad("rtt is not emulated in pipelined mode (a reply's arrival is not seen per request there)")
	}
	if cfg.Duration == 0 {
		cfg.Duration = DefaultDuration
	}
	if cfg.Interval < 0 {
		return bad("negative Interval")
	}
	if cfg.Interval > 0 && (cfg.Duration+cfg.Interval-1)/cfg.Interval > MaxIntervals {
		return bad("Duration %s / Interval %s is more than %d intervals", cfg.Duration, cfg.Interval, MaxIntervals)
	}
	if cfg.SlowDelay == 0 {
		cfg.SlowDelay = DefaultSlowDelay
	}
	if cfg.DialTimeout == 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.ReplyTimeout == 0 {
		cfg.ReplyTimeout = DefaultReplyTimeout
	}
	if cfg.Protocol == nil {
		cfg.Protocol = UpperLine{}
	}
	if v, ok := cfg.Protocol.(validator); ok {
		if err := v.validate(); err != nil {
			return Config{}, err
		}
	}
	if cfg.Mode != Churn && len(cfg.Protocol.Request()) == 0 {
		return bad("protocol's request is empty")
	}
	if cfg.ChurnLine == "" {
		cfg.ChurnLine = DefaultLine
	}
	if strings.Contains(cfg.ChurnLine, "\n") {
		return bad("ChurnLine contains a newline")
	}
	return cfg, nil
}
