package main

import (
	"fmt"
	"io"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/internal/spec"
	"github.com/gosocketserver/socketserver/results"
	"github.com/gosocketserver/socketserver/strategies"
)

// sloFlags are bench's --slo flags as parsed.
type sloFlags struct {
	goal      string
	precision float64
	start     float64
	steps     int
	reps      int // --slo-reps
}

// sweepTargets parses one target spec, which may sweep an option
// ("pool:workers=8..256", "pool:workers=8|32|128"), into its targets in
// order; each swept one records its value. Strategy specs are built once
// here, so a bad option fails before anything runs.
func sweepTargets(s string) ([]bench.Target, error) {
	points, err := spec.Sweep(s)
	if err != nil {
		return nil, err
	}
	var out []bench.Target
	for _, p := range points {
		t, err := bench.ParseTarget(p.Spec)
		if err != nil {
			return nil, err
		}
		if t.Kind == bench.KindStrategy {
			if _, _, err := strategies.Build(p.Spec); err != nil {
				return nil, err
			}
		}
		if p.Option != "" {
			t.Sweep = &results.SweepPoint{Spec: s, Option: p.Option, Value: p.Value, X: p.X}
		}
		out = append(out, t)
	}
	return out, nil
}

// sloConfig turns the --slo flags into the search's configuration; the
// zero SLOConfig when --slo is empty.
func sloConfig(f sloFlags) (bench.SLOConfig, error) {
	if f.goal == "" {
		return bench.SLOConfig{}, nil
	}
	g, err := results.ParseGoal(f.goal)
	if err != nil {
		return bench.SLOConfig{}, fmt.Errorf("--slo: %w", err)
	}
	// Zero means "the default" to bench.SLOConfig; on the command line
	// the defaults are printed, so a zero is a mistake.
	switch {
	case !(f.precision > 0):
		return bench.SLOConfig{}, fmt.Errorf("--slo-precision %v: want above 0.001 and at most 1", f.precision)
	case f.steps < 1:
		return bench.SLOConfig{}, fmt.Errorf("--slo-steps %d: want 1..%d", f.steps, bench.MaxSLOSteps)
	case f.start < 0:
		return bench.SLOConfig{}, fmt.Errorf("--slo-start %v: want a rate of at least 1 request per second (0: the default)", f.start)
	case f.reps < 1 || f.reps > bench.MaxSLOReps:
		return bench.SLOConfig{}, fmt.Errorf("--slo-reps %d: want 1..%d samples per rate", f.reps, bench.MaxSLOReps)
	}
	c := bench.SLOConfig{Goal: g, Precision: f.precision, Start: f.start, Steps: f.steps, Reps: f.reps}
	if _, err := c.WithDefaults(); err != nil {
		return bench.SLOConfig{}, fmt.Errorf("--slo-precision, --slo-start or --slo-steps: %w", err)
	}
	return c, nil
}

// announceSearch says, before the run, how long the SLO search may add:
// at most steps x reps samples per target and searchable cell.
func announceSearch(stderr io.Writer, cfg bench.Config) {
	if cfg.SLO.Goal.IsZero() {
		return
	}
	c, _ := cfg.SLO.WithDefaults()
	cells := 0
	for _, w := range cfg.Workloads {
		if w.Mode != "churn" {
			cells += len(cfg.Conns)
		}
	}
	n := cells * len(cfg.Targets) * c.Steps * c.Reps
	est := time.Duration(n) * (cfg.Duration + cfg.Warmup + sampleOverhead)
	per := ""
	if c.Reps > 1 {
		per = fmt.Sprintf(" of %d samples each (the median judged)", c.Reps)
	}
	fmt.Fprintf(stderr, "sockbench bench: then the search for the highest rate meeting %s: at most %d steps%s per target and cell, %d samples, at most %s (it usually stops sooner, within %.0f%%)\n",
		c.Goal, c.Steps, per, n, est.Round(time.Second), 100*c.Precision)
}

// printRecommendations writes the run's recommendations after its table.
func printRecommendations(w io.Writer, r *results.Run) error {
	if _, err := fmt.Fprintln(w); err != nil {
		return fmt.Errorf("write recommendation: %w", err)
	}
	return results.WriteRecommendations(w, r)
}
