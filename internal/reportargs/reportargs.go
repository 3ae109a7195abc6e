// Package reportargs is the one definition of the argument list of
// "sockbench report", which sockbench hands unchanged to the
// sockbench-report command when charts or HTML are asked for (as git runs
// git-foo for "git foo"). Both commands parse their arguments with Parse,
// so a flag is written once and the two cannot drift.
//
// It imports the standard library and package results (for the format
// names), never plotting.
package reportargs

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gosocketserver/socketserver/results"
)

// Command is the name of the program that draws a run's charts and HTML
// report; sockbench looks for it beside its own executable, then on PATH.
const Command = "sockbench-report"

// DefaultOut is the output directory when --out is not given.
const DefaultOut = "sockbench-report"

// FormatsHelp is the table of formats, one line or more each, for the help
// of both commands.
const FormatsHelp = `	txt    table.txt     aligned tables, one per metric, strategies as columns
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
`

// Stdout is the --out value, "-", that writes one text format to standard
// output instead of a directory; Stdin is the run file name, "-", that
// reads the run from standard input.
const (
	Stdout = "-"
	Stdin  = "-"
)

// ExitInput is the exit status of both commands when the run file is
// missing, unreadable or not a run: neither bad usage (2) nor a failure to
// write (1).
const ExitInput = 3

// ErrUsage is returned by Parse for arguments it rejects; the message has
// been written to stderr. Commands exit with status 2 on it.
var ErrUsage = errors.New("bad usage")

// Args are parsed report arguments.
type Args struct {
	Out      string   // --out: the directory to write into, or Stdout
	Formats  []string // --format, parsed (results.ParseReportFormats); every format when not given
	Explicit bool     // whether --format named formats (not given or empty: every format)
	Run      string   // the run file (RUN.json), or Stdin
}

// Parse parses args: --out DIR, --format F,... and one run file, flags and
// the file in any order ("--" ends the flags). prog prefixes error
// messages; after a flag error one line points to prog's help. It returns
// flag.ErrHelp for -h/--help, printing nothing (help goes to stdout, the
// caller's), and an error wrapping ErrUsage, already reported on stderr,
// for anything else wrong.
func Parse(prog string, args []string, stderr io.Writer) (Args, error) {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // help is the caller's to print; usage after a flag error is below
	var a Args
	fs.StringVar(&a.Out, "out", DefaultOut, "output directory")
	format := fs.String("format", "", "comma-separated formats (default all)")
	files, err := ParseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return Args{}, err
	}
	if err != nil {
		fmt.Fprintf(stderr, "run %q for usage\n", prog+" --help")
		return Args{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "%s: want one run file, got %d; see %q\n", prog, len(files), prog+" --help")
		return Args{}, fmt.Errorf("%w: %d run files", ErrUsage, len(files))
	}
	a.Run = files[0]
	a.Explicit = strings.TrimSpace(*format) != ""
	if a.Formats, err = results.ParseReportFormats(*format); err != nil {
		fmt.Fprintf(stderr, "%s: --format: %v\n", prog, err)
		return Args{}, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if a.Out == Stdout && (!a.Explicit || len(a.Formats) != 1 || results.DrawnFormat(a.Formats[0])) {
		fmt.Fprintf(stderr, "%s: --out - writes one format to stdout: give --format txt, md, csv, bench or json\n", prog)
		return Args{}, fmt.Errorf("%w: --out - with formats %v", ErrUsage, a.Formats)
	}
	return a, nil
}

// ReadRun reads the run named name, from stdin when name is Stdin ("-").
func ReadRun(name string, stdin io.Reader) (*results.Run, error) {
	if name == Stdin {
		r, err := results.Read(stdin)
		if err != nil {
			return nil, fmt.Errorf("standard input: %w", err)
		}
		return r, nil
	}
	return results.ReadFile(name)
}

// ParseInterspersed parses flags that may come before, between or after
// positional arguments and returns the positional ones; everything after
// "--" is positional. The report commands and compare share it.
func ParseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
