package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/results"
)

// Defaults of a load agent's schedule.
const (
	// DefaultInterval is the length of the intervals an agent's latency
	// histograms are kept per.
	DefaultInterval = time.Second
	// AgentDialLead is how long before its warm-up an agent starts
	// dialing, so that its connections are open when the window begins.
	AgentDialLead = 500 * time.Millisecond
	// AgentSettle is the pause after each measured window, in which the
	// agents close their connections before the next window's dials.
	AgentSettle = 500 * time.Millisecond
)

// AgentConfig describes one load agent's share of a measurement made by
// several agents at once: every cell (workload x connection count) x
// repetition on one schedule that every agent computes alike from StartAt.
type AgentConfig struct {
	// Addr is the server's address, Network its network ("tcp" if empty).
	Addr, Network string
	// Target names the server in the run (its strategy column); empty
	// means ExternalAddrTarget(Addr)'s name.
	Target string
	// Workloads and Conns span the cells; Conns is this agent's own
	// connections per cell.
	Workloads []Workload
	Conns     []int
	// Reps is the number of repetitions of every cell (default 1).
	Reps int
	// Duration is each measured window; Warmup the load before it.
	Duration, Warmup time.Duration
	// Interval is the length of the per-interval histograms; 0 means
	// DefaultInterval.
	Interval time.Duration
	// StartAt is when the first measured window begins, on the reference
	// clock; window i begins at StartAt + i*Slot(). Zero means as soon as
	// this agent can (then its windows line up with no other agent's).
	StartAt time.Time
	// ClockOffset is this host's clock minus the reference clock, when
	// known; the schedule is shifted by it and the run records it.
	ClockOffset *time.Duration
	// Index, Count and Host identify the agent among its peers.
	Index, Count int
	Host         string
	// ServerStats, if set, reads the server's own stats (see
	// serveproto.FetchStats); the agent reads them as each window begins
	// and ends, for the server's CPU time. StatsSource names it in the run.
	ServerStats func(context.Context) (serveproto.Stats, error)
	StatsSource string
	// Args and ToolVersion are recorded in the run.
	Args        []string
	ToolVersion string
}

// Slot is the time one cell's window takes in the schedule: warm-up,
// measured window, and the dial lead and settling time around them.
func (c AgentConfig) Slot() time.Duration {
	return AgentDialLead + c.Warmup + c.Duration + AgentSettle
}

func (c AgentConfig) withDefaults() (AgentConfig, error) {
	if c.Network == "" {
		c.Network = "tcp"
	}
	if c.Target == "" {
		c.Target = ExternalAddrTarget(c.Addr).Name
	}
	if c.Reps == 0 {
		c.Reps = 1
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Count == 0 {
		c.Count = 1
	}
	if c.Host == "" {
		c.Host, _ = os.Hostname()
	}
	switch {
	case c.Addr == "":
		return c, fmt.Errorf("%w: agent: no address", ErrBadConfig)
	case len(c.Workloads) == 0 || len(c.Conns) == 0:
		return c, fmt.Errorf("%w: agent: no workloads or connection counts", ErrBadConfig)
	case slices.ContainsFunc(c.Workloads, Workload.Datagram):
		return c, fmt.Errorf("%w: agent: datagram workloads are measured by bench or dgram-load, not by load agents", ErrBadConfig)
	case c.Index < 0 || c.Index >= c.Count:
		return c, fmt.Errorf("%w: agent index %d: want 0..%d", ErrBadConfig, c.Index, c.Count-1)
	case c.Duration <= 0 || c.Warmup < 0 || c.Interval < 0 || c.Reps < 0:
		return c, fmt.Errorf("%w: agent: duration must be positive, warm-up, interval and reps not negative", ErrBadConfig)
	}
	return c, nil
}

// RunAgent runs cfg's share of the measurement against cfg.Addr and
// returns it as a run marked with results.Agent, each sample with its
// per-interval histograms (results.Series) and its results.Share, ready
// for results.Merge. A window that began late or ended early says so in
// its share. It returns the run so far with the error when ctx ends it,
// and an error wrapping ErrBadConfig for a bad cfg.
func RunAgent(ctx context.Context, cfg AgentConfig) (*results.Run, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	offset := time.Duration(0)
	if cfg.ClockOffset != nil {
		offset = *cfg.ClockOffset
	}
	start := cfg.StartAt
	if start.IsZero() {
		start = time.Now().Add(-offset + AgentDialLead + cfg.Warmup)
	}
	run := agentRun(cfg)
	i := 0
	for _, w := range cfg.Workloads {
		for _, conns := range cfg.Conns {
			sc := results.Scenario{Strategy: cfg.Target, Workload: w.Name, Params: w.Params, Mode: string(w.Mode), Conns: conns}
			for rep := range cfg.Reps {
				window := start.Add(time.Duration(i) * cfg.Slot())
				i++
				s, err := agentSample(ctx, cfg, w, conns, window, offset)
				if err != nil {
					if ctx.Err() != nil {
						return run, fmt.Errorf("agent: %w", ctx.Err())
					}
					sc.Warnings = append(sc.Warnings, results.Warning{Kind: results.FailedRep, Rep: rep + 1, Detail: err.Error()})
					continue
				}
				s.Rep = rep + 1
				sc.Samples = append(sc.Samples, s)
			}
			sc.Warnings = append(cellWarnings(&sc, conns-w.slowConns(conns), ""), sc.Warnings...)
			run.Scenarios = append(run.Scenarios, sc)
		}
	}
	return run, nil
}

// agentRun is the run RunAgent fills.
func agentRun(cfg AgentConfig) *results.Run {
	a := &results.Agent{Index: cfg.Index, Count: cfg.Count, Host: cfg.Host, Addr: cfg.Addr, StartAt: cfg.StartAt, ServerStats: cfg.StatsSource}
	if cfg.ClockOffset != nil {
		d := results.Duration(*cfg.ClockOffset)
		a.ClockOffset = &d
	}
	return &results.Run{
		Schema: results.SchemaVersion,
		Env:    CurrentEnv(cfg.ToolVersion),
		Config: results.Config{Duration: results.Duration(cfg.Duration), Warmup: results.Duration(cfg.Warmup),
			Repetitions: cfg.Reps, Args: cfg.Args},
		Agent: a,
	}
}

// agentSample measures one window that begins at window (reference
// clock); offset converts the reference clock to this host's.
func agentSample(ctx context.Context, cfg AgentConfig, w Workload, conns int, window time.Time, offset time.Duration) (results.Sample, error) {
	local := window.Add(offset)
	if !sleepUntil(ctx, local.Add(-cfg.Warmup-AgentDialLead)) {
		return results.Sample{}, ctx.Err()
	}
	lc := w.loadConfig(cfg.Addr, conns, 0, cfg.Duration)
	lc.Network = cfg.Network
	lc.MeasureAt, lc.Interval = local, cfg.Interval
	lc.ReplyTimeout = cfg.Warmup + cfg.Duration + 10*time.Second
	rctx, cancelReads := context.WithCancel(ctx)
	defer cancelReads()
	srv := startServerReads(rctx, cfg, local)
	res, err := load.Run(ctx, lc)
	if err != nil {
		cancelReads()
	}
	cpu, serverErr := srv.wait()
	if err != nil {
		return results.Sample{}, err
	}
	if err := dialFailures(res, cell{w: w, conns: conns}); err != nil {
		return results.Sample{}, err
	}
	s := sampleOf(res)
	if s.Series, err = results.NewSeries(window, cfg.Interval, res.Intervals); err != nil {
		return results.Sample{}, err
	}
	begin := res.Start.Add(-offset)
	sh := results.Share{Agent: cfg.Index, Host: cfg.Host, Conns: conns, Start: begin, Duration: s.Duration,
		Requests: s.Requests, Errors: s.Errors, TotalRequests: res.TotalRequests, InFlight: res.InFlight,
		Throughput: s.Throughput, ClientCPU: s.ClientCPU, ClientUtil: res.ClientUtil, ClientBound: res.ClientBound}
	if late := begin.Sub(window); late > results.WindowSlack {
		sh.LateStart = late.Seconds()
	}
	if early := window.Add(cfg.Duration).Sub(begin.Add(res.Elapsed)); early > results.WindowSlack {
		sh.EarlyEnd = early.Seconds()
	}
	s.Shares = []results.Share{sh}
	if serverErr == nil && cpu > 0 {
		s.ServerCPU = cpu
		if s.Requests > 0 {
			s.RequestsPerCPU = float64(s.Requests) / cpu
			s.CPUPerRequest = cpu * 1e6 / float64(s.Requests)
		}
	}
	return s, nil
}

// sleepUntil waits until t; it reports false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// serverReads reads the server's stats as a window begins and ends.
type serverReads struct {
	done chan struct{}
	cpu  float64
	err  error
}

// startServerReads reads cfg.ServerStats at local and at local +
// Duration, in its own goroutine; without ServerStats it reads nothing.
func startServerReads(ctx context.Context, cfg AgentConfig, local time.Time) *serverReads {
	r := &serverReads{done: make(chan struct{}), err: errors.New("no server stats")}
	if cfg.ServerStats == nil {
		close(r.done)
		return r
	}
	go func() {
		defer close(r.done)
		var st [2]serveproto.Stats
		for i, at := range []time.Time{local, local.Add(cfg.Duration)} {
			if !sleepUntil(ctx, at) {
				r.err = ctx.Err()
				return
			}
			if st[i], r.err = cfg.ServerStats(ctx); r.err != nil {
				return
			}
		}
		r.cpu = st[1].CPU - st[0].CPU
	}()
	return r
}

// wait returns the server CPU seconds of the window, once both reads are
// done.
func (r *serverReads) wait() (float64, error) {
	<-r.done
	return r.cpu, r.err
}
