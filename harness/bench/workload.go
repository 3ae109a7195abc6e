package bench

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/internal/spec"
)

// ErrBadSpec is wrapped by every error about a malformed workload or target
// spec.
var ErrBadSpec = errors.New("bad spec")

// Default workload parameters.
const (
	DefaultRate      = 5000.0 // open: requests per second in total
	DefaultEchoSize  = 1024   // echo: payload bytes
	DefaultRounds    = 1000   // cpu: SHA-256 rounds per request
	DefaultDelay     = time.Millisecond
	DefaultDepth     = 8    // pipelined: requests in flight per connection
	DefaultSlowShare = 0.25 // slowclients: share of the connections that are slow
	DefaultIdle      = 1000 // idle: idle connections held open
)

// A Workload is what the server does per connection (its handler spec) and
// how the clients behave (the load pattern), with parameters.
type Workload struct {
	// Name is the workload's name: churn, keepalive, pipelined, open, echo, udp, udp-open, unixgram, unixgram-open,
	// cpu, sleep, slowclients or idle.
	Name string
	// Handler is the handler spec the server is started with, e.g.
	// "upperlines" or "cpu:rounds=1000".
	Handler string
	// Mode is the load pattern.
	Mode load.Mode
	// Params are the workload's parameters as recorded in the run, e.g.
	// {"size": "1024"}; nil when it has none.
	Params map[string]string

	depth     int
	rate      float64
	protocol  load.Protocol
	slowShare float64
	slowDelay time.Duration
	idle      int
	rtt       load.RTT
	network   string        // datagram workloads: the network ("udp", "unixgram"); "" for streams
	timeout   time.Duration // datagram workloads: a request unanswered this long is lost
}

type workloadInfo struct {
	summary string
	options []string // one help line each
	parse   func(sp *spec.Spec, rate float64) (Workload, error)
}

// MaxRate is the largest open-loop rate a workload (or bench --rate)
// accepts, in requests per second: beyond what one load generator sends.
const MaxRate = 1e7

// The bounded numeric options of the workloads: the parsers take their
// defaults and ranges from these, and the help prints them.
var (
	optDepth = spec.Option{Name: "depth", Kind: spec.Int, Default: strconv.Itoa(DefaultDepth),
		Doc: "requests in flight per connection", Min: 1, Max: 1024}
	optRounds = spec.Option{Name: "rounds", Kind: spec.Int, Default: strconv.Itoa(DefaultRounds),
		Doc: "SHA-256 rounds the server hashes per request", Min: 1, Max: 10_000_000}
	optDelay = spec.Option{Name: "delay", Kind: spec.Duration, Default: DefaultDelay.String(),
		Doc: "the server waits this long per request", Min: 0, Max: int64(time.Minute)}
	optSlowDelay = spec.Option{Name: "delay", Kind: spec.Duration, Default: load.DefaultSlowDelay.String(),
		Doc: "between a slow client's bytes", Min: 0, Max: int64(10 * time.Second)}
	optIdle = spec.Option{Name: "idle", Kind: spec.Int, Default: strconv.Itoa(DefaultIdle),
		Doc: "idle connections held open (they count against the open-file limit)", Min: 1, Max: 100_000}
)

var workloads = map[string]workloadInfo{
	"churn": {"handler upper (the seed): connect, one line, read to EOF, close",
		[]string{"delay=D (server waits D before its reply)", "share=F (a share of the clients send byte by byte, 1ms apart)"},
		parseChurn},
	"keepalive": {"handler upperlines, closed loop: one request in flight per connection", nil,
		func(sp *spec.Spec, _ float64) (Workload, error) {
			return Workload{Name: "keepalive", Handler: "upperlines", Mode: load.Closed}, sp.Unused()
		}},
	"pipelined": {"handler upperlines, depth requests in flight per connection", []string{optDepth.String()},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			d, err := sp.IntOpt(optDepth)
			if err != nil {
				return Workload{}, err
			}
			return Workload{Name: "pipelined", Handler: "upperlines", Mode: load.Pipelined, depth: d,
				Params: map[string]string{"depth": strconv.Itoa(d)}}, sp.Unused("depth")
		}},
	"open": {"handler upperlines (or sleep/cpu with delay/rounds), open loop at a fixed total rate (latency from the intended send time)",
		[]string{fmt.Sprintf("rate (above 0, at most %g, default --rate): requests per second in total", MaxRate), optDelay.String(), optRounds.String() + "; give delay or rounds, not both"},
		func(sp *spec.Spec, rate float64) (Workload, error) {
			r := rate
			if v, ok := sp.Opts["rate"]; ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || !(f > 0 && f <= MaxRate) {
					return Workload{}, fmt.Errorf("option rate=%q: want requests per second above 0 and at most %g", v, MaxRate)
				}
				r = f
				_, _ = sp.Int("rate", 0, 0) // mark used
			}
			w := Workload{Name: "open", Handler: "upperlines", Mode: load.Open, rate: r,
				Params: map[string]string{"rate": strconv.FormatFloat(r, 'g', -1, 64)}}
			_, hasDelay := sp.Opts["delay"]
			_, hasRounds := sp.Opts["rounds"]
			switch {
			case hasDelay && hasRounds:
				return Workload{}, errors.New("options delay and rounds: give one, not both")
			case hasDelay:
				d, err := sp.DurationOpt(optDelay)
				if err != nil {
					return Workload{}, err
				}
				w.Handler = "sleep:delay=" + d.String()
				w.Params["delay"] = d.String()
			case hasRounds:
				n, err := sp.IntOpt(optRounds)
				if err != nil {
					return Workload{}, err
				}
				w.Handler = fmt.Sprintf("cpu:rounds=%d", n)
				w.Params["rounds"] = strconv.Itoa(n)
			}
			return w, sp.Unused("rate", "delay", "rounds")
		}},
	"echo": {"handler echo, closed loop with a payload of size bytes (1..1MiB; 4k, 64KiB, 1M allowed)", []string{fmt.Sprintf("size (1..%d bytes, default %d): payload per request", load.MaxEchoSize, DefaultEchoSize)},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			n := DefaultEchoSize
			if v, ok := sp.Opts["size"]; ok {
				var err error
				if n, err = parseSize(v); err != nil {
					return Workload{}, err
				}
				_, _ = sp.Int("size", 0, 0) // mark used
			}
			if n < 1 || n > load.MaxEchoSize {
				return Workload{}, fmt.Errorf("option size=%d: want 1..%d bytes", n, load.MaxEchoSize)
			}
			return Workload{Name: "echo", Handler: "echo", Mode: load.Closed, protocol: load.Echo{Size: n},
				Params: map[string]string{"size": strconv.Itoa(n)}}, sp.Unused("size")
		}},
	"cpu": {"handler cpu:rounds=N (SHA-256 rounds per request), closed loop", []string{optRounds.String()},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			n, err := sp.IntOpt(optRounds)
			if err != nil {
				return Workload{}, err
			}
			return Workload{Name: "cpu", Handler: fmt.Sprintf("cpu:rounds=%d", n), Mode: load.Closed,
				Params: map[string]string{"rounds": strconv.Itoa(n)}}, sp.Unused("rounds")
		}},
	"sleep": {"handler sleep:delay=D (a wait per request, like a database call), closed loop", []string{optDelay.String()},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			d, err := sp.DurationOpt(optDelay)
			if err != nil {
				return Workload{}, err
			}
			return Workload{Name: "sleep", Handler: "sleep:delay=" + d.String(), Mode: load.Closed,
				Params: map[string]string{"delay": d.String()}}, sp.Unused("delay")
		}},
	"slowclients": {"handler upperlines, closed loop; a share of the connections send byte by byte", []string{fmt.Sprintf("share (between 0 and 1, default %g): share of the connections that are slow", DefaultSlowShare), optSlowDelay.String()},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			share := DefaultSlowShare
			if v, ok := sp.Opts["share"]; ok {
				f, err := strconv.ParseFloat(v, 64)
				if err != nil || !(f > 0 && f < 1) {
					return Workload{}, fmt.Errorf("option share=%q: want a fraction between 0 and 1", v)
				}
				share = f
				_, _ = sp.Int("share", 0, 0)
			}
			d, err := sp.DurationOpt(optSlowDelay)
			if err != nil {
				return Workload{}, err
			}
			return Workload{Name: "slowclients", Handler: "upperlines", Mode: load.Closed, slowShare: share, slowDelay: d,
				Params: map[string]string{"share": strconv.FormatFloat(share, 'g', -1, 64), "delay": d.String()}}, sp.Unused("share", "delay")
		}},
	"idle": {"handler upperlines: N idle connections held open while the active ones run a closed loop (C10K); gives memory per connection", []string{optIdle.String()},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			n, err := sp.IntOpt(optIdle)
			if err != nil {
				return Workload{}, err
			}
			return Workload{Name: "idle", Handler: "upperlines", Mode: load.Closed, idle: n,
				Params: map[string]string{"idle": strconv.Itoa(n)}}, sp.Unused("idle")
		}},
}

// parseChurn parses the churn workload: the seed's client in a loop, with
// an optional wait in the handler (upper:delay=D, a pool then serves the
// clients in turn and queues the rest) and an optional share of slow
// clients. Without options it records no parameters, as before.
func parseChurn(sp *spec.Spec, _ float64) (Workload, error) {
	w := Workload{Name: "churn", Handler: "upper", Mode: load.Churn}
	if _, ok := sp.Opts["delay"]; ok {
		d, err := sp.Duration("delay", 0)
		if err != nil {
			return Workload{}, err
		}
		w.Handler = "upper:delay=" + d.String()
		w.Params = map[string]string{"delay": d.String()}
	}
	if v, ok := sp.Opts["share"]; ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0 && f < 1) {
			return Workload{}, fmt.Errorf("option share=%q: want a fraction between 0 and 1", v)
		}
		_, _ = sp.Int("share", 0, 0) // mark used
		w.slowShare, w.slowDelay = f, load.DefaultSlowDelay
		if w.Params == nil {
			w.Params = map[string]string{}
		}
		w.Params["share"] = strconv.FormatFloat(f, 'g', -1, 64)
	}
	return w, sp.Unused("delay", "share")
}

// WorkloadNames lists the known workloads, sorted.
func WorkloadNames() []string {
	names := make([]string, 0, len(workloads))
	for n := range workloads {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// WorkloadHelp describes every workload and its options, one per line, for
// command-line help.
func WorkloadHelp() string {
	var b strings.Builder
	for _, n := range WorkloadNames() {
		w := workloads[n]
		fmt.Fprintf(&b, "  %-12s %s\n", n, w.summary)
		for _, o := range w.options {
			fmt.Fprintf(&b, "  %-12s option %s\n", "", o)
		}
	}
	fmt.Fprintf(&b, "  %-12s option rtt=D,jitter=J (all but pipelined and the datagram workloads udp, udp-open, unixgram, unixgram-open): emulate a network round trip D (0..%s) per connection, jitter at most D (see --rtt)\n", "(every)", load.MaxRTT)
	return b.String()
}

// ParseWorkload parses a workload spec such as "keepalive", "echo:size=64k"
// or "open:rate=20000". rate is the open workload's rate when the spec does
// not give one (DefaultRate if rate <= 0). Errors wrap ErrBadSpec.
func ParseWorkload(s string, rate float64) (Workload, error) {
	if rate <= 0 {
		rate = DefaultRate
	}
	sp, err := spec.Parse(s)
	if err != nil {
		return Workload{}, fmt.Errorf("%w: workload: %w", ErrBadSpec, err)
	}
	info, ok := workloads[sp.Name]
	if !ok {
		return Workload{}, fmt.Errorf("%w: unknown workload %q (known: %s)", ErrBadSpec, sp.Name, strings.Join(WorkloadNames(), ", "))
	}
	rtt, err := takeRTT(sp)
	if err != nil {
		return Workload{}, fmt.Errorf("%w: workload %s: %w", ErrBadSpec, s, err)
	}
	w, err := info.parse(sp, rate)
	if err != nil {
		return Workload{}, fmt.Errorf("%w: workload %s: %w", ErrBadSpec, s, err)
	}
	return w.WithRTT(rtt)
}

// parseSize parses a byte count with an optional k/K/KiB/m/M/MiB suffix
// (binary multiples).
func parseSize(v string) (int, error) {
	s := strings.TrimSpace(v)
	mult := 1
	lower := strings.ToLower(s)
	for _, suf := range []struct {
		s string
		m int
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"kb", 1 << 10}, {"mb", 1 << 20}, {"k", 1 << 10}, {"m", 1 << 20}, {"b", 1}} {
		if strings.HasSuffix(lower, suf.s) {
			s, mult = s[:len(s)-len(suf.s)], suf.m
			break
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("option size=%q: want a positive byte count such as 1024, 64k or 1MiB", v)
	}
	if n > load.MaxEchoSize/mult {
		// Refused before multiplying, which could wrap around into range.
		return 0, fmt.Errorf("option size=%q: want 1..%d bytes", v, load.MaxEchoSize)
	}
	return n * mult, nil
}

// slowConns is how many of conns connections are slow clients: the share
// rounded, at least 1 and leaving at least one well-behaved connection
// (0 when conns < 2).
func (w Workload) slowConns(conns int) int {
	if w.slowShare <= 0 || conns < 2 {
		return 0
	}
	n := int(math.Round(w.slowShare * float64(conns)))
	return min(max(n, 1), conns-1)
}

// loadConfig is the load generator's configuration for one sample of w at
// conns connections against addr.
func (w Workload) loadConfig(addr string, conns int, warmup, duration time.Duration) load.Config {
	return load.Config{
		Network:   "tcp",
		Addr:      addr,
		Mode:      w.Mode,
		Conns:     conns,
		Depth:     w.depth,
		Rate:      w.rate,
		Duration:  duration,
		Warmup:    warmup,
		Protocol:  w.protocol,
		Slow:      w.slowConns(conns),
		SlowDelay: w.slowDelay,
		Idle:      w.idle,
		RTT:       w.rtt,
		// A connection that a serial server or a full pool never serves
		// must count as starved, not as an error: its request may wait
		// for the whole run without timing out.
		ReplyTimeout: warmup + duration + 10*time.Second,
	}
}
