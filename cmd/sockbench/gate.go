package main

import (
	"fmt"
	"io"

	"github.com/gosocketserver/socketserver/internal/reportargs"
	"github.com/gosocketserver/socketserver/results"
)

// runGate is "compare --gate OLD NEW": the counted-cost gate, with the
// timed comparison configured by timed.
func runGate(files []string, timed results.CompareOptions, stdout, stderr io.Writer) int {
	if len(files) != 2 {
		fmt.Fprintf(stderr, "sockbench compare: --gate wants two run files (OLD.json NEW.json), got %d\n", len(files))
		return 2
	}
	if files[0] == reportargs.Stdin && files[1] == reportargs.Stdin {
		fmt.Fprintln(stderr, `sockbench compare: only one run file can be "-" (standard input)`)
		return 2
	}
	old, err := reportargs.ReadRun(files[0], stdin)
	if err != nil {
		return inputFail(stderr, err)
	}
	new, err := reportargs.ReadRun(files[1], stdin)
	if err != nil {
		return inputFail(stderr, err)
	}
	g, err := results.Gate(old, new, results.GateOptions{Timed: timed})
	if err != nil {
		fmt.Fprintf(stderr, "sockbench compare: %s vs %s: %v\n", files[0], files[1], err)
		return 2
	}
	g.Title = files[0] + " vs " + files[1]
	if err := g.WriteTable(stdout); err != nil {
		fmt.Fprintf(stderr, "sockbench compare: %v\n", err)
		return 1
	}
	regs := g.Regressions()
	for i, c := range regs {
		if i == 5 {
			fmt.Fprintf(stderr, "... and %d more\n", len(regs)-i)
			break
		}
		fmt.Fprintf(stderr, "counted regression: %s %s %s -> %s (%s, limit %s)\n", c.Key, c.Metric.Name, fmtCount(c.Old), fmtCount(c.New), fmtChange(c.Change), c.Limit)
	}
	listFirst(stderr, g.TimedRegressions(), func(d results.Delta) string {
		return fmt.Sprintf("timed regression: %s %s %s (adjusted p=%.3g)", d.Key, d.Metric.Name, d.DeltaText(), d.PAdjusted)
	})
	if g.Failed() {
		fmt.Fprintf(stderr, "sockbench compare: gate failed: %d counted, %d timed regression(s)\n", len(regs), len(g.TimedRegressions()))
		return 1
	}
	return 0
}

func fmtCount(v float64) string { return fmt.Sprintf("%.4g", v) }

func fmtChange(c float64) string { return fmt.Sprintf("%+.1f%%", 100*c) }
