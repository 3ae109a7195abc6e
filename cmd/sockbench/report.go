package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/gosocketserver/socketserver/results"
	"github.com/gosocketserver/socketserver/results/report"
)

func init() {
	register(&command{
		name:    "report",
		summary: "write tables, CSV, Go benchmark format, PNG/SVG charts and an HTML report from a run",
		usage: `Usage:

	sockbench report [--out DIR] [--format F,...] RUN.json

Writes the views of a run into DIR (default "sockbench-report"), creating it:

	txt    table.txt     aligned tables, one per metric, strategies as columns
	md     table.md      the same tables in Markdown
	csv    run.csv       one row per repetition with every measured field
	bench  bench.txt     Go benchmark format: benchstat -col /strategy bench.txt
	json   run.json      the run itself
	png    *.png         charts: throughput, requests per CPU-second, CPU per
	svg    *.svg         request and memory per connection against connections
	                     (medians, min-max bars over the repetitions, starved
	                     points crossed out); latency percentile curves per
	                     connection count, one line per repetition, log scale;
	                     latency against offered load for 3+ open-loop rates
	html   report.html   one self-contained page: environment, config,
	                     tables and charts (no external resources)

With no --format, every format is written. The paths written are printed.

Examples:

	sockbench report run.json
	sockbench report --out /tmp/r --format html,bench run.json
`,
		run: runReport,
	})
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, commands["report"].usage) }
	out := fs.String("out", "sockbench-report", "output directory")
	format := fs.String("format", "", "comma-separated formats (default all)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "sockbench report: want one run file, got %d; see \"sockbench help report\"\n", len(files))
		return 2
	}
	formats, err := report.ParseFormats(*format)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench report: --format: %v\n", err)
		return 2
	}
	run, err := results.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "sockbench report: %v\n", err)
		return 2
	}
	paths, err := report.Write(*out, run, formats)
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sockbench report: %v\n", err)
		return 1
	}
	return 0
}
