package load

import (
	"bufio"
	"context"
	"errors"
	"net"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Phases of a run. Workers read the phase after every reply or error:
// results before phaseMeasure are discarded, results after phaseDone are
// ignored (the run is stopping and its connections are being closed).
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseDone
)

// run is the state shared by the workers of one Run; everything in it is
// read-only once the workers start, except phase and dialed.
type run struct {
	cfg    Config
	ctx    context.Context // cancelled (after phase = phaseDone) to stop workers
	phase  atomic.Int32
	dialer net.Dialer
	ready  chan error  // each worker reports its first dial here, once
	wheel  *delayWheel // holds connections for cfg.RTT; nil: Go timers

	churnReq  []byte // ChurnLine + "\n"
	churnWant []byte // the seed's server's reply to it

	iv *intervals // per-interval histograms; nil unless Config.Interval > 0
}

// stats is one worker's tally. Only its worker goroutine touches it until
// the worker has exited, so nothing in it is shared or locked.
type stats struct {
	measuring  bool // has seen phaseMeasure and reset the warm-up tallies
	hist       *hdrhistogram.Histogram
	uncorr     *hdrhistogram.Histogram // Open: latency from the actual send
	requests   int64
	errors     int64
	dialErrors int64 // the dials among errors
	sends      int64 // Open: sends in the interval
	late       int64 // Open
	clientLate int64 // Open
	maxLag     time.Duration
	samples    []errSample
	inFlight   int64 // requests unanswered when the run ended (set once, at the end)
	total      int64 // correct replies over the whole run, warm-up included (never reset)
}

type errSample struct {
	msg   string
	count int64
}

func (s *stats) reset() {
	s.hist.Reset()
	if s.uncorr != nil {
		s.uncorr.Reset()
	}
	s.requests, s.errors, s.dialErrors, s.sends, s.late, s.clientLate, s.maxLag = 0, 0, 0, 0, 0, 0, 0
	s.samples = s.samples[:0]
}

// worker drives one connection (or, in Churn, one sequence of them).
type worker struct {
	r        *run
	id       int  // 0-based among its kind (well-behaved or slow)
	slow     bool // a slow client: byte-by-byte requests, closed loop
	reported bool // first dial reported on r.ready
	failures int  // consecutive errors, for the back-off
	timer    *time.Timer
	fine     *fineTimer // Open only; nil where unavailable
	path     *path      // the emulated network path; nil without cfg.RTT
	st       stats
	cur      workerInterval // Config.Interval only
}

func newWorker(r *run, id int, slow bool) *worker {
	t := time.NewTimer(time.Hour)
	t.Stop()
	w := &worker{r: r, id: id, slow: slow, timer: t, st: stats{hist: newHist()}}
	if r.cfg.Mode == Open && !slow {
		w.st.uncorr = newHist()
	}
	if r.cfg.RTT.Delay > 0 {
		seed := uint64(id) << 1
		if slow {
			seed |= 1
		}
		w.path = newPath(r.cfg.RTT, seed, id < rttLagConns && !slow)
	}
	return w
}

// phase returns the run's phase, resetting the tallies the first time it
// sees the measured interval.
func (w *worker) phase() int32 {
	p := w.r.phase.Load()
	if p == phaseMeasure && !w.st.measuring {
		w.st.reset()
		w.st.measuring = true
	}
	return p
}

// ok records one correct reply with latency d; it reports false when the
// run is over and the worker must return.
func (w *worker) ok(d time.Duration) bool {
	p := w.phase()
	if p == phaseDone {
		return false
	}
	w.st.total++
	if p == phaseMeasure && w.r.iv != nil && !w.slow {
		w.recordInterval(d)
	}
	record(w.st.hist, d)
	w.st.requests++
	w.failures = 0
	return true
}

// record adds d to h in microseconds, clamped to the histogram's range.
func record(h *hdrhistogram.Histogram, d time.Duration) {
	_ = h.RecordValue(min(max(int64(d/time.Microsecond), HistMin), HistMax))
}

// fail records one error at stage, then backs off briefly so that a
// refusing or resetting server does not make the worker spin. It reports
// false when the run is over: the error is then not counted (it is
// usually the run closing the connection), but the request it interrupted
// is counted in flight.
func (w *worker) fail(stage string, err error) bool {
	if w.phase() == phaseDone {
		if stage != "dial" || w.r.cfg.Mode == Churn {
			w.st.inFlight = max(w.st.inFlight, 1)
		}
		return false
	}
	w.st.errors++
	if stage == "dial" {
		w.st.dialErrors++
	}
	w.sample(stage, err)
	w.failures++
	return w.sleep(backoff(w.failures))
}

// backoff is 0 for a first error, then 1 ms doubling up to 100 ms.
func backoff(failures int) time.Duration {
	if failures <= 1 {
		return 0
	}
	return min(time.Millisecond<<min(failures-2, 7), 100*time.Millisecond)
}

func (w *worker) sample(stage string, err error) {
	msg := errText(stage, err)
	for i := range w.st.samples {
		if w.st.samples[i].msg == msg {
			w.st.samples[i].count++
			return
		}
	}
	if len(w.st.samples) < MaxErrorSamples {
		w.st.samples = append(w.st.samples, errSample{msg, 1})
	}
}

// sleep waits d; it reports false if the run is stopping.
func (w *worker) sleep(d time.Duration) bool {
	if d <= 0 {
		return w.r.ctx.Err() == nil
	}
	w.timer.Reset(d)
	select {
	case <-w.timer.C:
		return true
	case <-w.r.ctx.Done():
		w.timer.Stop()
		return false
	}
}

// errStopped is what a fineTimer's sleep returns when the run stops.
var errStopped = errors.New("load: run stopped")

// sleepUntil waits until t, on the worker's fineTimer when it has one
// (precise), else on a Go timer. It reports false if the run is stopping.
func (w *worker) sleepUntil(t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return w.r.ctx.Err() == nil
	}
	if w.fine != nil {
		err := w.fine.sleep(d)
		if err == nil {
			return true
		}
		if errors.Is(err, errStopped) {
			return false
		}
		w.fine.close() // broken: fall back to Go timers
		w.fine = nil
		d = time.Until(t)
	}
	return w.sleep(d)
}

// report sends the outcome of the worker's first dial to the coordinator.
func (w *worker) report(err error) {
	if !w.reported {
		w.reported = true
		w.r.ready <- err
	}
}

// guardedConn is a connection that the run closes when it stops, so that no
// read or write outlives Run.
type guardedConn struct {
	net.Conn
	stop func() bool
}

func (c *guardedConn) close() {
	c.stop()
	_ = c.Conn.Close()
}

// dial opens one connection (bounded by DialTimeout and the run).
func (w *worker) dial() (*guardedConn, error) {
	c, err := w.r.dialer.DialContext(w.r.ctx, w.r.cfg.Network, w.r.cfg.Addr)
	if err != nil {
		return nil, err
	}
	return &guardedConn{Conn: c, stop: context.AfterFunc(w.r.ctx, func() { _ = c.Close() })}, nil
}

// connect dials until it succeeds, counting failures; it reports false
// when the run is over. With an emulated RTT each dial comes one round
// trip (SYN, SYN-ACK) after the client starts it.
func (w *worker) connect() (*guardedConn, bool) {
	for {
		if !w.hold(2) {
			return nil, false
		}
		c, err := w.dial()
		w.report(err)
		if err == nil {
			return c, true
		}
		if !w.fail("dial", err) {
			return nil, false
		}
	}
}

// readerSize is the bufio.Reader size for a request of n bytes: large
// replies are read in fewer system calls.
func readerSize(n int) int { return min(max(n, 4096), 64<<10) }

// newReader returns br reset to c, or a new reader if br is nil.
func newReader(br *bufio.Reader, c net.Conn, reqLen int) *bufio.Reader {
	if br == nil {
		return bufio.NewReaderSize(c, readerSize(reqLen))
	}
	br.Reset(c)
	return br
}

// writeSlow writes b one byte at a time with SlowDelay between bytes.
func (w *worker) writeSlow(c net.Conn, b []byte) error {
	for i := range b {
		if i > 0 && !w.sleep(w.r.cfg.SlowDelay) {
			return context.Canceled
		}
		if _, err := c.Write(b[i : i+1]); err != nil {
			return err
		}
	}
	return nil
}
