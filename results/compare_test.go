package results

import (
	"bytes"
	"errors"
	"strings"
	"testing"
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
