package load

import (
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram bounds for every latency histogram Run returns: microseconds,
// 1 µs to 60 s, 3 significant figures. Longer latencies are recorded as
// the maximum.
const (
	HistMin     = 1
	HistMax     = 60_000_000
	HistSigFigs = 3
)

func newHist() *hdrhistogram.Histogram { return hdrhistogram.New(HistMin, HistMax, HistSigFigs) }

// MaxErrorSamples is the most distinct error messages a Result keeps.
const MaxErrorSamples = 10

// Result is what one Run measured. Every count covers the measured
// interval only (after Warmup).
type Result struct {
	// Requests is the number of checked correct replies on well-behaved
	// (not slow) connections. It equals the sum of PerConn.
	Requests int64
	// Errors counts wrong or missing replies, dial failures, resets and
	// timeouts on every connection, slow ones included. A connection that
	// fails is closed and redialed; the requests it had in flight are lost
	// and count as one error.
	Errors int64
	// DialErrors counts the dials among Errors that failed during the
	// measured interval ("too many open files", refused, timed out): a
	// client that could not connect did not load the server as Conns
	// says.
	DialErrors int64
	// ErrorSamples holds up to MaxErrorSamples distinct error messages
	// (stage and cause, without addresses), most frequent first.
	ErrorSamples []string
	// Elapsed is the measured interval actually observed.
	Elapsed time.Duration
	// Latency holds well-behaved connections' latencies in microseconds
	// (see HistMin, HistMax), merged from per-worker histograms.
	Latency *hdrhistogram.Histogram
	// UncorrectedLatency is Open's latency measured from each request's
	// actual send instead of its intended send time: what a closed-loop
	// tool would report (wrk2's "uncorrected latency"). The difference from
	// Latency is the time requests waited for their connection (the server's
	// queueing that coordinated omission hides) plus the generator's own
	// send lag. Nil in other modes.
	UncorrectedLatency *hdrhistogram.Histogram
	// SlowLatency is the same for slow connections; nil when Slow == 0.
	SlowLatency *hdrhistogram.Histogram
	// PerConn holds correct replies per well-behaved connection (worker),
	// zeros included, for fairness (see Jain).
	PerConn []int64
	// InFlight counts requests (in Churn: exchanges, dial included) that
	// had started but not completed when the run ended, on every
	// connection; they are neither Requests nor Errors. A server that
	// stalls for longer than the run shows here, not in Errors.
	InFlight int64
	// SlowRequests and SlowPerConn are Requests and PerConn for slow
	// connections.
	SlowRequests int64
	SlowPerConn  []int64

	// ClientCPU is this process's user+system CPU time during the measured
	// interval (getrusage(RUSAGE_SELF); 0 where unsupported). It includes
	// anything else the process runs, such as an in-process server.
	ClientCPU time.Duration
	// ClientCPUs is the number of CPUs the generator may use:
	// min(GOMAXPROCS, CPUs in its affinity mask at start).
	ClientCPUs int
	// ClientUtil is ClientCPU / (Elapsed * ClientCPUs), 0..1.
	ClientUtil float64
	// ClientBound is the saturation verdict: true when the generator, not
	// the server, probably limited the result: ClientUtil >= SaturatedUtil,
	// or (Open) more than 1% of sends (at least 2) were late because the
	// generator itself woke up late (ClientLateSends).
	ClientBound bool

	// TargetRate is Config.Rate (Open only).
	TargetRate float64
	// AchievedRate is Requests / Elapsed in requests per second (every mode).
	AchievedRate float64
	// MaxSendLag is the worst lag of an actual send behind its intended
	// send time (Open only).
	MaxSendLag time.Duration
	// LateSends counts sends more than LateThreshold behind their intended
	// time, whatever the cause (Open only): never silent, like k6's dropped
	// iterations.
	LateSends int64
	// ClientLateSends counts the late sends whose connection was idle and
	// ready before the intended time, so the lateness is the generator's
	// own (a timer that fired late, a starved CPU) rather than a reply that
	// came late (Open only).
	ClientLateSends int64

	// IdleOpen is the number of Config.Idle connections that opened.
	IdleOpen int
	// IdleAlive is how many of them the server still held open at the end
	// (a peer close or reset seen by then makes a connection not alive).
	IdleAlive int

	// Start is the wall-clock time the measured interval began.
	Start time.Time
	// Intervals holds, when Config.Interval > 0, the well-behaved
	// connections' latencies per interval of Config.Interval, the first
	// starting at IntervalStart (Config.MeasureAt when set, else Start);
	// merged, they equal Latency. Nil otherwise.
	Intervals []*hdrhistogram.Histogram
	// IntervalStart is when Intervals[0] begins (zero without Intervals).
	IntervalStart time.Time
	// TotalRequests counts the correct replies on every connection over
	// the whole run, warm-up included: what a server that counts its own
	// requests saw answered to this generator.
	TotalRequests int64

	// Cancelled reports that ctx ended the run before Duration elapsed;
	// the Result covers the shorter interval.
	Cancelled bool

	// RTTHolds counts the emulated one-way delays (Config.RTT) that ended
	// in the measured interval, on every connection; 0 without RTT.
	RTTHolds int64
	// RTTLag holds how much later than asked each emulated delay ended,
	// in microseconds (1 µs to 10 s, 2 significant figures; under 1 µs
	// reads 1), sampled on the first 256 well-behaved connections: the
	// generator's own precision, added to every round trip it emulates.
	// Nil without RTT.
	RTTLag *hdrhistogram.Histogram
	// RTTAsked is the sum of the emulated delays drawn in the measured
	// interval, RTTHeld the sum of the waits actually made for them: their
	// ratio is the emulation's overall accuracy (late wake-ups are made up
	// on later waits, see RTT).
	RTTAsked, RTTHeld time.Duration
	// RTTTimer names what held the connections: "timerfd wheel" (one
	// timerfd and one goroutine per Run, Linux) or "Go timers" (one
	// per connection, elsewhere or when the timerfd failed); empty
	// without RTT.
	RTTTimer string
}

// SaturatedUtil is the CPU utilisation (of the CPUs the generator may use)
// from which Run reports the client as the bottleneck.
const SaturatedUtil = 0.9

// LateThreshold is how far behind its intended time an Open send may go
// before it counts in LateSends.
const LateThreshold = time.Millisecond

// Jain returns Jain's fairness index of xs, (Σx)² / (n·Σx²): 1 when every
// x is equal, 1/n when one x has everything. When xs is empty or all
// zero the index is undefined (nobody was served, which is not fairness)
// and Jain returns 0, which the results package reads as "not measured".
func Jain(xs []int64) float64 {
	var sum, sq float64
	for _, x := range xs {
		f := float64(x)
		sum += f
		sq += f * f
	}
	if sq == 0 {
		return 0
	}
	return sum * sum / (float64(len(xs)) * sq)
}

// Served returns how many well-behaved connections got at least one
// correct reply (the non-zero entries of PerConn).
func (r *Result) Served() int {
	n := 0
	for _, c := range r.PerConn {
		if c > 0 {
			n++
		}
	}
	return n
}

// Starved returns how many well-behaved connections got no correct reply
// at all: a server that serves N connections at a time leaves the others
// waiting, and its figures describe only the ones it served.
func (r *Result) Starved() int { return len(r.PerConn) - r.Served() }

// LatencyAt returns the latency of well-behaved connections at quantile q
// (0 to 100, as hdrhistogram's ValueAtQuantile) as a time.Duration, or 0
// when nothing was measured. Latency itself stays in microseconds, the
// unit its buckets are defined in.
func (r *Result) LatencyAt(q float64) time.Duration {
	if r.Latency == nil || r.Latency.TotalCount() == 0 {
		return 0
	}
	return time.Duration(r.Latency.ValueAtQuantile(q)) * time.Microsecond
}
