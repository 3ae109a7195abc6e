package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gosocketserver/socketserver/internal/reportargs"
	"github.com/gosocketserver/socketserver/results"
)

func init() {
	register(&command{
		name:    "report",
		summary: "write tables, CSV, Go benchmark format, PNG/SVG charts and an HTML report from a run",
		usage: `Usage:

	sockbench report [--out DIR|-] [--format F,...] RUN.json|-

Writes the views of a run into DIR (default "sockbench-report"), creating it:

` + reportargs.FormatsHelp + `
With no --format, every format is written. The paths written are printed
on stdout, then one paragraph per workload starting with "Recommendation:"
(the best target among those that starved no client and met the run's
--slo goal, as "sockbench bench" prints it); errors and notes go to stderr. RUN.json "-" reads the run from
standard input; --out - writes one text format (txt, md, csv, bench or
json, named by --format) to stdout instead of a directory, for a pipe:

	sockbench report --format bench --out - run.json | benchstat -col /strategy /dev/stdin

Flags:

	--out DIR      the directory to write into (default "sockbench-report");
	               "-" for stdout, with exactly one text --format
	--format F,... formats to write, comma-separated (default every format)

sockbench writes txt, md, csv, bench and json itself. Charts and HTML are
drawn by the sockbench-report command (plotting stays out of the server
binary that is measured): when png, svg or html is asked for, sockbench
runs sockbench-report with the same arguments, found beside the sockbench
executable first, then on PATH, and exits with its status. Install both
with "go install ./cmd/..." in a clone, or run
"go run ./cmd/sockbench-report ARGS" there. When sockbench-report is not
found, a report with no --format has the text formats only, and says so in
one line on stderr; an explicit --format with png, svg or html fails.

Exit status: 0 when everything asked for was written, 1 when writing
failed or --format asks for png, svg or html and sockbench-report is not
found, 2 on bad usage, 3 when the run file is missing, unreadable or not
a run.

Examples:

	sockbench report run.json
	sockbench report --out /tmp/r --format html,bench run.json
	sockbench report --format txt,md run.json
	sockbench report --format bench --out - run.json
	sockbench bench --out - --quiet | sockbench report --format txt --out - -
`,
		run: runReport,
	})
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const prog = "sockbench report"
	a, err := reportargs.Parse(prog, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, commands["report"].usage)
		return 0
	}
	if err != nil {
		return 2
	}
	if !slices.ContainsFunc(a.Formats, results.DrawnFormat) {
		return writeViews(a, stdout, stderr)
	}
	if helper, err := findReportCommand(); err == nil {
		return runReportCommand(ctx, helper, args, stdout, stderr)
	}
	if a.Explicit {
		drawn := slices.DeleteFunc(slices.Clone(a.Formats), func(f string) bool { return !results.DrawnFormat(f) })
		fmt.Fprintf(stderr, "%s: --format %s needs %s, %s\n", prog, strings.Join(drawn, ","), reportargs.Command, howToGetReport(args))
		return 1
	}
	a.Formats = slices.DeleteFunc(a.Formats, results.DrawnFormat)
	code := writeViews(a, stdout, stderr)
	fmt.Fprintf(stderr, "%s: charts and HTML skipped: they need %s, %s\n", prog, reportargs.Command, howToGetReport(args))
	return code
}

// howToGetReport ends the line that says sockbench-report is missing: where
// it was looked for, and how to get it or run it instead.
func howToGetReport(args []string) string {
	return fmt.Sprintf("which was found neither beside sockbench nor on PATH; install both with \"go install ./cmd/...\" in a clone, or run \"go run ./cmd/%s %s\" there",
		reportargs.Command, strings.Join(args, " "))
}

// writeViews writes the formats of a that need no charts, printing the
// paths written; it returns the exit status.
func writeViews(a reportargs.Args, stdout, stderr io.Writer) int {
	r, err := reportargs.ReadRun(a.Run, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench report: %v\n", err)
		return reportargs.ExitInput
	}
	if a.Out == reportargs.Stdout {
		if err := results.WriteViewTo(stdout, r, a.Formats[0]); err != nil {
			fmt.Fprintf(stderr, "sockbench report: %v\n", err)
			return 1
		}
		return 0
	}
	paths, err := results.WriteViews(a.Out, r, a.Formats)
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sockbench report: %v\n", err)
		return 1
	}
	// The answer after the list of files: one paragraph per workload.
	if err := printRecommendations(stdout, r); err != nil {
		fmt.Fprintf(stderr, "sockbench report: %v\n", err)
		return 1
	}
	return 0
}

// executable is os.Executable; tests replace it to choose the directory
// searched first for sockbench-report.
var executable = os.Executable

// findReportCommand returns the path of the sockbench-report executable:
// the one beside this executable, else the one on PATH.
func findReportCommand() (string, error) {
	if exe, err := executable(); err == nil {
		if p, err := exec.LookPath(filepath.Join(filepath.Dir(exe), reportargs.Command)); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath(reportargs.Command)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", reportargs.Command, err)
	}
	return p, nil
}

// runReportCommand runs the sockbench-report at path with args, on this
// stdin (the package's) and the given stdout and stderr, and returns its exit
// status (1 if it could not be started or was killed).
func runReportCommand(ctx context.Context, path string, args []string, stdout, stderr io.Writer) int {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode()
	default:
		fmt.Fprintf(stderr, "sockbench report: %s: %v\n", path, err)
		return 1
	}
}
