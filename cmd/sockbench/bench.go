package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/results"
)

// Defaults of "sockbench bench": 5 targets x 2 workloads x 3 connection
// counts x 6 repetitions of 400 ms (+ 200 ms warm-up) is 180 samples, about
// 2 minutes on a 2-core machine. Six repetitions: with three per side the
// Mann-Whitney U test of "sockbench compare" can never reach p < 0.05 (the
// smallest p for 3+3 samples is 0.1), and benchstat prints no confidence
// interval below six samples ("± ∞ need >= 6 samples"), so a run made with
// fewer could neither show a regression nor be read by benchstat. The
// sample is 400 ms, not 500 ms, to keep the run near two minutes with the
// event loop in the default list.
const (
	defaultBenchStrategies = "sync;goroutine;pool:workers=64;eventloop"
	defaultBenchReference  = "reference:goroutine"
	defaultBenchWorkloads  = "keepalive;churn"
	defaultBenchConns      = "1,16,256"
	defaultBenchDuration   = 400 * time.Millisecond
	defaultBenchWarmup     = 200 * time.Millisecond
	defaultBenchReps       = 6
	defaultBenchOldReps    = 10
	defaultBenchOut        = "sockbench-run.json"
	defaultBenchOldOut     = "sockbench-old.json"
)

// The ranges of bench's numeric flags, checked before anything runs; the
// help prints them. A connection count must also fit the descriptor limit
// (checked when the run starts).
var (
	benchConnsRange    = serveproto.IntRange{Min: 1, Max: 100000}
	benchRepsRange     = serveproto.IntRange{Min: 1, Max: 1000}
	benchDurationRange = serveproto.DurationRange{Min: time.Millisecond, Max: time.Hour}
	benchWarmupRange   = serveproto.DurationRange{Min: 0, Max: time.Hour}
	benchMaxRate       = bench.MaxRate // requests per second
)

// benchLauncher starts the servers under test; tests replace it.
var benchLauncher bench.Launcher = bench.DefaultLauncher

func init() {
	register(&command{
		name:    "bench",
		summary: "benchmark strategies x workloads x connections, print a table, save the run",
		usage: `Usage: sockbench bench [flags]

Run the benchmark matrix: every target (strategies of this project,
hand-written reference servers, external servers) x every workload x every
connection count, repeated --reps times with the targets interleaved
(A B C A B C). Each sample runs in a fresh server process (this binary
re-executed as "sockbench serve" or "sockbench refserve"), driven by the
load generator in this process. Prints the comparison table and writes the
run as JSON to --out (read it with "sockbench report" and "sockbench compare").

With no flags it runs the default comparison: sync, goroutine,
pool:workers=64 and eventloop against reference:goroutine (a hand-written
goroutine-per-connection server), workloads keepalive and churn, 1, 16 and 256
connections, ` + strconv.Itoa(defaultBenchReps) + ` repetitions of ` + defaultBenchDuration.String() + ` after ` + defaultBenchWarmup.String() + ` of warm-up: about two
minutes on 2 cores. Serial and pool servers starve clients at 16 and 256 connections
(a pool of 64 serves 64 connections at once): that is the lesson, reported
as "starved N of M clients", not as errors.

A sample whose clients could not all connect (refused, timed out, "too
many open files") is failed, not measured: its scenario's warnings say so.
A connection count that this process's open-file limit cannot hold (each
connection is a descriptor here and one in the server; the soft limit is
raised to the hard one first) is refused before anything runs.

Output: the comparison table on stdout (on stderr with --out -, where
stdout carries the run); progress, notes and errors on stderr. On a
terminal progress is one status line with the count, the percentage and
the time left, redrawn in place; otherwise the same line every 5 s.

Exit status: 0 when every scenario was measured; 1 when one was not (its
server never started; the run is still written, and the message says
why) or the run was interrupted; 2 for bad flags, including numbers out of
range and connection counts beyond the open-file limit.

Lists of specs are separated by ';'. A list without ';' and without '='
may use ',' ("sync,goroutine"), so "pool:workers=8,queue=64" stays one spec.

Flags:
  --strategies LIST  targets: strategy specs and reference:goroutine,
                     reference:pool[:workers=N], reference:serial,
                     reference:gnet (gnet v2's event loop)
                     (default "` + defaultBenchStrategies + `")
  --strategy SPEC    add one target (repeatable; replaces the default list)
  --no-reference     do not add ` + defaultBenchReference + ` to the default list
  --workloads LIST   workloads (default "` + defaultBenchWorkloads + `")
  --conns LIST       connection counts, comma-separated, each ` + benchConnsRange.String() + `
                     and within the open-file limit (default "` + defaultBenchConns + `")
  --duration D       measured time per sample, ` + benchDurationRange.String() + ` (default ` + defaultBenchDuration.String() + `)
  --warmup D         load before each measurement, discarded, ` + benchWarmupRange.String() + `
                     (default ` + defaultBenchWarmup.String() + `)
  --reps N           repetitions, ` + benchRepsRange.String() + ` (default ` + strconv.Itoa(defaultBenchReps) + `; ` + strconv.Itoa(defaultBenchOldReps) + ` with --old, enough
                     for "compare --correction holm" over the default matrix)
  --rate R           requests/s of the open workload when it gives none,
                     above 0 and at most ` + strconv.FormatFloat(benchMaxRate, 'g', -1, 64) + ` (default 5000)
  --rtt D[,jitter=J] emulate a network round trip of D (0..10s) on every
                     connection of every workload that sets none (option
                     rtt=D on a workload sets its own), in the load
                     generator: each request and reply held D/2 (+ a
                     uniform draw in +-J/2), the handshake one RTT; the run
                     records it, and a Little's law line per scenario
                     prints the predicted ceiling next to the measurement
  --pin              pin the load generator to one CPU and the servers to
                     another (the first two this process may use: 0 and 1
                     on most machines); needs 2 CPUs
  --perf             also count every server syscall (and instructions, where
                     the CPU counter is exposed) with "perf stat" per sample;
                     without perf they are recorded as unsupported. The
                     other counted costs per request (read+write syscalls,
                     context switches, allocations, bytes, GC cycles) are
                     always measured; see "sockbench help compare" (--gate)
  --addr HOST:PORT   measure an external server already running there (no
                     server metrics; it must speak every workload's protocol);
                     with --addr or --exec the default list is not measured
                     unless --strategies or --strategy name targets
  --exec "CMD ARGS"  measure an external server started by this shell
                     command for each sample; it must print its address on
                     the first line of stdout, or give --exec-addr
  --exec-addr HOST:PORT  where the --exec server listens
  --protocol SPEC    the external server's own request and reply (with --addr
                     or --exec only): send="PING\r\n" (or send=@FILE), then
                     one of delim="\r\n", len=u8|u16|u32|u16le|u32le (a length
                     prefix) or size=N, optionally expect=` + "`REGEXP`" + ` and max=N
                     (longest reply, default 1MiB); or @FILE.json with the
                     same keys; replaces the protocol of every workload
                     (churn and slowclients refuse it)
  --out FILE         write the run as JSON here (default "` + defaultBenchOut + `",
                     announced on the first line; "-" for stdout, which
                     moves the table to stderr; "" for none)
  --old PATH         also serve every strategy and reference target with the
                     sockbench executable at PATH (an older build), as
                     "old:NAME", interleaved with this build's; the old
                     build's scenarios go to --old-out under their plain
                     names, so "sockbench compare OLD-OUT OUT" compares two
                     builds measured under the same conditions
  --old-out FILE     where --old writes the old build's run (default
                     "` + defaultBenchOldOut + `"; "-" for stdout; "" for none)
  --quiet            do not print the table nor the recommendation
  --slo GOAL         after the matrix, search each target's highest offered
                     rate meeting GOAL, e.g. 'p99<=20ms' or
                     'p99<=20ms,errors<=0.1%' (bounds p50, p90, p99, p999,
                     max: durations; errors: a share of the requests;
                     loss: a share of the datagrams sent that got no
                     reply, datagram workloads only: udp, udp-open,
                     unixgram, unixgram-open):
                     open loop at each cell's connections, latency from
                     intended send times; the cells that miss GOAL are not
                     recommended
  --slo-precision F  stop when the highest rate met and the lowest broken
                     are within F of each other (default 0.1: 10%)
  --slo-start R      the first rate tried, req/s (default: 8 requests per
                     connection per --duration); it doubles while the goal
                     holds, halves while not (down to 3 requests per
                     connection per --duration), then bisects
  --slo-steps N      at most N rates per target and cell (default 16)
  --slo-reps N       measure each rate N times (1..10, default 1),
                     interleaved across the targets, and judge it on the
                     median over the N samples of each bounded figure (the
                     error rate over all their requests), so one noisy
                     sample does not move the search; costs N samples of
                     --warmup + --duration per step

A strategy option may be swept: "pool:workers=8..256" doubles from 8 to
256 (8 16 32 64 128 256; the end is always measured), "workers=8|32|128"
lists values ('|' because ',' separates options and ';' specs). One option
per spec; durations too ("delay=1ms..8ms"). The values are targets like
any other, interleaved, and the report draws them as curves.

After the table bench prints, per workload, a paragraph starting with
"Recommendation:": the best target by requests per server-CPU-second among
those that starved no client and met --slo, at the workload's largest
connection count, with the runner-up, the margin and its confidence, and
what would change the answer.

Workloads:
` + bench.WorkloadHelp() + `
Examples:
  sockbench bench
  sockbench bench --pin --workloads keepalive --conns 16,256 --duration 5s
  sockbench bench --strategies "goroutine;pool:workers=8,queue=64" --workloads "echo:size=64k;cpu:rounds=500"
  sockbench bench --strategy goroutine --exec "python3 server.py" --exec-addr 127.0.0.1:9999
  sockbench bench --old /tmp/sockbench-main --out new.json --old-out old.json
`,
		run: runBench,
	})
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ";") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// splitSpecs splits a list of specs on ';', or on ',' when the list has
// neither ';' nor '='.
func splitSpecs(list string) []string {
	sep := ";"
	if !strings.Contains(list, ";") && !strings.Contains(list, "=") {
		sep = ","
	}
	var out []string
	for _, s := range strings.Split(list, sep) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("bench", stderr)
	var one stringList
	fs.Var(&one, "strategy", "")
	strategiesFlag := fs.String("strategies", "", "")
	noRef := fs.Bool("no-reference", false, "")
	lf := addLoadFlags(fs, defaultLoadFlags())
	reps := fs.Int("reps", defaultBenchReps, "")
	pin := fs.Bool("pin", false, "")
	usePerf := fs.Bool("perf", false, "")
	addr := fs.String("addr", "", "")
	execCmd := fs.String("exec", "", "")
	execAddr := fs.String("exec-addr", "", "")
	out := fs.String("out", defaultBenchOut, "")
	oldExe := fs.String("old", "", "")
	oldOut := fs.String("old-out", defaultBenchOldOut, "")
	quiet := fs.Bool("quiet", false, "")
	var slo sloFlags
	fs.StringVar(&slo.goal, "slo", "", "")
	fs.Float64Var(&slo.precision, "slo-precision", bench.DefaultSLOPrecision, "")
	fs.Float64Var(&slo.start, "slo-start", 0, "")
	fs.IntVar(&slo.steps, "slo-steps", bench.DefaultSLOSteps, "")
	fs.IntVar(&slo.reps, "slo-reps", 1, "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sockbench bench: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return usage("unexpected arguments %q", fs.Args())
	}
	*reps = defaultReps(fs, *oldExe, *reps)
	if *oldExe != "" && *out == stdoutName && *oldOut == stdoutName {
		return usage("--out and --old-out cannot both be \"-\" (stdout)")
	}

	cfg, err := benchConfig(benchFlags{
		one: one, strategies: *strategiesFlag, noRef: *noRef, workloads: lf.workloads, conns: lf.conns,
		duration: lf.duration, warmup: lf.warmup, reps: *reps, rate: lf.rate, addr: *addr, execCmd: *execCmd, execAddr: *execAddr,
		old: *oldExe, slo: slo, rtt: lf.rtt, protocol: lf.protocol,
	})
	if err != nil {
		return usage("%v", err)
	}
	cfg.Pin = *pin
	cfg.Perf = *usePerf
	cfg.Launcher = benchLauncher
	cfg.Args = append([]string{"sockbench", "bench"}, args...)
	prog := newProgress(stderr)
	cfg.Progress = prog.update
	announceOut(stderr, *out, *oldExe, *oldOut)
	announcePlan(stderr, cfg)
	announceSearch(stderr, cfg)

	start := time.Now()
	run, err := bench.Run(ctx, cfg)
	prog.finish()
	if err != nil && run == nil {
		fmt.Fprintf(stderr, "sockbench bench: %v\n", err)
		if errors.Is(err, bench.ErrBadConfig) {
			return 2
		}
		return 1
	}
	code := 0
	switch {
	case errors.Is(err, bench.ErrNotMeasured):
		// Reported last, after the files are written, where it is seen.
		code = 1
	case err != nil:
		fmt.Fprintf(stderr, "sockbench bench: stopped early: %v\n", err)
		code = 1
	}
	tableOut := stdout
	if *out == stdoutName {
		tableOut = stderr // stdout carries the run
	}
	if !*quiet {
		if werr := results.WriteTable(tableOut, run, results.TableOptions{}); werr != nil {
			fmt.Fprintf(stderr, "sockbench bench: %v\n", werr)
			code = 1
		}
		writeLittlesLaw(tableOut, run, servedAtOnce(cfg.Targets))
		if werr := printRecommendations(tableOut, run); werr != nil {
			fmt.Fprintf(stderr, "sockbench bench: %v\n", werr)
			code = 1
		}
	}
	cur := run
	if *oldExe != "" {
		var old *results.Run
		old, cur = splitOldBuild(run, *oldExe)
		if *oldOut != "" {
			if werr := writeRunTo(*oldOut, old, stdout); werr != nil {
				fmt.Fprintf(stderr, "sockbench bench: %v\n", werr)
				return 1
			}
			fmt.Fprintf(stderr, "sockbench bench: wrote %s (the old build, %d scenarios)\n", outName(*oldOut), len(old.Scenarios))
		}
	}
	if *out != "" {
		if werr := writeRunTo(*out, cur, stdout); werr != nil {
			fmt.Fprintf(stderr, "sockbench bench: %v\n", werr)
			return 1
		}
		fmt.Fprintf(stderr, "sockbench bench: wrote %s (%d scenarios in %s)\n", outName(*out), len(cur.Scenarios), time.Since(start).Round(100*time.Millisecond))
		if *oldExe != "" && *oldOut != "" {
			fmt.Fprintf(stderr, "sockbench bench: compare the builds with: sockbench compare --correction holm %s %s\n", *oldOut, *out)
			if *reps < defaultBenchOldReps {
				fmt.Fprintf(stderr, "sockbench bench: note: %d repetitions may be too few for --correction holm (compare says when); a CI gate should run %d\n", *reps, defaultBenchOldReps)
			}
		}
	}
	if errors.Is(err, bench.ErrNotMeasured) {
		fmt.Fprintf(stderr, "sockbench bench: incomplete: %v\n", err)
	}
	return code
}

// stdoutName is the file name that means standard output.
const stdoutName = "-"

// announceOut says on the first line of stderr where the run will be
// written, so that a default run's file is no surprise.
func announceOut(stderr io.Writer, out, oldExe, oldOut string) {
	switch out {
	case "":
		fmt.Fprintln(stderr, "sockbench bench: the run will not be saved (--out \"\")")
	case stdoutName:
		fmt.Fprintln(stderr, "sockbench bench: the run goes to stdout as JSON when done; the table to stderr")
	default:
		fmt.Fprintf(stderr, "sockbench bench: the run will be written to %s when done (--out to change)\n", out)
	}
	if oldExe != "" && oldOut != "" {
		fmt.Fprintf(stderr, "sockbench bench: the old build's run to %s\n", oldOut)
	}
}

// outName names an output file in messages.
func outName(name string) string {
	if name == stdoutName {
		return "the run to stdout"
	}
	return name
}

// sampleOverhead is the measured cost of one sample beyond its warm-up and
// measured time (a server process started, stats read, stopped): the
// default run of 120 samples of 700 ms took 86 s on 2 cores.
const sampleOverhead = 20 * time.Millisecond

// benchstatMinReps is the fewest repetitions for which benchstat gives a
// confidence interval (below it every ± reads "∞ need >= 6 samples").
const benchstatMinReps = 6

// announcePlan says, before the first sample, how big the run is and how
// long it should take, and why its figures may read as uncertain.
func announcePlan(stderr io.Writer, cfg bench.Config) {
	n := len(cfg.Targets) * len(cfg.Workloads) * len(cfg.Conns) * cfg.Reps
	est := time.Duration(n) * (cfg.Duration + cfg.Warmup + sampleOverhead)
	fmt.Fprintf(stderr, "sockbench bench: %s x %s x %s x %s = %d samples of %s after %s of warm-up, about %s\n",
		plural(len(cfg.Targets), "target"), plural(len(cfg.Workloads), "workload"), plural(len(cfg.Conns), "connection count"),
		plural(cfg.Reps, "repetition"), n, cfg.Duration, cfg.Warmup, est.Round(time.Second))
	if cfg.Reps < benchstatMinReps {
		fmt.Fprintf(stderr, "sockbench bench: note: benchstat needs %d repetitions for its ± (--reps %d); the tables and \"sockbench compare\" use these %d as they are\n",
			benchstatMinReps, benchstatMinReps, cfg.Reps)
	}
	if cpus := runtime.NumCPU(); cpus <= smallMachineCPUs {
		fmt.Fprintf(stderr, "sockbench bench: note: on %s shared by the load generator and the servers, repetitions usually differ by more than the %.0f%% spread the tables accept (a large ±, counted below the tables); medians and \"sockbench compare --paired\" still hold, %s\n",
			plural(cpus, "CPU"), bench.SpreadLimit*100, spreadAdvice(cfg))
	}
}

// smallMachineCPUs is the most CPUs on which announcePlan warns that a
// run's repetitions will vary beyond bench.SpreadLimit: measured on 2 CPUs,
// the default run flags most of its cells (the committed baseline).
const smallMachineCPUs = 2

// spreadAdvice says what narrows the spread of a run configured as cfg:
// pinning only when it is not pinned already.
func spreadAdvice(cfg bench.Config) string {
	if cfg.Pin {
		return "and a longer --duration narrows it"
	}
	return "and --pin with a longer --duration narrows it"
}

// plural returns "1 target" or "3 targets".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// writeRunTo writes r to the file name, or to stdout when name is "-".
func writeRunTo(name string, r *results.Run, stdout io.Writer) error {
	if name == stdoutName {
		return results.Write(stdout, r)
	}
	return results.WriteFile(name, r)
}

// splitOldBuild separates the scenarios of the targets that the --old
// executable served (named with bench.OldBuildPrefix) from this build's:
// two runs with the same environment and configuration whose scenarios
// carry the same names, ready for "sockbench compare OLD NEW". The old
// run's warnings say which executable served it, since its environment
// describes this one.
func splitOldBuild(r *results.Run, oldExe string) (old, cur *results.Run) {
	o, c := *r, *r
	o.Scenarios, c.Scenarios = nil, nil
	o.Warnings = append(slices.Clip(r.Warnings), fmt.Sprintf("served by the sockbench executable %s, interleaved with the build this environment describes", oldExe))
	for _, sc := range r.Scenarios {
		if name, ok := strings.CutPrefix(sc.Strategy, bench.OldBuildPrefix); ok {
			sc.Strategy = name
			o.Scenarios = append(o.Scenarios, sc)
		} else {
			c.Scenarios = append(c.Scenarios, sc)
		}
	}
	return &o, &c
}

// defaultReps returns the number of repetitions to run: reps as given, or,
// when --reps was not set and --old was, defaultBenchOldReps, which is enough
// for "compare --correction holm" over the default matrix.
func defaultReps(fs *flag.FlagSet, old string, reps int) int {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "reps" })
	if old != "" && !set {
		return defaultBenchOldReps
	}
	return reps
}

// oldExecutable checks that path names an executable file and returns it
// absolute.
func oldExecutable(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("--old %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("--old: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return "", fmt.Errorf("--old %s: not an executable file", path)
	}
	return abs, nil
}

// benchFlags are the parsed flags benchConfig checks.
type benchFlags struct {
	one                     []string
	strategies              string
	noRef                   bool
	workloads, conns        string
	duration, warmup        time.Duration
	reps                    int
	rate                    float64
	addr, execCmd, execAddr string
	old                     string // --old: another sockbench executable
	rtt                     string // --rtt: the default emulated round trip
	slo                     sloFlags
	protocol                string // --protocol: an external server's protocol spec
}

// benchConfig turns the flags into a bench.Config, with errors that name
// the flag.
func benchConfig(f benchFlags) (bench.Config, error) {
	var cfg bench.Config
	var specs []string
	switch {
	case len(f.one) > 0 && f.strategies != "":
		return cfg, errors.New("give --strategies or --strategy, not both")
	case len(f.one) > 0:
		specs = f.one
	case f.strategies != "":
		specs = splitSpecs(f.strategies)
	case f.addr != "" || f.execCmd != "":
		// Only the external server, unless strategies are named.
	default:
		specs = splitSpecs(defaultBenchStrategies)
		if !f.noRef {
			specs = append(specs, defaultBenchReference)
		}
	}
	for _, s := range specs {
		ts, err := sweepTargets(s)
		if err != nil {
			return cfg, fmt.Errorf("--strategies: %w", err)
		}
		cfg.Targets = append(cfg.Targets, ts...)
	}
	if f.old != "" {
		exe, err := oldExecutable(f.old)
		if err != nil {
			return cfg, err
		}
		if len(cfg.Targets) == 0 {
			return cfg, errors.New("--old: no strategy or reference target to serve with the old build")
		}
		// Each target next to its old twin: A A' B B', so that the two
		// builds of a pair run as close in time as possible.
		var both []bench.Target
		for _, t := range cfg.Targets {
			both = append(both, t, bench.OldBuild(t, exe))
		}
		cfg.Targets = both
	}
	if f.addr != "" {
		cfg.Targets = append(cfg.Targets, bench.ExternalAddrTarget(f.addr))
	}
	if f.execAddr != "" && f.execCmd == "" {
		return cfg, errors.New("--exec-addr needs --exec")
	}
	if f.execCmd != "" {
		cfg.Targets = append(cfg.Targets, bench.ExternalExecTarget(f.execCmd, f.execAddr))
	}
	if len(cfg.Targets) == 0 {
		return cfg, errors.New("no targets: give --strategies, --addr or --exec")
	}
	lf := loadFlags{workloads: f.workloads, conns: f.conns, duration: f.duration, warmup: f.warmup, rate: f.rate, rtt: f.rtt}
	var err error
	if cfg.Workloads, cfg.Conns, err = lf.parse(); err != nil {
		return cfg, err
	}
	markStreamOnly(&cfg)
	if err := applyProtocol(&cfg, f.protocol); err != nil {
		return cfg, fmt.Errorf("--protocol: %w", err)
	}
	if !benchRepsRange.Contains(f.reps) {
		return cfg, fmt.Errorf("--reps %d: want %s", f.reps, benchRepsRange)
	}
	cfg.Duration, cfg.Warmup, cfg.Reps = f.duration, f.warmup, f.reps
	slo, err := sloConfig(f.slo)
	if err != nil {
		return cfg, err
	}
	if err := slo.ForWorkloads(cfg.Workloads); err != nil {
		return cfg, fmt.Errorf("--slo %s: %w", slo.Goal, err)
	}
	cfg.SLO = slo
	return cfg, nil
}
