package results

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/perf/benchmath"
)

func TestCompare(t *testing.T) {
	rps, _ := ParseMetrics("throughput_rps")
	fake := func(reps int, speed, noise float64, seed uint64) *Run {
		o := defaultFake()
		o.reps, o.speed, o.noise, o.seed, o.histograms = reps, speed, noise, seed, false
		return fakeRun(t, o)
	}
	tests := []struct {
		name           string
		old, new       *Run
		wantRegressed  int
		wantImproved   int
		wantFewWarning bool
	}{
		{"identical", fake(5, 1, 0.03, 1), fake(5, 1, 0.03, 1), 0, 0, false},
		{"same speed, other noise", fake(5, 1, 0.03, 1), fake(5, 1, 0.03, 2), 0, 0, false},
		{"30% slower", fake(6, 1, 0.05, 1), fake(6, 0.7, 0.05, 2), 18, 0, false},
		{"30% faster", fake(5, 1, 0.05, 1), fake(5, 1.3, 0.05, 2), 0, 18, false},
		{"2% slower is within threshold", fake(8, 1, 0.002, 1), fake(8, 0.98, 0.002, 2), 0, 0, false},
		{"too few samples", fake(3, 1, 0.05, 1), fake(3, 0.7, 0.05, 2), 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Compare(tt.old, tt.new, CompareOptions{Alpha: 0.05, Threshold: 0.05, Metrics: rps})
			if err != nil {
				t.Fatal(err)
			}
			var reg, imp, few int
			for _, d := range c.Deltas {
				switch d.Verdict {
				case Regressed:
					reg++
				case Improved:
					imp++
				}
				for _, w := range d.Warnings {
					if strings.Contains(w, "need >= 4 samples to detect a difference") {
						few++
					}
				}
			}
			if reg != tt.wantRegressed || imp != tt.wantImproved {
				t.Errorf("regressed, improved = %d, %d; want %d, %d", reg, imp, tt.wantRegressed, tt.wantImproved)
			}
			if (few > 0) != tt.wantFewWarning {
				t.Errorf("too-few-samples warnings: %d, want some: %v", few, tt.wantFewWarning)
			}
			var buf bytes.Buffer
			if err := c.WriteTable(&buf); err != nil {
				t.Fatal(err)
			}
			if tt.wantFewWarning && !strings.Contains(buf.String(), "need >= 4 samples") {
				t.Errorf("table does not show the warning:\n%s", buf.String())
			}
			if tt.wantRegressed > 0 && !strings.Contains(buf.String(), "REGRESSION") {
				t.Errorf("table does not show the regression:\n%s", buf.String())
			}
		})
	}
}

func TestCompareLowerIsBetter(t *testing.T) {
	o := defaultFake()
	o.histograms = false
	old := fakeRun(t, o)
	o.seed = 2
	o.speed = 0.7 // slower: latency up, a regression for a lower-is-better metric
	new := fakeRun(t, o)
	p99, _ := ParseMetrics("p99")
	c, err := Compare(old, new, CompareOptions{Threshold: 0.05, Metrics: p99})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Regressions()); n != len(c.Deltas) || n == 0 {
		t.Errorf("%d regressions of %d deltas, want all", n, len(c.Deltas))
	}
	if d := c.Deltas[0]; d.Change <= 0.3 || d.DeltaText()[0] != '+' {
		t.Errorf("change = %g (%s), want above +30%%", d.Change, d.DeltaText())
	}
}

func TestCompareUnmatched(t *testing.T) {
	o := defaultFake()
	o.histograms = false
	old := fakeRun(t, o)
	o.strategies = []string{"other"}
	new := fakeRun(t, o)
	if _, err := Compare(old, new, CompareOptions{}); !errors.Is(err, ErrNothingToCompare) {
		t.Errorf("err = %v, want ErrNothingToCompare", err)
	}
	o.strategies = []string{"sync", "extra"}
	new = fakeRun(t, o)
	c, err := Compare(old, new, CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.OnlyOld) != 12 || len(c.OnlyNew) != 6 {
		t.Errorf("only old, only new = %d, %d; want 12, 6", len(c.OnlyOld), len(c.OnlyNew))
	}
}

func TestCompareStrategies(t *testing.T) {
	o := defaultFake()
	o.histograms = false
	r := fakeRun(t, o)
	rpcpu, _ := ParseMetrics("requests_per_cpu_s")
	c, err := CompareStrategies(r, "", CompareOptions{Threshold: 0.05, Metrics: rpcpu})
	if err != nil {
		t.Fatal(err)
	}
	if c.OldName != "sync" || len(c.Deltas) != 12 {
		t.Fatalf("base %q, %d deltas; want sync, 12", c.OldName, len(c.Deltas))
	}
	for _, d := range c.Deltas {
		if d.Verdict != Improved {
			t.Errorf("%s vs sync: %v, want better", d.Key, d.Verdict)
		}
	}
	c, err = CompareStrategies(r, "pool:workers=8,queue=64", CompareOptions{Threshold: 0.05, Metrics: rpcpu})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Regressions()) != 12 {
		t.Errorf("%d strategies worse than pool, want 12", len(c.Regressions()))
	}
	if _, err := CompareStrategies(r, "nope", CompareOptions{}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown base: err = %v", err)
	}
}

func TestComparisonFormats(t *testing.T) {
	o := defaultFake()
	o.histograms = false
	old := fakeRun(t, o)
	o.seed, o.speed = 2, 0.7
	c, err := Compare(old, fakeRun(t, o), CompareOptions{Threshold: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	var md, csvBuf bytes.Buffer
	if err := c.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteCSV(&csvBuf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| **REGRESSION** |") {
		t.Errorf("markdown lacks a bold regression:\n%.500s", md.String())
	}
	lines := strings.Split(strings.TrimSpace(csvBuf.String()), "\n")
	if len(lines) != 1+len(c.Deltas) || !strings.Contains(lines[1], ",REGRESSION,") && !strings.Contains(csvBuf.String(), ",REGRESSION,") {
		t.Errorf("csv: %d lines for %d deltas", len(lines), len(c.Deltas))
	}
}

// TestHolmAdjustment checks the Holm step-down on a textbook example:
// sorted p-values are multiplied by m, m-1, ... and made monotone.
func TestHolmAdjustment(t *testing.T) {
	rps, _ := ParseMetrics("throughput_rps")
	ps := []float64{0.01, 0.04, 0.03, 0.005}
	tests := []struct {
		corr    Correction
		wantAdj []float64
		wantSig []bool
	}{
		{NoCorrection, []float64{0.01, 0.04, 0.03, 0.005}, []bool{true, true, true, true}},
		{Holm, []float64{0.03, 0.06, 0.06, 0.02}, []bool{true, false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.corr.String(), func(t *testing.T) {
			c := &Comparison{Alpha: 0.05, Correction: tt.corr}
			for i, p := range ps {
				varied := Stat{Min: 1, Median: 2, Max: 3}
				c.Deltas = append(c.Deltas, Delta{Key: Key{Conns: i}, Metric: rps[0], Old: varied, New: varied, P: p, Alpha: 0.05, Change: -0.5})
			}
			// Zero errors on both sides: left out of the family, so it
			// does not make m = 5.
			c.Deltas = append(c.Deltas, Delta{Key: Key{Conns: 9}, Metric: rps[0], P: 1, Alpha: 0.05})
			c.decide()
			c.Deltas = c.Deltas[:len(ps)]
			var adj []float64
			var sig []bool
			for _, d := range c.Deltas {
				adj = append(adj, d.PAdjusted)
				sig = append(sig, d.Significant)
			}
			if diff := cmp.Diff(tt.wantAdj, adj, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("adjusted p (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSig, sig); diff != "" {
				t.Errorf("significant (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMinMannWhitneyP checks the smallest attainable p against benchmath's
// exact test on completely separated samples.
func TestMinMannWhitneyP(t *testing.T) {
	for _, n := range []int{3, 4, 5, 8, 10} {
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i], b[i] = float64(i), float64(100+i)
		}
		th := &benchmath.DefaultThresholds
		want := benchmath.AssumeNothing.Compare(benchmath.NewSample(a, th), benchmath.NewSample(b, th)).P
		if got := minMannWhitneyP(n, n); math.Abs(got-want) > 1e-9*want {
			t.Errorf("n=%d: %g, benchmath %g", n, got, want)
		}
	}
	// 148 comparisons (the default matrix) at 0.05: 7 per side cannot pass
	// (2/C(14,7) = 5.8e-4 > 3.4e-4), 8 can (1.6e-4).
	if got := repsForHolm(0.05, 148); got != 8 {
		t.Errorf("repsForHolm(0.05, 148) = %d, want 8", got)
	}
}

// TestCompareHolm runs the correction on whole runs: it keeps a real 30%
// slowdown, removes the chance findings that testing thousands of
// same-speed comparisons one by one produces, and says when the samples
// are too few for any finding.
func TestCompareHolm(t *testing.T) {
	fake := func(reps int, speed float64, seed uint64) *Run {
		o := defaultFake()
		o.reps, o.speed, o.noise, o.seed, o.histograms = reps, speed, 0.05, seed, false
		return fakeRun(t, o)
	}
	rps, _ := ParseMetrics("throughput_rps")
	c, err := Compare(fake(6, 1, 1), fake(6, 0.7, 2), CompareOptions{Correction: Holm, Threshold: 0.05, Metrics: rps})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Regressions()); n != len(c.Deltas) || n == 0 {
		t.Errorf("30%% slower, Holm: %d regressions of %d deltas, want all", n, len(c.Deltas))
	}

	var chance [2]int
	for seed := uint64(1); seed <= 20; seed++ {
		old, new := fake(6, 1, 2*seed), fake(6, 1, 2*seed+1)
		for i, corr := range []Correction{NoCorrection, Holm} {
			c, err := Compare(old, new, CompareOptions{Correction: corr})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range c.Deltas {
				if d.Significant {
					chance[i]++
				}
			}
		}
	}
	if chance[0] == 0 || chance[1] != 0 {
		t.Errorf("same-speed runs: %d significant without correction (want some), %d with Holm (want none)", chance[0], chance[1])
	}

	c, err = Compare(fake(5, 1, 1), fake(5, 0.7, 2), CompareOptions{Correction: Holm, Threshold: 0.05, Metrics: rps})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Regressions()); n != 0 {
		t.Errorf("5+5 samples over %d comparisons: %d regressions, want none possible", len(c.Deltas), n)
	}
	var buf bytes.Buffer
	if err := c.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"no change can be significant", "at least 6 per side", "adj=", "holm-corrected"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}
