// Command sockbench-report draws a sockbench run: PNG and SVG charts and a
// self-contained HTML report, beside the tables, CSV and Go benchmark
// format. "sockbench report" runs it, with the same arguments, when charts
// or HTML are asked for; it can also be run on its own.
//
// Usage:
//
//	sockbench-report [--out DIR] [--format F,...] RUN.json
//
// It is a separate program so that the measured binary, sockbench, carries
// only serving: plotting (gonum.org/v1/plot) parses its fonts when its
// package is initialised, at every start of any binary that links it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gosocketserver/socketserver/internal/reportargs"
	"github.com/gosocketserver/socketserver/results"
	"github.com/gosocketserver/socketserver/results/report"
)

const usage = `Usage:

	sockbench-report [--out DIR|-] [--format F,...] RUN.json|-

Writes the views of a run into DIR (default "sockbench-report"), creating it:

` + reportargs.FormatsHelp + `
With no --format, every format is written. The paths written are printed
on stdout, then one paragraph per workload starting with "Recommendation:";
errors go to stderr. RUN.json "-" reads the run from standard
input; --out - writes one text format (txt, md, csv, bench or json) to
stdout. "sockbench report" runs this command with its own arguments for
the png, svg and html formats.

Flags:

	--out DIR      the directory to write into (default "sockbench-report");
	               "-" for stdout, with exactly one text --format
	--format F,... formats to write, comma-separated (default every format)

Exit status: 0 when everything was written, 1 when writing failed, 2 on
bad usage, 3 when the run file is missing, unreadable or not a run.

Examples:

	sockbench-report run.json
	sockbench-report --out /tmp/r --format html,bench run.json
`

// stdin is where a run named "-" is read from; tests replace it.
var stdin io.Reader = os.Stdin

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process around it, so tests can call it; it
// returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	const prog = "sockbench-report"
	a, err := reportargs.Parse(prog, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if err != nil {
		return 2
	}
	r, err := reportargs.ReadRun(a.Run, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return reportargs.ExitInput
	}
	if a.Out == reportargs.Stdout {
		if err := results.WriteViewTo(stdout, r, a.Formats[0]); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", prog, err)
			return 1
		}
		return 0
	}
	paths, err := report.Write(a.Out, r, a.Formats)
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	// The answer after the list of files: one paragraph per workload.
	fmt.Fprintln(stdout)
	if err := results.WriteRecommendations(stdout, r); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		return 1
	}
	return 0
}
