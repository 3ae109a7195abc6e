package bench

import (
	"context"
	"sync"
	"time"
)

// samplePeriod is how often the sampler reads the server's /proc files
// while load runs. Each read costs a few microseconds of the client's CPU.
const samplePeriod = 5 * time.Millisecond

// ctxEvery is how many sample periods pass between readings of the
// context switches, which cost a file per thread.
const ctxEvery = 10

// point is one reading of the server's /proc counters.
type point struct {
	t   time.Time
	cpu time.Duration
	ctx int64
	rss int64
}

// sampler records the server's CPU time, context switches and RSS over
// time, so that the values at the edges of the load generator's measured
// interval can be read afterwards (the generator reports only the
// interval's length, and returns shortly after its end).
type sampler struct {
	pf     *procFiles
	points []point // cpu (with reaped children's) and rss
	ctx    []point // ctx only
	tree   []point // cpu and rss of the server and its live descendants
	// maxProcs and maxTreeRSS are the most live descendants, and the most
	// RSS of the server plus its descendants, seen in one reading.
	maxProcs   int
	maxTreeRSS int64
	live       int           // descendants at the last scan
	childCPU   time.Duration // the server's cutime+cstime at the last reading
	lastTree   time.Time     // when the last scan for descendants was
	n          int
	err        error
}

// run samples until ctx is done, then takes a last reading. The owner
// waits for it to return before reading s.points.
func (s *sampler) run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTicker(samplePeriod)
	defer t.Stop()
	s.take(true, true)
	for {
		select {
		case <-ctx.Done():
			s.take(true, true)
			return
		case <-t.C:
			s.n++
			withCtx := s.n%ctxEvery == 0
			s.take(withCtx, withCtx && (s.live > 0 || time.Since(s.lastTree) >= treeIdleGap))
		}
	}
}

// treeIdleGap is how long the sampler waits between scans for
// descendants of a server that had none at the last scan (and has reaped
// none since): a scan reads every process's stat file, which costs the
// load generator's CPU.
const treeIdleGap = 500 * time.Millisecond

func (s *sampler) take(withCtx, withTree bool) {
	now := time.Now()
	var tr treeReading
	var treeErr error
	if withCtx {
		n, err := s.pf.ctxSwitches()
		if err != nil {
			s.err = err
			return
		}
		s.ctx = append(s.ctx, point{t: now, ctx: n})
	}
	if withTree {
		// The descendants before the server's own stat: one reaped in
		// between is then counted twice in this reading, not missed.
		tr, treeErr = readTree(s.pf.pid)
	}
	st, err := s.pf.readStat()
	if err != nil {
		s.err = err
		return
	}
	ss, err := s.pf.readStatus()
	if err != nil {
		s.err = err
		return
	}
	own := st.CPU + st.ChildCPU
	if n := len(s.points); n > 0 && st.ChildCPU > s.childCPU {
		s.live = max(s.live, 1) // a child was reaped: look for the others often
	}
	s.childCPU = st.ChildCPU
	s.points = append(s.points, point{t: now, cpu: own, rss: ss.RSS})
	if withTree && treeErr == nil {
		s.addTree(now, own, ss.RSS, tr)
	}
}

// addTree records a reading of the whole tree: the server's CPU (with its
// reaped children's) plus its live descendants', read together, so that
// a child moving from one to the other at reaping does not make the sum
// go back. It is taken every ctxEvery periods while the server has
// descendants, and every treeIdleGap while it has none: the scan reads
// all of /proc.
func (s *sampler) addTree(now time.Time, ownCPU time.Duration, ownRSS int64, tr treeReading) {
	s.tree = append(s.tree, point{t: now, cpu: ownCPU + tr.cpu, rss: ownRSS + tr.rss})
	s.live, s.lastTree = tr.procs, now
	if tr.procs > s.maxProcs {
		s.maxProcs = tr.procs
	}
	if tr.procs > 0 && ownRSS+tr.rss > s.maxTreeRSS {
		s.maxTreeRSS = ownRSS + tr.rss
	}
}

// at returns the counters at time t, interpolated linearly between the
// readings around it (RSS: the last reading at or before t). It reports
// false if t is outside the readings.
func at(points []point, t time.Time) (point, bool) {
	if len(points) == 0 || t.Before(points[0].t) || t.After(points[len(points)-1].t) {
		return point{}, false
	}
	for i := 1; i < len(points); i++ {
		a, b := points[i-1], points[i]
		if t.After(b.t) {
			continue
		}
		span := b.t.Sub(a.t)
		f := 0.0
		if span > 0 {
			f = float64(t.Sub(a.t)) / float64(span)
		}
		rss := a.rss
		if t.Equal(b.t) {
			rss = b.rss
		}
		return point{
			t:   t,
			cpu: a.cpu + time.Duration(f*float64(b.cpu-a.cpu)),
			ctx: a.ctx + int64(f*float64(b.ctx-a.ctx)),
			rss: rss,
		}, true
	}
	return points[0], true
}

// interval returns the change of the counters between t0 and t1 and the
// RSS at t1.
func interval(points []point, t0, t1 time.Time) (cpu time.Duration, ctx int64, rss int64, ok bool) {
	a, ok0 := at(points, t0)
	b, ok1 := at(points, t1)
	if !ok0 || !ok1 {
		return 0, 0, 0, false
	}
	return b.cpu - a.cpu, b.ctx - a.ctx, b.rss, true
}
