package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gosocketserver/socketserver/internal/reportargs"
	"github.com/gosocketserver/socketserver/results"
)

func init() {
	register(&command{
		name:    "compare",
		summary: "compare two runs (or the strategies of one) with statistics; exit 1 on regression",
		usage: `Usage:

	sockbench compare [flags] OLD.json NEW.json
	sockbench compare --by strategy [--base NAME] [flags] RUN.json
	sockbench compare --gate [--threshold PCT] OLD.json NEW.json

Compares the repetitions of every scenario (matched by strategy, workload,
params, mode and connections) with the Mann-Whitney U test, as benchstat
does. A change is a regression when it is significant at --alpha, in the
metric's bad direction, and larger than --threshold.

Each metric of each scenario is one test. Tested one by one (the default,
as benchstat does), about alpha x comparisons come out significant by
chance: about 6 of the default matrix's 124 at 0.05. A CI gate should use
--correction holm, which keeps the chance of any false alarm below alpha,
with enough repetitions for it (bench --reps 10; compare says when there
are too few).

With --by strategy, compares every strategy of one run against the base
strategy (the run's first strategy unless --base names one); a strategy
significantly worse than the base beyond the threshold counts as a
regression.

With --paired, each row also shows the median of the per-repetition
ratios new/old with its distribution-free confidence interval (at least
1-alpha; needs 6 repetitions at 0.05). Repetition i of both sides must
have run back to back: the strategies of one interleaved run, or the two
builds of "bench --old". Pairing cancels the machine's drift between
repetitions, so the interval is often much narrower than the spreads
suggest, and it says how large a difference the data can rule out, which
"~" does not. It does not change the verdicts.

--within PCT turns that into a speed goal (it implies --paired): every
compared metric must be shown, by its paired interval, to be at most PCT
worse than the old side or base strategy; compare lists the comparisons
that do not show it and exits 1. A goal that cannot be shown is not met:
too few repetitions or too noisy a machine fail it, as they should.

With --gate, compares the counted costs per request of every scenario
(server syscalls, read+write syscalls, voluntary and involuntary context
switches, allocations, bytes allocated, GC cycles per million requests,
instructions; see "sockbench help bench", --perf) by their medians, each
against its own limit: a regression grows both by more than a relative
and by more than an absolute amount, the noise model measured in
docs/regression.md (for example read+write syscalls +10% and +0.7 per
request, allocations +8% and +0.6, bytes +15% and +80 B; context
switches and GC cycles are shown, not gated). One repetition per
side is enough. Timed metrics are compared as without --gate but always
with --correction holm and --paired, so they fail the gate only with
enough repetitions (the gate says when they cannot). --metric selects the
timed metrics only; --by, --within and --format do not apply. A counted
metric that one side did not measure is not compared.

Flags:

	--gate             counted-cost gate (see above)
	--alpha P          significance level (default 0.05)
	--correction C     none (default): each comparison at --alpha; holm: the
	                   whole family at --alpha (Holm-Bonferroni)
	--threshold PCT    smallest change that counts, e.g. 5% or 0.05 (default 5%);
	                   a finite number >= 0 (NaN and Inf are refused)
	--metric M,...     metrics to compare (default: requests_per_cpu_s,
	                   throughput_rps, cpu_per_request_us, latency_p50,
	                   latency_p99, mem_per_conn_bytes, errors; "all" for all);
	                   short names: rps, rpcpu, cpu, p50, p90, p99, p999, max,
	                   rss, mem
	--by strategy      compare strategies inside one run
	--base NAME        base strategy for --by strategy
	--paired           add the paired median ratio and its interval
	--within PCT       speed goal: fail unless every paired interval shows
	                   the new side at most PCT worse, e.g. 3%
	--format F         table (default), markdown or csv
	--fail-on-starved  exit 1 when the new side (or a strategy, with --by
	                   strategy) starved more clients than the old side (or
	                   the base) in any compared scenario

Starved clients: a server that leaves clients without any reply can look
faster for serving fewer of them, and its "~" or improvement says nothing
about that. Every compared scenario in which either side starved clients
gets a line "starved: ..." (or "starved more: ...") after the table, and
the summary line says in how many scenarios the new side starved more.

Output: the comparison (table, Markdown or CSV) on stdout; the list of
regressions, goals not shown and errors on stderr. A run file "-" is read
from standard input (one of the two at most).

Exit status with --gate: 0 pass, 1 a counted metric beyond its limit or a
timed regression after Holm's correction, 2 bad usage, 3 a run file
missing, unreadable or not a run.

Exit status: 0 no significant regression (and, with --within, the goal
shown; with --fail-on-starved, no side starving more), 1 regression, goal
not shown or starvation with --fail-on-starved, 2 bad usage, 3 a run file
missing, unreadable or not a run.

Run files are read up to 256 MiB (results.MaxRunSize) and refused at the
first NUL byte; values no benchmark could measure (negative, non-finite
or above 1e15, conns outside 1..10000000) and two scenarios with the same
key are refused too, with the file and the scenario named.

Examples:

	sockbench compare baseline.json run.json
	sockbench compare --correction holm old.json new.json
	sockbench compare --threshold 10% --metric requests_per_cpu_s,p99 old.json new.json
	sockbench compare --gate base.json head.json
	sockbench compare --by strategy --base goroutine run.json
	sockbench compare --by strategy --base goroutine --fail-on-starved run.json
	sockbench bench --out - --quiet | sockbench compare baseline.json -
	sockbench compare --by strategy --base reference:pool --paired --metric rpcpu run.json
	sockbench compare --by strategy --base reference:goroutine --within 3% --metric rpcpu,rps run.json
`,
		run: runCompare,
	})
}

func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", stderr)
	alpha := fs.Float64("alpha", 0.05, "significance level")
	correction := fs.String("correction", "none", "none or holm")
	threshold := fs.String("threshold", "5%", "smallest change that counts")
	metricList := fs.String("metric", "", "comma-separated metrics")
	by := fs.String("by", "", `"strategy" to compare strategies inside one run`)
	base := fs.String("base", "", "base strategy for --by strategy")
	format := fs.String("format", "table", "table, markdown or csv")
	paired := fs.Bool("paired", false, "add paired median ratios with intervals")
	within := fs.String("within", "", "speed goal, e.g. 3%")
	failStarved := fs.Bool("fail-on-starved", false, "exit 1 when the new side starved more clients")
	gate := fs.Bool("gate", false, "counted-cost gate")
	files, err := reportargs.ParseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sockbench compare: "+format+"\n", a...)
		return 2
	}
	if !(*alpha > 0 && *alpha < 1) {
		return fail("--alpha must be between 0 and 1, got %g", *alpha)
	}
	corr, err := results.ParseCorrection(*correction)
	if err != nil {
		return fail("--correction: %v", err)
	}
	th, err := parsePercent(*threshold)
	if err != nil {
		return fail("--threshold: %v", err)
	}
	var goal float64
	if *within != "" {
		if goal, err = parsePercent(*within); err != nil || goal <= 0 {
			return fail("--within: want a positive percentage such as 3%%, got %q", *within)
		}
	}
	ms, err := results.ParseMetrics(*metricList)
	if err != nil {
		return fail("--metric: %v", err)
	}
	switch *format {
	case "table", "markdown", "md", "csv":
	default:
		return fail("--format must be table, markdown or csv, got %q", *format)
	}
	opts := results.CompareOptions{Alpha: *alpha, Correction: corr, Threshold: th, Metrics: ms, Paired: *paired, Within: goal}
	if *gate {
		if *by != "" || *within != "" || *format != "table" {
			return fail("--gate does not take --by, --within or --format")
		}
		return runGate(files, opts, stdout, stderr)
	}
	var cmp *results.Comparison
	switch *by {
	case "":
		if *base != "" {
			return fail("--base needs --by strategy")
		}
		if len(files) != 2 {
			return fail("want two run files (OLD.json NEW.json), got %d; see \"sockbench help compare\"", len(files))
		}
		if files[0] == reportargs.Stdin && files[1] == reportargs.Stdin {
			return fail("only one run file can be \"-\" (standard input)")
		}
		old, err := reportargs.ReadRun(files[0], stdin)
		if err != nil {
			return inputFail(stderr, err)
		}
		new, err := reportargs.ReadRun(files[1], stdin)
		if err != nil {
			return inputFail(stderr, err)
		}
		if cmp, err = results.Compare(old, new, opts); err != nil {
			return fail("%s vs %s: %v", files[0], files[1], err)
		}
		cmp.Title = files[0] + " vs " + files[1]
	case "strategy":
		if len(files) != 1 {
			return fail("--by strategy wants one run file, got %d", len(files))
		}
		run, err := reportargs.ReadRun(files[0], stdin)
		if err != nil {
			return inputFail(stderr, err)
		}
		if cmp, err = results.CompareStrategies(run, *base, opts); err != nil {
			return fail("%s: %v", files[0], err)
		}
	default:
		return fail("--by must be \"strategy\", got %q", *by)
	}
	switch *format {
	case "markdown", "md":
		err = cmp.WriteMarkdown(stdout)
	case "csv":
		err = cmp.WriteCSV(stdout)
	default:
		err = cmp.WriteTable(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "sockbench compare: %v\n", err)
		return 1
	}
	code := 0
	if misses := cmp.Misses(); len(misses) > 0 {
		listFirst(stderr, misses, func(d results.Delta) string {
			return fmt.Sprintf("goal not shown: %s %s paired %s", d.Key, d.Metric.Name, d.Paired)
		})
		fmt.Fprintf(stderr, "sockbench compare: %d of %d comparisons not shown to be within %g%% of %s\n", len(misses), len(cmp.Deltas), 100*goal, cmp.OldName)
		code = 1
	}
	if regs := cmp.Regressions(); len(regs) > 0 {
		listFirst(stderr, regs, func(d results.Delta) string {
			p := fmt.Sprintf("p=%.3g", d.P)
			if corr != results.NoCorrection {
				p += fmt.Sprintf(", adjusted %.3g", d.PAdjusted)
			}
			return fmt.Sprintf("regression: %s %s %s (%s)", d.Key, d.Metric.Name, d.DeltaText(), p)
		})
		fmt.Fprintf(stderr, "sockbench compare: %d significant regression(s) beyond %g%%\n", len(regs), 100*th)
		code = 1
	}
	if more := cmp.StarvedMore(); len(more) > 0 && *failStarved {
		for i, s := range more {
			if i == 5 {
				fmt.Fprintf(stderr, "... and %d more\n", len(more)-i)
				break
			}
			fmt.Fprintf(stderr, "starved more: %s\n", s)
		}
		fmt.Fprintf(stderr, "sockbench compare: %s starved more clients than %s in %d scenario(s)\n", cmp.NewName, cmp.OldName, len(more))
		code = 1
	}
	return code
}

// inputFail reports a run file that cannot be read and returns its exit
// status.
func inputFail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "sockbench compare: %v\n", err)
	return reportargs.ExitInput
}

// listFirst writes one line per delta, the first five only, then how many
// more there are.
func listFirst(w io.Writer, ds []results.Delta, line func(results.Delta) string) {
	for i, d := range ds {
		if i == 5 {
			fmt.Fprintf(w, "... and %d more\n", len(ds)-i)
			return
		}
		fmt.Fprintln(w, line(d))
	}
}

// parsePercent parses "5%" as 0.05; a bare number below 1 is a fraction
// ("0.05") and one of 1 or more a percentage ("5"). It refuses NaN and
// infinities, which would silently turn a gate off, and negative values.
func parsePercent(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err != nil || !(v >= 0) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("want a finite percentage >= 0 like 5%% or 0.05, got %q", s)
	}
	if pct || v >= 1 {
		v /= 100
	}
	return v, nil
}
