package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/gosocketserver/socketserver/internal/reportargs"
	"github.com/gosocketserver/socketserver/results"
)

func init() {
	register(&command{
		name:    "merge",
		summary: "merge load agents' shares (sockbench load) into one run",
		usage: `Usage: sockbench merge [--out FILE] SHARE.json... 

Merge the shares that several "sockbench load" agents wrote of one
measurement into one run, which report, compare and the Go benchmark
format read like any other. For each sample:

  - latency histograms are merged exactly (never percentiles of
    percentiles), over the intervals every agent measured (the common
    window); requests and throughput are the agents' total over that
    window;
  - errors and client CPU are summed over each agent's own window;
    connections are the agents' total;
  - every agent's own figures and saturation verdict are kept (its
    share), and the sample is client-bound when any agent was;
  - server CPU comes from the server only, through the agent that read
    its stats endpoint (load --server-stats), if one did.

The run's "merged" field says which figures came from which side. Shares
of different configurations, servers, schedules or scenarios, or not
exactly agents 0..N-1 of N, are refused with an error that says what
differs.

Output: the merged run as JSON to --out; a table of every agent and the
whole on stderr (unless --quiet).

Exit status: 0 when merged; 1 when the shares do not match or writing
failed; 2 for bad usage; 3 when a share is missing, unreadable or not a run.

Flags:
  --out FILE  write the merged run here (default "-", stdout)
  --quiet     do not print the table

Examples:
  sockbench merge a0.json a1.json a2.json --out merged.json
  sockbench report --format txt --out - merged.json
`,
		run: runMerge,
	})
}

func runMerge(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", stderr)
	out := fs.String("out", stdoutName, "")
	quiet := fs.Bool("quiet", false, "")
	files, err := reportargs.ParseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(files) == 0 {
		fmt.Fprintln(stderr, "sockbench merge: no shares given")
		return 2
	}
	var shares []*results.Run
	for _, f := range files {
		r, err := reportargs.ReadRun(f, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "sockbench merge: %v\n", err)
			return reportargs.ExitInput
		}
		shares = append(shares, r)
	}
	m, err := results.Merge(shares)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench merge: %v\n", err)
		return 1
	}
	m.Config.Args = append([]string{"sockbench", "merge"}, args...)
	if !*quiet {
		if err := results.WriteShares(stderr, m, false); err != nil {
			fmt.Fprintf(stderr, "sockbench merge: %v\n", err)
		}
	}
	if err := writeRunTo(*out, m, stdout); err != nil {
		fmt.Fprintf(stderr, "sockbench merge: %v\n", err)
		return 1
	}
	if *out != stdoutName {
		fmt.Fprintf(stderr, "sockbench merge: wrote %s (%d shares)\n", *out, len(shares))
	}
	return 0
}
