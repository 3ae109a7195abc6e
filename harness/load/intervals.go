package load

import (
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// MaxIntervals is the most intervals a Config may ask for
// (Duration/Interval, rounded up): each is one histogram in the Result.
const MaxIntervals = 3600

// intervals collects the well-behaved connections' latencies per fixed
// interval of the measured window, so that several generators' results
// merge exactly over any common window. Each worker records into its own
// histogram for the interval it is in and merges it into the shared one
// when it moves on (or ends), so the lock is taken once per worker and
// interval, never per request.
type intervals struct {
	every time.Duration
	n     int          // number of intervals
	grid  atomic.Int64 // UnixNano of interval 0's start; set before phaseMeasure
	mu    sync.Mutex
	hists []*hdrhistogram.Histogram
}

func newIntervals(cfg Config) *intervals {
	if cfg.Interval <= 0 {
		return nil
	}
	n := int((cfg.Duration + cfg.Interval - 1) / cfg.Interval)
	iv := &intervals{every: cfg.Interval, n: n, hists: make([]*hdrhistogram.Histogram, n)}
	for i := range iv.hists {
		iv.hists[i] = newHist()
	}
	return iv
}

// index returns the interval that time t falls in, clamped to the first
// and last: the replies that arrive while the run stops go to the last.
func (iv *intervals) index(t time.Time) int {
	k := int(t.UnixNano()-iv.grid.Load()) / int(iv.every)
	return min(max(k, 0), iv.n-1)
}

// add merges h, recorded during interval k, into the shared histograms.
func (iv *intervals) add(k int, h *hdrhistogram.Histogram) {
	iv.mu.Lock()
	iv.hists[k].Merge(h)
	iv.mu.Unlock()
}

// workerInterval is one worker's histogram for the interval it is in.
type workerInterval struct {
	k int
	h *hdrhistogram.Histogram
}

// recordInterval records latency d of a reply received now into the
// worker's interval histogram, first handing the previous interval's to
// the run when the reply falls in a new one.
func (w *worker) recordInterval(d time.Duration) {
	iv := w.r.iv
	k := iv.index(time.Now())
	if w.cur.h == nil {
		w.cur = workerInterval{k: k, h: newHist()}
	}
	if k != w.cur.k {
		w.flushInterval()
		w.cur.k = k
	}
	record(w.cur.h, d)
}

// flushInterval hands the worker's interval histogram to the run.
func (w *worker) flushInterval() {
	if w.cur.h == nil || w.cur.h.TotalCount() == 0 {
		return
	}
	w.r.iv.add(w.cur.k, w.cur.h)
	w.cur.h.Reset()
}
