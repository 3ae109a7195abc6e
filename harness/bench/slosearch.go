package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/results"
)

// The SLO search's defaults and bounds (see SLOConfig).
const (
	// DefaultSLOPrecision stops the search when the highest rate that met
	// the goal and the lowest that broke it are within 10% of each other.
	DefaultSLOPrecision = 0.1
	// DefaultSLOSteps bounds the rates tried per target and cell: 7
	// doublings multiply the start by 128 and 3 bisections then narrow a
	// factor of 2 to 9%, so 16 leaves room for a start far off.
	DefaultSLOSteps = 16
	// SLOStartPerConn is how many requests each connection sends in the
	// measured interval at the search's default first rate; SLOFloorPerConn
	// at the lowest rate it goes down to. Below a couple of requests per
	// connection a sample says little: a percentile of a few dozen
	// latencies is their maximum, and a connection may send none.
	SLOStartPerConn = 8
	SLOFloorPerConn = 3
	// MaxSLOSteps is the largest SLOConfig.Steps.
	MaxSLOSteps = 100
	// SLOKeptUp is the share of the offered rate a target must answer
	// within the measured interval to meet a goal: a server that answers
	// 80% of what is sent falls behind without bound, whatever the latency
	// of the replies it does send.
	SLOKeptUp = 0.9
	// minSLORate is the lowest rate the search goes down to.
	minSLORate = 1.0
)

// SLOConfig asks Run to search, for every target and every cell whose
// workload keeps its connections open (not churn), the highest offered
// rate at which the target meets Goal: the open-loop workload with the
// cell's handler, protocol and connections, latency from each request's
// intended send time. It starts at Start and doubles while the goal is
// met, halves while it is broken, then bisects (geometrically) between the
// highest rate that met it and the lowest that broke it until they are
// within Precision of each other, trying at most Steps rates, each one
// sample of the Config's warm-up and duration. The targets of a cell are
// searched interleaved: each one's next rate in turn (A B C A B C).
type SLOConfig struct {
	// Goal is what the target must meet; the zero Goal means no search.
	Goal results.Goal
	// Precision is the relative width the search stops at (0.1: the
	// answer is within 10% below the true limit); 0 means
	// DefaultSLOPrecision.
	Precision float64
	// Start is the first rate tried (requests/s in total); 0 means
	// SLOStartPerConn requests per connection in the measured interval
	// (conns x 8 / duration), at least the floor. The search never goes
	// below the floor: SLOFloorPerConn requests per connection in the
	// interval, and at least 1 request per second.
	Start float64
	// Steps bounds the rates tried per target and cell; 0 means
	// DefaultSLOSteps.
	Steps int
}

// WithDefaults returns c with its zero fields filled in, or an error
// wrapping ErrBadConfig when a field is out of range.
func (c SLOConfig) WithDefaults() (SLOConfig, error) {
	if c.Precision == 0 {
		c.Precision = DefaultSLOPrecision
	}
	if c.Steps == 0 {
		c.Steps = DefaultSLOSteps
	}
	switch {
	case !(c.Precision > 0.001 && c.Precision <= 1):
		return c, fmt.Errorf("%w: slo precision %v: want above 0.001 and at most 1", ErrBadConfig, c.Precision)
	case c.Start != 0 && !(c.Start >= minSLORate && c.Start <= MaxRate):
		return c, fmt.Errorf("%w: slo start %v: want %g..%g requests per second", ErrBadConfig, c.Start, minSLORate, MaxRate)
	case c.Steps < 1 || c.Steps > MaxSLOSteps:
		return c, fmt.Errorf("%w: slo steps %d: want 1..%d", ErrBadConfig, c.Steps, MaxSLOSteps)
	}
	return c, nil
}

// searchable reports whether an SLO search can run w open-loop: every
// workload whose connections stay open (churn's handler closes after one
// reply).
func searchable(w Workload) bool { return w.Mode != load.Churn }

// sloSearch is the state of one target's search in one cell.
type sloSearch struct {
	cfg          SLOConfig
	start, floor float64 // the first rate tried and the lowest
	res          *results.SLOSearch
	lo, hi       float64 // highest rate that met the goal, lowest that broke it; 0: none yet
}

// newSLOSearch starts a search at conns connections whose samples are
// measured for d.
func newSLOSearch(cfg SLOConfig, conns int, d time.Duration) *sloSearch {
	s := &sloSearch{cfg: cfg, res: &results.SLOSearch{Goal: cfg.Goal.String(), Precision: cfg.Precision}}
	s.floor = math.Max(minSLORate, SLOFloorPerConn*float64(conns)/d.Seconds())
	s.start = cfg.Start
	if s.start == 0 {
		s.start = SLOStartPerConn * float64(conns) / d.Seconds()
	}
	s.start = math.Min(math.Max(s.start, s.floor), MaxRate)
	return s
}

// next returns the next rate to try, or false when the search is over:
// converged, out of steps, or against a rate limit.
func (s *sloSearch) next() (float64, bool) {
	if len(s.res.Steps) >= s.cfg.Steps {
		return 0, false
	}
	switch {
	case s.lo == 0 && s.hi == 0:
		return s.start, true
	case s.hi == 0: // every rate so far met the goal: ramp up
		if s.lo >= MaxRate {
			return 0, false
		}
		return math.Min(2*s.lo, MaxRate), true
	case s.lo == 0: // every rate so far broke it: ramp down
		if s.hi <= s.floor {
			return 0, false
		}
		return math.Max(s.hi/2, s.floor), true
	case s.hi/s.lo-1 <= s.cfg.Precision:
		return 0, false
	}
	return math.Sqrt(s.lo * s.hi), true
}

// record adds a measured step and moves the bounds.
func (s *sloSearch) record(st results.SLOStep) {
	s.res.Steps = append(s.res.Steps, st)
	switch {
	case st.Met && st.Rate > s.lo:
		s.lo = st.Rate
		s.res.Rate, s.res.Latency, s.res.RequestsPerCPU = st.Rate, st.Latency, st.RequestsPerCPU
	case !st.Met && (s.hi == 0 || st.Rate < s.hi):
		s.hi = st.Rate
		s.res.Broke, s.res.BrokeBy, s.res.ClientBound = st.Rate, st.Missed, st.ClientBound
	}
	s.res.Converged = s.lo > 0 && s.hi > 0 && s.hi/s.lo-1 <= s.cfg.Precision
}

// judge turns one sample measured at rate with conns connections into a
// step of the search. The target kept up with the rate when it answered
// at least SLOKeptUp of the requests offered in the measured interval,
// less one per connection (a request may be in flight at the end), and
// every connection got a reply (at the floor each one sends 3 requests in
// the interval: a pool smaller than the connections starves the rest).
func judge(goal results.Goal, rate float64, conns int, s results.Sample, err error) results.SLOStep {
	st := results.SLOStep{Rate: rate}
	if err != nil {
		st.Missed = "failed: " + err.Error()
		return st
	}
	st.Achieved, st.Latency, st.Requests, st.Errors = s.AchievedRate, s.Latency, s.Requests, s.Errors
	st.RequestsPerCPU, st.ClientBound = s.RequestsPerCPU, s.ClientBound
	met, missed := goal.Check(s.Latency, s.Requests, s.Errors)
	if s.Starved > 0 {
		missed = append(missed, fmt.Sprintf("%d of %d connections got no reply", s.Starved, conns))
		met = false
	}
	if float64(s.Requests+int64(conns)) < SLOKeptUp*rate*s.Duration {
		missed = append(missed, fmt.Sprintf("answered %.0f%% of the offered rate", 100*float64(s.Requests)/(rate*s.Duration)))
		met = false
	}
	st.Met, st.Missed = met, strings.Join(missed, ", ")
	return st
}

// searchCells runs the SLO search of every searchable cell for every
// target that has a scenario there, and stores each in its scenario's
// SLO. done counts the samples measured for progress; total is the
// progress total so far, to which the searches add their steps. It
// returns ctx's error when ctx ends.
func searchCells(ctx context.Context, cfg Config, cells []cell, scen [][]*results.Scenario, pin int, done, total *int) error {
	for ci, c := range cells {
		if !searchable(c.w) {
			continue
		}
		var searches []*sloSearch
		for ti := range cfg.Targets {
			if scen[ci][ti] == nil {
				searches = append(searches, nil)
				continue
			}
			searches = append(searches, newSLOSearch(cfg.SLO, c.conns, cfg.Duration))
			*total += cfg.SLO.Steps
		}
		for more := true; more; {
			more = false
			for ti, s := range searches {
				if s == nil {
					continue
				}
				rate, ok := s.next()
				if !ok {
					continue
				}
				more = true
				if err := ctx.Err(); err != nil {
					return err
				}
				t := cfg.Targets[ti]
				if cfg.Progress != nil {
					cfg.Progress(Progress{Done: *done, Total: *total, Target: t.Name, Workload: c.w.Name, Conns: c.conns, Rep: len(s.res.Steps) + 1, SLORate: rate})
				}
				*done++
				sc := c
				sc.w.Mode, sc.w.rate = load.Open, rate
				smp, _, err := measure(ctx, cfg, t, sc, pin)
				if err != nil && ctx.Err() != nil {
					return ctx.Err()
				}
				s.record(judge(cfg.SLO.Goal, rate, c.conns, smp, err))
			}
		}
		for ti, s := range searches {
			if s != nil {
				*total -= cfg.SLO.Steps - len(s.res.Steps)
				scen[ci][ti].SLO = s.res
			}
		}
	}
	return nil
}
