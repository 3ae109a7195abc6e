package load

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"slices"
	"sync"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Run generates load on cfg.Addr as cfg describes and returns what it
// measured.
//
// It opens cfg.Idle idle connections first, then starts cfg.Conns workers
// and waits until each has tried its first dial. If none could connect, it
// stops and returns an error wrapping ErrUnreachable and the first dial
// error. Otherwise it lets the load run for cfg.Warmup (results
// discarded: each worker resets its own tallies when it sees the measured
// interval begin, without pausing), then measures for cfg.Duration.
// With cfg.MeasureAt set, the warm-up lasts until then instead, and the
// measured interval ends at MeasureAt + Duration.
//
// Run blocks until Warmup+Duration have elapsed (plus dialing) or ctx is
// done; if ctx ends during the measured interval, the Result covers the
// shorter interval and has Cancelled set; if it ends before, Run returns
// ctx's error. Every goroutine it starts has exited and every connection it
// opened is closed when it returns. It returns an error only for a bad
// config (wrapping ErrBadConfig) or when nothing could be measured;
// per-request failures are counted in Result.Errors. Run is safe to call
// from several goroutines at once.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	r := &run{
		cfg:       cfg,
		ctx:       rctx,
		dialer:    net.Dialer{Timeout: cfg.DialTimeout},
		ready:     make(chan error, cfg.Conns),
		churnReq:  []byte(cfg.ChurnLine + "\n"),
		churnWant: churnReply(cfg.ChurnLine),
		iv:        newIntervals(cfg),
	}

	var wg sync.WaitGroup
	if cfg.RTT.Delay > 0 {
		if r.wheel = newDelayWheel(newFineTimer(rctx)); r.wheel != nil {
			wg.Go(r.wheel.run)
		}
	}
	idle := openIdle(ctx, &r.dialer, cfg.Network, cfg.Addr, cfg.Idle)
	defer func() {
		for _, c := range idle {
			_ = c.Close()
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}

	workers := make([]*worker, cfg.Conns)
	good := cfg.Conns - cfg.Slow
	for i := range workers {
		if i < good {
			workers[i] = newWorker(r, i, false)
		} else {
			workers[i] = newWorker(r, i-good, true)
		}
	}
	stop := func() {
		r.phase.Store(phaseDone)
		cancel()
		wg.Wait()
	}
	for _, w := range workers {
		wg.Go(func() { w.loop(good) })
	}

	// Wait for every worker's first dial.
	var firstErr error
	connected := 0
	for range cfg.Conns {
		select {
		case err := <-r.ready:
			if err == nil {
				connected++
			} else if firstErr == nil {
				firstErr = err
			}
		case <-ctx.Done():
			stop()
			return nil, fmt.Errorf("load: %w", ctx.Err())
		}
	}
	if connected == 0 {
		stop()
		return nil, fmt.Errorf("%w to %s %s: %w", ErrUnreachable, cfg.Network, cfg.Addr, firstErr)
	}

	warmup := cfg.Warmup
	if !cfg.MeasureAt.IsZero() {
		warmup = time.Until(cfg.MeasureAt)
	}
	if warmup > 0 {
		t := time.NewTimer(warmup)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			stop()
			return nil, fmt.Errorf("load: cancelled during warm-up: %w", ctx.Err())
		}
	}

	if cfg.OnMeasure != nil {
		cfg.OnMeasure(true)
	}
	cpu0 := processCPU()
	t0 := time.Now()
	grid, measure := t0, cfg.Duration
	if !cfg.MeasureAt.IsZero() {
		grid = cfg.MeasureAt
		measure = max(cfg.MeasureAt.Add(cfg.Duration).Sub(t0), time.Millisecond)
	}
	if r.iv != nil {
		r.iv.grid.Store(grid.UnixNano())
	}
	r.phase.Store(phaseMeasure)
	t := time.NewTimer(measure)
	cancelled := false
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		cancelled = true
	}
	if cfg.OnMeasure != nil {
		cfg.OnMeasure(false)
	}
	r.phase.Store(phaseDone)
	elapsed := time.Since(t0)
	cpu := processCPU() - cpu0
	stop()

	res := collect(cfg, workers, good)
	res.Start = t0
	if r.iv != nil {
		res.Intervals, res.IntervalStart = r.iv.hists, grid
	}
	res.Elapsed = elapsed
	res.Cancelled = cancelled
	res.IdleOpen = len(idle)
	res.IdleAlive = countAlive(idle)
	res.ClientCPU = cpu
	res.ClientCPUs = min(runtime.GOMAXPROCS(0), runtime.NumCPU())
	if elapsed > 0 {
		res.AchievedRate = float64(res.Requests) / elapsed.Seconds()
		res.ClientUtil = cpu.Seconds() / (elapsed.Seconds() * float64(res.ClientCPUs))
	}
	res.ClientBound = res.ClientUtil >= SaturatedUtil
	if cfg.RTT.Delay > 0 {
		res.RTTTimer = "Go timers"
		if r.wheel != nil && !r.wheel.hasFailed() {
			res.RTTTimer = "timerfd wheel"
		}
	}
	if cfg.Mode == Open {
		res.TargetRate = cfg.Rate
		if res.ClientLateSends >= 2 && float64(res.ClientLateSends) > 0.01*float64(res.sends) {
			res.ClientBound = true
		}
	}
	return res.Result, nil
}

// loop runs the worker's mode until the run ends; n is the number of
// well-behaved workers.
func (w *worker) loop(n int) {
	defer w.timer.Stop()
	switch {
	case w.r.cfg.Mode == Churn:
		w.runChurn()
	case w.slow || w.r.cfg.Mode == Closed:
		w.runClosed()
	case w.r.cfg.Mode == Pipelined:
		w.runPipelined()
	case w.r.cfg.Mode == Open:
		w.runOpen(n)
	}
	w.report(errors.New("worker ended before dialing")) // only if the run stopped first
}

// collected is a Result with the tallies that only the verdict needs.
type collected struct {
	*Result
	sends int64 // Open: sends in the interval
}

// collect merges the workers' tallies after they have all exited. Tallies
// of a worker that never saw the measured interval are warm-up results
// and are dropped.
func collect(cfg Config, workers []*worker, good int) collected {
	res := collected{Result: &Result{
		Latency: newHist(),
		PerConn: make([]int64, good),
	}}
	if cfg.Slow > 0 {
		res.SlowLatency = newHist()
		res.SlowPerConn = make([]int64, cfg.Slow)
	}
	if cfg.Mode == Open {
		res.UncorrectedLatency = newHist()
	}
	if cfg.RTT.Delay > 0 {
		res.RTTLag = hdrhistogram.New(1, rttLagMax, 2)
	}
	counts := map[string]int64{}
	for _, w := range workers {
		st := &w.st
		if p := w.path; p != nil {
			res.RTTHolds += p.holds
			res.RTTAsked += p.asked
			res.RTTHeld += p.held
			if p.lag != nil {
				res.RTTLag.Merge(p.lag)
			}
		}
		res.InFlight += st.inFlight
		res.TotalRequests += st.total
		if !st.measuring {
			continue
		}
		if w.r.iv != nil && !w.slow {
			w.flushInterval()
		}
		res.Errors += st.errors
		res.DialErrors += st.dialErrors
		for _, s := range st.samples {
			counts[s.msg] += s.count
		}
		if w.slow {
			res.SlowLatency.Merge(st.hist)
			res.SlowRequests += st.requests
			res.SlowPerConn[w.id] = st.requests
			continue
		}
		res.Latency.Merge(st.hist)
		if st.uncorr != nil {
			res.UncorrectedLatency.Merge(st.uncorr)
		}
		res.Requests += st.requests
		res.PerConn[w.id] = st.requests
		res.sends += st.sends
		res.LateSends += st.late
		res.ClientLateSends += st.clientLate
		res.MaxSendLag = max(res.MaxSendLag, st.maxLag)
	}
	msgs := make([]string, 0, len(counts))
	for m := range counts {
		msgs = append(msgs, m)
	}
	slices.SortFunc(msgs, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	if len(msgs) > MaxErrorSamples {
		msgs = msgs[:MaxErrorSamples]
	}
	if len(msgs) > 0 {
		res.ErrorSamples = msgs
	}
	return res
}
