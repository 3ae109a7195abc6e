package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/results"
)

// ErrBadConfig is wrapped by Run's errors about its Config.
var ErrBadConfig = errors.New("bad bench config")

// ErrNotMeasured is wrapped by the error Run returns, together with the
// run, when a scenario of the matrix got no successful repetition (its
// server never started, say): the run is usable but incomplete, and its
// warnings say why each scenario failed.
var ErrNotMeasured = errors.New("not measured")

// DefaultBacklog is the listen backlog the harness gives the servers it
// starts, so that hundreds of simultaneous dials are never refused.
const DefaultBacklog = 4096

// Config describes a benchmark matrix.
type Config struct {
	// Targets are the servers under test, in column order.
	Targets []Target
	// Workloads and Conns span the cells: every workload at every
	// connection count.
	Workloads []Workload
	Conns     []int
	// Reps is the number of repetitions of every (target, cell).
	Reps int
	// Duration is the measured time of each sample; Warmup the load run
	// before it on the same connections, discarded.
	Duration, Warmup time.Duration
	// Pin pins this process (every thread, GOMAXPROCS 1) to the first CPU
	// it may run on and every server process to the second, for the run.
	// It needs two CPUs in the process's affinity mask.
	Pin bool
	// Backlog is the servers' listen backlog; 0 means DefaultBacklog.
	Backlog int
	// Launcher makes server processes; nil means DefaultLauncher.
	Launcher Launcher
	// Progress, if set, is called before each sample, from Run's
	// goroutine.
	Progress func(Progress)
	// Perf counts every system call (and instructions, where the
	// hardware counter is exposed) of each server over each measured
	// interval with "perf stat"; the tracepoint adds a little to each
	// syscall, so timed metrics of a --perf run are not comparable with
	// those of a run without. Without perf installed, the run records
	// those counters as unsupported and goes on.
	Perf bool
	// Args and ToolVersion are recorded in the run.
	Args        []string
	ToolVersion string
	// SLO, when its Goal is set, searches every target's highest rate
	// under the goal after the matrix (see SLOConfig); each scenario's
	// SLO holds the result.
	SLO SLOConfig
}

// Progress tells which sample Run is about to measure.
type Progress struct {
	Done, Total int // samples measured so far, and in all
	Target      string
	Workload    string
	Conns       int
	Rep         int // 1-based
	// SLORate is the offered rate of an SLO search step (Rep is then the
	// step, 1-based); 0 for a sample of the matrix.
	SLORate float64
	// SLOSample is which of the step's SLOReps samples this is (1-based)
	// when the search measures each rate more than once.
	SLOSample, SLOReps int
}

// String returns e.g. "[12/48] keepalive conns=16 pool:workers=64 rep 2/3"
// (without the total of repetitions: "rep 2").
func (p Progress) String() string {
	if p.SLORate > 0 {
		return fmt.Sprintf("[%d/%d] %s conns=%d %s %s", p.Done+1, p.Total, p.Workload, p.Conns, p.Target, p.SLOStepText())
	}
	return fmt.Sprintf("[%d/%d] %s conns=%d %s rep %d", p.Done+1, p.Total, p.Workload, p.Conns, p.Target, p.Rep)
}

// SLOStepText describes an SLO search step: "slo step 3 at 1200 req/s",
// with ", sample 2/3" when each rate is measured more than once.
func (p Progress) SLOStepText() string {
	t := fmt.Sprintf("slo step %d at %.0f req/s", p.Rep, p.SLORate)
	if p.SLOReps > 1 {
		t += fmt.Sprintf(", sample %d/%d", p.SLOSample, p.SLOReps)
	}
	return t
}

// cell is one (workload, connection count) of the matrix.
type cell struct {
	w     Workload
	conns int
}

func (c Config) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrBadConfig}, a...)...)
	}
	switch {
	case len(c.Targets) == 0:
		return bad("no targets")
	case len(c.Workloads) == 0:
		return bad("no workloads")
	case len(c.Conns) == 0:
		return bad("no connection counts")
	case c.Reps < 1:
		return bad("reps %d: want at least 1", c.Reps)
	case c.Duration <= 0:
		return bad("duration %s: want > 0", c.Duration)
	case c.Warmup < 0:
		return bad("warm-up %s: want >= 0", c.Warmup)
	case c.Backlog < 0:
		return bad("backlog %d: want >= 0", c.Backlog)
	}
	for _, n := range c.Conns {
		if n < 1 {
			return bad("connection count %d: want at least 1", n)
		}
	}
	seen := map[string]bool{}
	for _, t := range c.Targets {
		if seen[t.Name] {
			return bad("target %q given twice", t.Name)
		}
		seen[t.Name] = true
		if t.Kind == KindExternal && t.Addr == "" && t.Exec == "" {
			return bad("external target %q has neither an address nor a command", t.Name)
		}
	}
	return nil
}

// Run measures the matrix cfg describes and returns it as a results.Run:
// one Scenario per (target, workload, conns) in the order targets x cells,
// with one Sample per repetition in the order measured (see Schedule).
// Each sample runs in a fresh server process (external servers given by
// address excepted). A sample that fails (the server does not start, the
// load generator cannot connect) is left out and its scenario gets a
// "failed" warning; Run goes on with the rest. A scenario left without
// any sample makes Run return the run together with an error wrapping
// ErrNotMeasured. Reference targets skip the workloads whose handler they
// do not speak (datagram workloads among them), and StreamOnly targets the
// datagram workloads, with a run warning; a matrix left with nothing to
// measure is refused with ErrBadConfig before anything runs.
//
// Run blocks until the matrix is done or ctx ends; then it returns the run
// so far together with ctx's error. It returns an error wrapping
// ErrBadConfig for an invalid cfg, or one about pinning. With cfg.Pin it
// changes this process's CPU mask and GOMAXPROCS while it runs: do not
// call it concurrently with anything that minds.
func Run(ctx context.Context, cfg Config) (*results.Run, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := checkDescriptors(cfg); err != nil {
		return nil, err
	}
	if !cfg.SLO.Goal.IsZero() {
		var err error
		if cfg.SLO, err = cfg.SLO.WithDefaults(); err != nil {
			return nil, err
		}
		if err := cfg.SLO.ForWorkloads(cfg.Workloads); err != nil {
			return nil, err
		}
	}
	if cfg.Launcher == nil {
		cfg.Launcher = DefaultLauncher
	}
	if cfg.Backlog == 0 {
		cfg.Backlog = DefaultBacklog
	}
	run := &results.Run{
		Schema: results.SchemaVersion,
		Env:    CurrentEnv(cfg.ToolVersion),
		Config: results.Config{
			Duration:    results.Duration(cfg.Duration),
			Warmup:      results.Duration(cfg.Warmup),
			Repetitions: cfg.Reps,
			Interleaved: len(cfg.Targets) > 1,
			Args:        cfg.Args,
			Backlog:     cfg.Backlog,
			RTT:         rttEmulation(ctx, cfg.Workloads),
			Goal:        cfg.SLO.Goal.String(),
		},
	}
	run.Env.Counters = CountedSources(ctx, cfg.Perf)
	if cfg.Perf && !perfCounts(run.Env.Counters) {
		cfg.Perf = false
		run.Warnings = append(run.Warnings, "--perf: perf stat cannot count here ("+run.Env.Counters[results.CountSyscalls]+"); syscalls are counted from /proc/PID/io (read and write only)")
	}
	pinServer := -1
	if cfg.Pin {
		clientCPU, serverCPU, err := pinCPUs()
		if err != nil {
			return nil, err
		}
		restore, err := pinSelf(clientCPU)
		if err != nil {
			return nil, err
		}
		defer restore()
		pinServer = serverCPU
		run.Config.Pinning = fmt.Sprintf("server=%d,client=%d", serverCPU, clientCPU)
	} else if n := onlineCPUs(); n <= 2 {
		run.Warnings = append(run.Warnings, fmt.Sprintf("unpinned on %d CPUs: the load generator and the server share them; rank by requests per server-CPU-second, or use --pin", n))
	}

	var cells []cell
	for _, w := range cfg.Workloads {
		for _, n := range cfg.Conns {
			cells = append(cells, cell{w, n})
		}
	}
	// scen[c][t] is target t's scenario for cell c.
	scen := make([][]*results.Scenario, len(cells))
	firstErr := make([][]string, len(cells))
	failures := make([][][]results.Warning, len(cells))
	skipped := map[string]bool{}
	var skips []string
	total := 0
	for ci, c := range cells {
		scen[ci] = make([]*results.Scenario, len(cfg.Targets))
		firstErr[ci] = make([]string, len(cfg.Targets))
		failures[ci] = make([][]results.Warning, len(cfg.Targets))
		for ti, t := range cfg.Targets {
			if why := t.skipReason(c.w); why != "" {
				key := t.Name + "/" + c.w.Name
				if !skipped[key] {
					skipped[key] = true
					skips = append(skips, fmt.Sprintf("%s skipped for workload %s: %s", t.Name, c.w.Name, why))
					run.Warnings = append(run.Warnings, skips[len(skips)-1])
				}
				continue
			}
			scen[ci][ti] = &results.Scenario{
				Strategy: t.Name,
				Workload: c.w.Name,
				Params:   c.w.Params,
				Mode:     string(c.w.Mode),
				Conns:    c.conns,
				Sweep:    t.Sweep,
			}
			total += cfg.Reps
		}
	}

	if total == 0 {
		return nil, fmt.Errorf("%w: nothing to measure: %s", ErrBadConfig, strings.Join(skips, "; "))
	}

	done := 0
	var runErr error
	for _, j := range Schedule(cfg.Reps, len(cells), len(cfg.Targets)) {
		sc := scen[j.Cell][j.Target]
		if sc == nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			runErr = err
			break
		}
		c, t := cells[j.Cell], cfg.Targets[j.Target]
		if cfg.Progress != nil {
			cfg.Progress(Progress{Done: done, Total: total, Target: t.Name, Workload: c.w.Name, Conns: c.conns, Rep: j.Rep + 1})
		}
		done++
		s, errSample, err := measure(ctx, cfg, t, c, pinServer)
		if err != nil {
			if ctx.Err() != nil {
				runErr = ctx.Err()
				break
			}
			failures[j.Cell][j.Target] = append(failures[j.Cell][j.Target], results.Warning{Kind: results.FailedRep, Rep: j.Rep + 1, Detail: err.Error()})
			continue
		}
		s.Rep = j.Rep
		sc.Samples = append(sc.Samples, s)
		if firstErr[j.Cell][j.Target] == "" {
			firstErr[j.Cell][j.Target] = errSample
		}
	}

	if runErr == nil && !cfg.SLO.Goal.IsZero() {
		runErr = searchCells(ctx, cfg, cells, scen, pinServer, &done, &total)
		for _, w := range cfg.Workloads {
			if !searchable(w) {
				run.Warnings = append(run.Warnings, fmt.Sprintf("no SLO search for workload %s: its handler closes the connection after one reply, and the open-loop search keeps connections open", w.Name))
			}
		}
	}

	var unmeasured []string
	firstFailure := ""
	for ti := range cfg.Targets {
		for ci, c := range cells {
			sc := scen[ci][ti]
			if sc == nil {
				continue
			}
			if len(sc.Samples) == 0 {
				for _, f := range failures[ci][ti] {
					run.Warnings = append(run.Warnings, fmt.Sprintf("%s %s conns=%d: %s", sc.Strategy, sc.Workload, sc.Conns, f))
				}
				if len(failures[ci][ti]) > 0 {
					unmeasured = append(unmeasured, fmt.Sprintf("%s %s conns=%d", sc.Strategy, sc.Workload, sc.Conns))
					if firstFailure == "" {
						firstFailure = failures[ci][ti][0].String()
					}
				}
				continue
			}
			sc.Warnings = cellWarnings(sc, c.conns-c.w.slowConns(c.conns), firstErr[ci][ti])
			if k := c.w.slowConns(c.conns); k > 0 {
				sc.Warnings = append(sc.Warnings, results.Warning{Kind: results.SlowClients, Clients: k, OfClients: c.conns,
					Delay: results.Duration(cmp.Or(c.w.slowDelay, load.DefaultSlowDelay))})
			} else if c.w.slowShare > 0 {
				sc.Warnings = append(sc.Warnings, results.Warning{Kind: results.NoSlowClient})
			}
			sc.Warnings = append(sc.Warnings, failures[ci][ti]...)
			run.Scenarios = append(run.Scenarios, *sc)
		}
	}
	if runErr == nil && len(unmeasured) > 0 {
		names := strings.Join(unmeasured[:min(3, len(unmeasured))], "; ")
		if len(unmeasured) > 3 {
			names += fmt.Sprintf("; and %d more", len(unmeasured)-3)
		}
		runErr = fmt.Errorf("%w: %d scenario(s) had no successful repetition (%s); first failure: %s", ErrNotMeasured, len(unmeasured), names, firstFailure)
	}
	return run, runErr
}

// memMinConns is the fewest connections held open for which a sample
// reports memory per connection: below it the runtime's own growth
// (buffers, heap) dwarfs the connections' share. The idle workload always
// reports it.
const memMinConns = 256

// measure runs one sample: it starts t's server for c's handler (pinned to
// CPU pin when pin >= 0), drives the load, reads the server's counters and
// stops it. errSample is one of the load generator's error messages, if
// any.
func measure(ctx context.Context, cfg Config, t Target, c cell, pin int) (s results.Sample, errSample string, err error) {
	addr := t.Addr
	var srv *server
	if t.Kind != KindExternal || t.Exec != "" {
		var cmd *exec.Cmd
		var sock *serverSocket // unixgram: this start's private socket path
		if sock, err = c.w.serverSocket(); err != nil {
			return s, "", err
		}
		defer sock.remove() // deferred first, so it runs after the server stopped
		if t.Kind == KindExternal {
			cmd = exec.CommandContext(ctx, "/bin/sh", "-c", "exec "+t.Exec)
		} else if t.Exe != "" {
			cmd = exec.CommandContext(ctx, t.Exe, t.workloadArgs(c.w, cfg.Backlog, sock.Path())...)
		} else if cmd, err = cfg.Launcher(ctx, t.workloadArgs(c.w, cfg.Backlog, sock.Path())); err != nil {
			return s, "", err
		}
		srv, err = startServerParsing(ctx, cmd, t.ExecAddr, t.Kind != KindExternal, pin, sock.parseAddr)
		if err != nil {
			return s, "", err
		}
		addr = srv.addr
		defer func() {
			serr := srv.stop()
			if err == nil && serr != nil && t.Kind != KindExternal {
				err = fmt.Errorf("stop server: %w", serr)
			}
		}()
	}

	var (
		pf       *procFiles
		baseline procStatus
		smp      sampler
		wg       sync.WaitGroup
	)
	sctx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	if srv != nil {
		if pf, err = openProc(srv.pid); err == nil {
			defer pf.Close()
			baseline, err = pf.readStatus()
		}
		if err != nil {
			pf = nil // no /proc: server metrics stay unmeasured
			err = nil
		}
	}
	if pf != nil {
		smp.pf = pf
		wg.Add(1)
		go smp.run(sctx, &wg)
	}
	lcfg := c.w.loadConfig(addr, c.conns, cfg.Warmup, cfg.Duration)
	var edge *edges
	if srv != nil {
		edge = &edges{srv: srv}
		if cfg.Perf {
			edge.perf, _ = startPerf(ctx, srv.pid) // without it, no perf counts
		}
		defer edge.close()
		lcfg.OnMeasure = edge.at
	}
	res, dres, err := c.w.runLoad(ctx, lcfg)
	tEnd := time.Now()
	stopSampling()
	wg.Wait()
	var final procStatus
	var finalErr error
	if pf != nil {
		final, finalErr = pf.readStatus()
	}
	if err != nil {
		if srv != nil {
			err = fmt.Errorf("%w%s", err, srv.stderrNote())
		}
		return s, "", err
	}

	s = sampleOf(res)
	if dres != nil {
		addLoss(&s, dres)
	}
	if len(res.ErrorSamples) > 0 {
		errSample = res.ErrorSamples[0]
	}
	if err := dialFailures(res, c); err != nil {
		return results.Sample{}, "", err
	}
	if pf != nil && smp.err == nil {
		t1 := tEnd
		t0 := t1.Add(-res.Elapsed)
		if _, ctxsw, _, ok := interval(smp.ctx, t0, t1); ok {
			s.CtxSwitches = ctxsw
		}
		if cpu, _, rss, ok := interval(smp.points, t0, t1); ok {
			if smp.maxProcs > 0 { // a process tree: its CPU, not the server's alone
				if tcpu, _, _, ok := interval(smp.tree, t0, t1); ok {
					cpu = tcpu
				}
			}
			s.ServerCPU = cpu.Seconds()
			if cpu > 0 && res.Requests > 0 {
				s.CPUPerRequest = cpu.Seconds() * 1e6 / float64(res.Requests)
				s.RequestsPerCPU = float64(res.Requests) / cpu.Seconds()
			}
			held := c.conns + res.IdleOpen
			if (c.w.idle > 0 || (c.w.Mode != load.Churn && held >= memMinConns)) && rss > baseline.RSS {
				s.MemPerConn = (rss - baseline.RSS) / int64(held)
			}
		}
	}
	if pf != nil && finalErr == nil {
		s.PeakRSS = final.HWM
	}
	if edge != nil {
		s.Counts = edge.counts()
		if edge.end.statsOK { // taken under load, before the clients stop
			s.Goroutines = edge.end.stats.Goroutines
			if b := edge.end.stats.Balance; len(b) > 1 {
				s.WorkerConns = b
				s.WorkerFairness = jain(b)
			}
		}
	}
	if smp.maxProcs > 0 {
		s.Procs = 1 + smp.maxProcs
		s.TreeRSS = smp.maxTreeRSS
	}
	return s, errSample, nil
}

// dialFailures returns an error wrapping ErrDialFailed when some of the
// sample's clients could not connect: such a sample did not load the
// server with the connections it names, so it is failed, not measured.
func dialFailures(res *load.Result, c cell) error {
	if res.DialErrors > 0 {
		first := ""
		if len(res.ErrorSamples) > 0 {
			first = " (first error: " + res.ErrorSamples[0] + ")"
		}
		return fmt.Errorf("%w: %d dials failed with %d connections%s", ErrDialFailed, res.DialErrors, c.conns, first)
	}
	if res.IdleOpen < c.w.idle {
		return fmt.Errorf("%w: %d of %d idle connections opened", ErrDialFailed, res.IdleOpen, c.w.idle)
	}
	return nil
}

// sampleOf fills the client-side fields of a Sample from a load result.
func sampleOf(res *load.Result) results.Sample {
	s := results.Sample{
		Duration:    res.Elapsed.Seconds(),
		Requests:    res.Requests,
		Errors:      res.Errors,
		ClientCPU:   res.ClientCPU.Seconds(),
		ClientBound: res.ClientBound,
		Fairness:    load.Jain(res.PerConn),
	}
	if s.Duration > 0 {
		s.Throughput = float64(res.Requests) / s.Duration
	}
	s.Starved = res.Starved()
	if h := res.Latency; h != nil && h.TotalCount() > 0 {
		s.Latency = results.Latency{
			P50:  float64(h.ValueAtQuantile(50)),
			P90:  float64(h.ValueAtQuantile(90)),
			P99:  float64(h.ValueAtQuantile(99)),
			P999: float64(h.ValueAtQuantile(99.9)),
			Max:  float64(h.Max()),
			Mean: h.Mean(),
		}
		s.Histogram = results.NewHistogram(h)
	}
	if h := res.RTTLag; h != nil && h.TotalCount() > 0 {
		s.RTTLagP50 = float64(h.ValueAtQuantile(50))
		s.RTTLagP99 = float64(h.ValueAtQuantile(99))
	}
	if res.RTTAsked > 0 {
		s.RTTHeldRatio = float64(res.RTTHeld) / float64(res.RTTAsked)
	}
	if res.TargetRate > 0 {
		s.TargetRate = res.TargetRate
		s.AchievedRate = res.AchievedRate
		s.MaxSendLag = res.MaxSendLag.Seconds()
		s.LateSends = res.LateSends
	}
	return s
}
