package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/results"
)

// Defaults of "sockbench load" where they differ from bench's.
const (
	defaultLoadWorkloads = "keepalive"
	defaultLoadConns     = "16"
	defaultLoadDuration  = 5 * time.Second
	defaultLoadWarmup    = time.Second
	defaultLoadOut       = "sockbench-load.json"
)

var (
	loadAgentsRange   = serveproto.IntRange{Min: 1, Max: 10000}
	loadIntervalRange = serveproto.DurationRange{Min: 10 * time.Millisecond, Max: time.Hour}
)

func init() {
	register(&command{
		name:    "load",
		summary: "be one load agent: drive a server at an address and write this agent's share of the run",
		usage: `Usage: sockbench load --addr HOST:PORT [flags]

Drive the server at --addr with the load generator alone (no server is
started or measured here) and write this agent's share of the run to --out:
the same run schema as bench, marked with the agent's index, the number of
agents, its host and clock offset, each sample with latency histograms per
--interval (HdrHistogram's compressed encoding) so that the shares of
several agents merge exactly ("sockbench merge") and can be cut to any
window. Every workload of bench, with the same flags, is accepted.

Agents started independently (on several machines, in network namespaces,
as the pods of a Kubernetes Indexed Job) measure the same windows when they
are given the same --start-at: the measured window of cell i (workloads x
conns x reps, in that order) begins at START + i x (0.5s + warmup +
duration + 0.5s); each agent dials 0.5 s before its warm-up. An agent that
could not begin on time, or stopped early, says so in its share.

Server-side figures come from the server only: with --server-stats, the
agent reads the server's stats endpoint ("sockbench serve --stats-addr")
as each window begins and ends, for the server's CPU time; give it to one
agent.

Output: the share as JSON to --out; a table of what this agent measured on
stderr (unless --quiet), which is also where progress and errors go.

Exit status: 0 when every cell was measured; 1 when one was not (the share
is still written) or the run was interrupted; 2 for bad flags.

Flags:
  --addr HOST:PORT     the server to load (required)
  --workloads LIST     workloads, as bench (default "` + defaultLoadWorkloads + `")
  --conns LIST         this agent's connections per cell, comma-separated,
                       each ` + benchConnsRange.String() + ` (default "` + defaultLoadConns + `")
  --duration D         measured window per cell, ` + benchDurationRange.String() + ` (default ` + defaultLoadDuration.String() + `)
  --warmup D           load before each window, discarded (default ` + defaultLoadWarmup.String() + `)
  --reps N             repetitions of every cell, ` + benchRepsRange.String() + ` (default 1)
  --rate R             requests/s of the open workload when it gives none
                       (this agent's own rate; default 5000)
  --rtt D[,jitter=J]   emulate a network round trip on every connection, as
                       bench --rtt (see "sockbench bench --help")
  --protocol SPEC      the server's own request and reply, as bench
                       --protocol (see "sockbench bench --help")
  --interval D         histogram interval, ` + loadIntervalRange.String() + ` (default 1s)
  --start-at TIME      wall-clock start of the first window, RFC 3339
                       (2026-12-01T12:00:00Z); default: as soon as possible
  --agent-index N      this agent's index, 0..agents-1 (default 0)
  --agents N           how many agents load the server together, ` + loadAgentsRange.String() + ` (default 1)
  --host NAME          this agent's host in the run (default the host name)
  --clock-offset D     this host's clock minus the reference clock, if
                       known (from chronyc tracking, say); shifts the schedule
  --target NAME        the server's column in the run (default "external:ADDR")
  --server-stats ADDR  read the server's stats endpoint at ADDR (host:port or
                       URL) at each window's start and end
  --out FILE           write the share here (default "` + defaultLoadOut + `"; "-" for stdout)
  --quiet              print only errors on stderr (no schedule, no table)

Workloads:
` + bench.WorkloadHelp() + `
Examples:
  sockbench load --addr 127.0.0.1:9000 --workloads keepalive --conns 16 --duration 5s --out a0.json
  sockbench load --addr 198.18.0.1:9000 --start-at 2026-12-01T12:00:00Z --agent-index 1 --agents 3 --out a1.json
  sockbench merge a0.json a1.json a2.json --out merged.json
`,
		run: runLoad,
	})
}

// loadInvocation is a parsed "sockbench load" command line.
type loadInvocation struct {
	cfg   bench.AgentConfig
	out   string
	quiet bool
}

// parseLoad parses load's flags into an agent configuration; the
// Kubernetes manifests' test parses their command lines with it too.
func parseLoad(args []string, stderr io.Writer) (loadInvocation, error) {
	fs := newFlagSet("load", stderr)
	lf := addLoadFlags(fs, loadFlags{workloads: defaultLoadWorkloads, conns: defaultLoadConns,
		duration: defaultLoadDuration, warmup: defaultLoadWarmup, rate: bench.DefaultRate})
	var inv loadInvocation
	c := &inv.cfg
	fs.StringVar(&c.Addr, "addr", "", "")
	benchRepsRange.Var(fs, &c.Reps, "reps", "")
	c.Reps, c.Interval, c.Count = 1, bench.DefaultInterval, 1
	loadIntervalRange.Var(fs, &c.Interval, "interval", "")
	startAt := fs.String("start-at", "", "")
	fs.IntVar(&c.Index, "agent-index", 0, "")
	loadAgentsRange.Var(fs, &c.Count, "agents", "")
	fs.StringVar(&c.Host, "host", "", "")
	offset := fs.String("clock-offset", "", "")
	fs.StringVar(&c.Target, "target", "", "")
	stats := fs.String("server-stats", "", "")
	fs.StringVar(&inv.out, "out", defaultLoadOut, "")
	fs.BoolVar(&inv.quiet, "quiet", false, "")
	if err := fs.Parse(args); err != nil {
		return inv, errors.Join(errFlags, err)
	}
	if fs.NArg() > 0 {
		return inv, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.Addr == "" {
		return inv, errors.New("--addr is required")
	}
	if c.Index < 0 || c.Index >= c.Count {
		return inv, fmt.Errorf("--agent-index %d: want 0..%d (--agents %d)", c.Index, c.Count-1, c.Count)
	}
	var err error
	if c.Workloads, c.Conns, err = lf.parse(); err != nil {
		return inv, err
	}
	if err := withProtocol(c.Workloads, lf.protocol); err != nil {
		return inv, fmt.Errorf("--protocol: %w", err)
	}
	c.Duration, c.Warmup = lf.duration, lf.warmup
	if *startAt != "" {
		if c.StartAt, err = time.Parse(time.RFC3339Nano, *startAt); err != nil {
			return inv, fmt.Errorf("--start-at %q: want an RFC 3339 time such as 2026-12-01T12:00:00Z", *startAt)
		}
	}
	if *offset != "" {
		d, err := time.ParseDuration(*offset)
		if err != nil {
			return inv, fmt.Errorf("--clock-offset %q: want a duration such as -3ms", *offset)
		}
		c.ClockOffset = &d
	}
	if *stats != "" {
		url := serveproto.StatsURL(*stats)
		client := &http.Client{}
		c.StatsSource = url
		c.ServerStats = func(ctx context.Context) (serveproto.Stats, error) {
			return serveproto.FetchStats(ctx, client, url, 2*time.Second)
		}
	}
	c.Args = append([]string{"sockbench", "load"}, args...)
	return inv, nil
}

// errFlags marks a parse error the flag package has already printed.
var errFlags = errors.New("bad flags")

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	inv, err := parseLoad(args, stderr)
	if err != nil {
		if !errors.Is(err, errFlags) {
			fmt.Fprintf(stderr, "sockbench load: %v\n", err)
		}
		return 2
	}
	c := inv.cfg
	if !c.StartAt.IsZero() && !inv.quiet {
		fmt.Fprintf(stderr, "sockbench load: agent %d of %d, first window at %s (in %s)\n", c.Index, c.Count,
			c.StartAt.Format(time.RFC3339Nano), time.Until(c.StartAt).Round(time.Millisecond))
	}
	run, err := bench.RunAgent(ctx, c)
	if run == nil {
		fmt.Fprintf(stderr, "sockbench load: %v\n", err)
		return 1
	}
	code := 0
	if err != nil {
		fmt.Fprintf(stderr, "sockbench load: stopped early: %v\n", err)
		code = 1
	}
	for _, sc := range run.Scenarios {
		if len(sc.Samples) == 0 {
			fmt.Fprintf(stderr, "sockbench load: %s conns=%d not measured: %v\n", sc.Workload, sc.Conns, sc.Warnings)
			code = 1
		}
	}
	if !inv.quiet {
		if werr := results.WriteShares(stderr, run, false); werr != nil {
			fmt.Fprintf(stderr, "sockbench load: %v\n", werr)
		}
	}
	if werr := writeRunTo(inv.out, run, stdout); werr != nil {
		fmt.Fprintf(stderr, "sockbench load: %v\n", werr)
		return 1
	}
	if inv.out != stdoutName && !inv.quiet {
		fmt.Fprintf(stderr, "sockbench load: wrote %s\n", inv.out)
	}
	return code
}
