package bench

import (
	"context"
	"fmt"
	"math"
	"slices"
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
	// MaxSLOReps is the largest SLOConfig.Reps: each step costs Reps
	// samples, and 10 already make a median that one or four outliers
	// do not move.
	MaxSLOReps = 10
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
// within Precision of each other, trying at most Steps rates, each Reps
// samples of the Config's warm-up and duration, judged on their medians
// (see judgeSamples). The targets of a cell are searched interleaved: each
// one's next rate in turn, and each rate's samples too (A B C A B C).
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
	// Reps is how many samples each rate is measured with, 1..MaxSLOReps;
	// 0 means 1. A step is judged on the median of each bounded figure
	// over its samples, so that one noisy sample does not move the
	// search; it costs Reps samples per step.
	Reps int
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
	if c.Reps == 0 {
		c.Reps = 1
	}
	switch {
	case !(c.Precision > 0.001 && c.Precision <= 1):
		return c, fmt.Errorf("%w: slo precision %v: want above 0.001 and at most 1", ErrBadConfig, c.Precision)
	case c.Start != 0 && !(c.Start >= minSLORate && c.Start <= MaxRate):
		return c, fmt.Errorf("%w: slo start %v: want %g..%g requests per second", ErrBadConfig, c.Start, minSLORate, MaxRate)
	case c.Steps < 1 || c.Steps > MaxSLOSteps:
		return c, fmt.Errorf("%w: slo steps %d: want 1..%d", ErrBadConfig, c.Steps, MaxSLOSteps)
	case c.Reps < 1 || c.Reps > MaxSLOReps:
		return c, fmt.Errorf("%w: slo reps %d: want 1..%d", ErrBadConfig, c.Reps, MaxSLOReps)
	}
	return c, nil
}

// ForWorkloads returns an error wrapping ErrBadConfig when a bound of c's
// goal does not apply to one of ws: a loss bound on a stream workload. A
// stream loses no request in the datagram sense (TCP retransmits); a
// request without a reply there is an error or a stall, which the errors
// bound, the latency bounds and the kept-up rule already judge, so a loss
// bound would be met by construction and say nothing.
func (c SLOConfig) ForWorkloads(ws []Workload) error {
	if !c.Goal.HasLoss() {
		return nil
	}
	for _, w := range ws {
		if !w.Datagram() {
			return fmt.Errorf("%w: a loss bound applies to datagram workloads (udp, udp-open, unixgram, unixgram-open) only, and %s is a stream workload: bound its errors instead", ErrBadConfig, w.Name)
		}
	}
	return nil
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
	if cfg.Reps > 1 {
		s.res.Reps = cfg.Reps
	}
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

// measured is one sample of a search step, or why it could not be taken.
type measured struct {
	s   results.Sample
	err error
}

// judge turns one sample measured at rate with conns connections into a
// step of the search, as judgeSamples does.
func judge(goal results.Goal, rate float64, conns int, s results.Sample, err error) results.SLOStep {
	return judgeSamples(goal, rate, conns, []measured{{s, err}})
}

// judgeSamples turns the samples measured at rate with conns connections
// into a step of the search, judged on their medians: the goal as
// results.Goal.CheckSamples judges a matrix cell's repetitions, and two
// rules of its own. The target kept up with the rate when it answered at
// least SLOKeptUp of the requests offered in the measured interval, less
// one per connection (a request may be in flight at the end), and every
// connection got a reply (at the floor each one sends 3 requests in the
// interval: a pool smaller than the connections starves the rest). A
// sample that failed counts as the worst in every median (latency, loss,
// starved connections, share answered) but adds nothing to the error
// rate, which has no requests of it to count; when half or
// more failed, the step failed. The step is client-bound when any sample
// was. With more than one sample the step keeps each one, with its own
// verdict.
func judgeSamples(goal results.Goal, rate float64, conns int, ms []measured) results.SLOStep {
	st := results.SLOStep{Rate: rate}
	if len(ms) > 1 {
		for _, m := range ms {
			st.Samples = append(st.Samples, sloSample(judgeSamples(goal, rate, conns, []measured{m}), m.s, m.err))
		}
	}
	var judged []results.Sample
	var failed []error
	for _, m := range ms {
		if m.err != nil {
			failed = append(failed, m.err)
			continue
		}
		judged = append(judged, m.s)
	}
	if len(failed) > 0 && len(failed) >= (len(ms)+1)/2 {
		st.Missed = "failed: " + failed[0].Error()
		if len(ms) > 1 {
			st.Missed = fmt.Sprintf("failed: %d of %d samples: %v", len(failed), len(ms), failed[0])
		}
		return st
	}
	for range failed {
		judged = append(judged, worstSample(conns, judged[0].LossRatio != nil))
	}
	f := results.MedianFigures(judged)
	st.Latency, st.Requests, st.Errors, st.LossRatio = f.Latency, f.Requests, f.Errors, f.Loss
	st.Achieved = results.MedianOf(judged, func(s *results.Sample) float64 { return s.AchievedRate })
	st.RequestsPerCPU = results.MedianOf(judged, func(s *results.Sample) float64 { return s.RequestsPerCPU })
	st.ClientBound = slices.ContainsFunc(judged, func(s results.Sample) bool { return s.ClientBound })
	met, missed := goal.CheckFigures(f)
	if starved := results.MedianOf(judged, func(s *results.Sample) float64 { return float64(s.Starved) }); starved > 0 {
		missed = append(missed, fmt.Sprintf("%g of %d connections got no reply", starved, conns))
		met = false
	}
	keptUp := results.MedianOf(judged, func(s *results.Sample) float64 { return float64(s.Requests+int64(conns)) / (rate * s.Duration) })
	if keptUp < SLOKeptUp {
		answered := results.MedianOf(judged, func(s *results.Sample) float64 { return float64(s.Requests) / (rate * s.Duration) })
		missed = append(missed, fmt.Sprintf("answered %.0f%% of the offered rate", 100*answered))
		met = false
	}
	st.Met, st.Missed = met, strings.Join(missed, ", ")
	return st
}

// worstSample stands for a failed sample among others: the worst in every
// figure a step is judged on (no reply, every connection starved, every
// request lost when the workload measures loss).
func worstSample(conns int, loss bool) results.Sample {
	inf := math.Inf(1)
	s := results.Sample{Duration: inf, Starved: conns, Latency: results.Latency{P50: inf, P90: inf, P99: inf, P999: inf, Max: inf, Mean: inf}}
	if loss {
		all := 1.0
		s.LossRatio = &all
	}
	return s
}

// sloSample records one sample of a step measured several times, with
// the verdict st of that sample alone.
func sloSample(st results.SLOStep, s results.Sample, err error) results.SLOSample {
	if err != nil {
		return results.SLOSample{Missed: st.Missed}
	}
	return results.SLOSample{Achieved: s.AchievedRate, Latency: s.Latency, Requests: s.Requests, Errors: s.Errors,
		RequestsPerCPU: s.RequestsPerCPU, Starved: s.Starved, LossRatio: s.LossRatio, ClientBound: s.ClientBound,
		Met: st.Met, Missed: st.Missed}
}

// measureFunc measures one sample of t in cell c: measure, or a fake in
// tests.
type measureFunc func(ctx context.Context, t Target, c cell) (results.Sample, error)

// searchCells runs the SLO search of every searchable cell for every
// target that has a scenario there, and stores each in its scenario's
// SLO. done counts the samples measured for progress; total is the
// progress total so far, to which the searches add their steps' samples.
// It returns ctx's error when ctx ends.
func searchCells(ctx context.Context, cfg Config, cells []cell, scen [][]*results.Scenario, pin int, done, total *int) error {
	m := func(ctx context.Context, t Target, c cell) (results.Sample, error) {
		s, _, err := measure(ctx, cfg, t, c, pin)
		return s, err
	}
	for ci, c := range cells {
		if !searchable(c.w) {
			continue
		}
		searches := make([]*sloSearch, len(cfg.Targets))
		for ti := range cfg.Targets {
			if scen[ci][ti] != nil {
				searches[ti] = newSLOSearch(cfg.SLO, c.conns, cfg.Duration)
				*total += cfg.SLO.Steps * cfg.SLO.Reps
			}
		}
		if err := searchCell(ctx, cfg, c, searches, m, done, total); err != nil {
			return err
		}
		for ti, s := range searches {
			if s != nil {
				*total -= (cfg.SLO.Steps - len(s.res.Steps)) * cfg.SLO.Reps
				scen[ci][ti].SLO = s.res
			}
		}
	}
	return nil
}

// searchCell runs the searches of cell c's targets (nil where a target
// has none) round by round: each round takes every unfinished search's
// next rate and measures it cfg.SLO.Reps times, interleaved across the
// targets (A B C A B C), then records each target's step. cfg.SLO has its
// defaults.
func searchCell(ctx context.Context, cfg Config, c cell, searches []*sloSearch, m measureFunc, done, total *int) error {
	for range cfg.SLO.Steps + 1 { // every round adds a step to each search that goes on
		rates := make([]float64, len(searches)) // 0: no step this round
		more := false
		for ti, s := range searches {
			if s == nil {
				continue
			}
			if rate, ok := s.next(); ok {
				rates[ti], more = rate, true
			}
		}
		if !more {
			return nil
		}
		got := make([][]measured, len(searches))
		for rep := range cfg.SLO.Reps {
			for ti, rate := range rates {
				if rate == 0 {
					continue
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				t := cfg.Targets[ti]
				if cfg.Progress != nil {
					cfg.Progress(Progress{Done: *done, Total: *total, Target: t.Name, Workload: c.w.Name, Conns: c.conns,
						Rep: len(searches[ti].res.Steps) + 1, SLORate: rate, SLOSample: rep + 1, SLOReps: cfg.SLO.Reps})
				}
				*done++
				sc := c
				sc.w.Mode, sc.w.rate = load.Open, rate
				smp, err := m(ctx, t, sc)
				if err != nil && ctx.Err() != nil {
					return ctx.Err()
				}
				got[ti] = append(got[ti], measured{smp, err})
			}
		}
		for ti, rate := range rates {
			if rate != 0 {
				searches[ti].record(judgeSamples(cfg.SLO.Goal, rate, c.conns, got[ti]))
			}
		}
	}
	return nil
}
