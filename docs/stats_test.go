package docs

import (
	"testing"

	"golang.org/x/perf/benchmath"
)

// TestMannWhitneyFalsePositiveRate backs the false-positive rates that
// regression.md and lesson 0 state for `sockbench compare` (benchmath's
// Mann-Whitney U test, as benchstat): with n repetitions per side and no
// real difference, every ordering of the 2n samples is equally likely, so
// the chance of p < 0.05 is the share of orderings that reach it. The test
// enumerates them all.
func TestMannWhitneyFalsePositiveRate(t *testing.T) {
	for _, tt := range []struct {
		n, orderings, significant int
	}{
		{3, 20, 0},  // no ordering reaches p < 0.05
		{4, 70, 2},  // 2.9 %
		{5, 252, 8}, // 3.2 %
	} {
		total, sig := 0, 0
		forEachSplit(2*tt.n, tt.n, func(inA []bool) {
			var a, b []float64
			for v, isA := range inA {
				if isA {
					a = append(a, float64(v))
				} else {
					b = append(b, float64(v))
				}
			}
			c := benchmath.AssumeNothing.Compare(benchmath.NewSample(a, &benchmath.DefaultThresholds), benchmath.NewSample(b, &benchmath.DefaultThresholds))
			total++
			if c.P < 0.05 {
				sig++
			}
		})
		if total != tt.orderings || sig != tt.significant {
			t.Errorf("n=%d per side: %d of %d orderings give p < 0.05; want %d of %d", tt.n, sig, total, tt.significant, tt.orderings)
		}
	}
}

// forEachSplit calls f with every way of choosing k of the values 0..m-1
// for side A (inA[v] reports whether value v is in A).
func forEachSplit(m, k int, f func(inA []bool)) {
	inA := make([]bool, m)
	var rec func(v, left int)
	rec = func(v, left int) {
		if left == 0 {
			f(inA)
			return
		}
		if m-v < left {
			return
		}
		inA[v] = true
		rec(v+1, left-1)
		inA[v] = false
		rec(v+1, left)
	}
	rec(0, k)
}
