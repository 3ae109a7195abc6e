package results

import (
	"fmt"
	"math"
	"slices"
)

// Paired is the change of one metric estimated from pairs of repetitions:
// repetition i of the old side and repetition i of the new side. It is
// meaningful only when the two ran back to back, as the strategies of one
// interleaved run do (A B A B ...) and the two builds of "bench --old":
// pairing then cancels the machine's drift between repetitions, which the
// unpaired test counts as noise.
type Paired struct {
	// N is the number of pairs: repetitions measured on both sides with a
	// non-zero old value.
	N int
	// Change is the median of the N ratios new/old, minus 1 (0.01 = +1%).
	Change float64
	// Lo and Hi bound the distribution-free confidence interval of that
	// median (order statistics of the ratios, as for the sign test), at
	// level Confidence: the highest order statistics whose coverage is at
	// least 1-alpha. With too few pairs for that level (fewer than 6 at
	// alpha 0.05) OK is false and only Change is set.
	Lo, Hi     float64
	Confidence float64
	OK         bool
}

// String formats p as "+0.70% [-5.30%, +2.30%] 96%", or with too few
// pairs "+0.70% (n=4: no interval)".
func (p Paired) String() string {
	if p.N == 0 {
		return "-"
	}
	if !p.OK {
		return fmt.Sprintf("%+.2f%% (n=%d: no interval)", 100*p.Change, p.N)
	}
	return fmt.Sprintf("%+.2f%% [%+.2f%%, %+.2f%%] %.0f%%", 100*p.Change, 100*p.Lo, 100*p.Hi, 100*p.Confidence)
}

// pairedChange pairs the repetitions of old and new by repetition number
// and estimates the median ratio of m with its interval at 1-alpha.
func pairedChange(m Metric, old, new *Scenario, alpha float64) Paired {
	olds := map[int]float64{}
	for i := range old.Samples {
		if v, ok := m.Value(&old.Samples[i]); ok && v != 0 {
			olds[old.Samples[i].Rep] = v
		}
	}
	var ratios []float64
	for i := range new.Samples {
		o, ok := olds[new.Samples[i].Rep]
		if !ok {
			continue
		}
		if v, ok := m.Value(&new.Samples[i]); ok {
			ratios = append(ratios, v/o)
		}
	}
	if len(ratios) == 0 {
		return Paired{}
	}
	slices.Sort(ratios)
	n := len(ratios)
	p := Paired{N: n, Change: (ratios[(n-1)/2]+ratios[n/2])/2 - 1}
	if k, conf := medianRank(n, alpha); k > 0 {
		p.Lo, p.Hi, p.Confidence, p.OK = ratios[k-1]-1, ratios[n-k]-1, conf, true
	}
	return p
}

// medianRank returns the largest k (1-based) for which the interval
// between the k-th smallest and the k-th largest of n values covers their
// population median with probability at least 1-alpha, and that
// probability, 1 - 2 P(Binomial(n, 1/2) <= k-1). It returns 0 when even
// the smallest and largest values do not reach 1-alpha.
func medianRank(n int, alpha float64) (k int, coverage float64) {
	cdf := 0.0 // P(Binomial(n, 1/2) <= j-1) for the current j
	for j := 1; j <= n/2; j++ {
		cdf += math.Exp(lchoose(n, j-1) - float64(n)*math.Ln2)
		c := 1 - 2*cdf
		if c < 1-alpha {
			break
		}
		k, coverage = j, c
	}
	return k, coverage
}

// lchoose is log(n choose k).
func lchoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n + 1))
	b, _ := math.Lgamma(float64(k + 1))
	c, _ := math.Lgamma(float64(n - k + 1))
	return a - b - c
}
