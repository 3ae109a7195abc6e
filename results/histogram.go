package results

import (
	"errors"
	"fmt"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// NewHistogram captures h (latencies in microseconds) as a Histogram, via
// hdrhistogram-go's Snapshot. Trailing zero counts are dropped to keep run
// files small; HDR restores them. It returns nil for a nil h.
func NewHistogram(h *hdrhistogram.Histogram) *Histogram {
	if h == nil {
		return nil
	}
	s := h.Export()
	counts := s.Counts
	n := len(counts)
	for n > 0 && counts[n-1] == 0 {
		n--
	}
	return &Histogram{
		LowestTrackableValue:  s.LowestTrackableValue,
		HighestTrackableValue: s.HighestTrackableValue,
		SignificantFigures:    s.SignificantFigures,
		Counts:                append([]int64(nil), counts[:n]...),
	}
}

func (h *Histogram) snapshot() *hdrhistogram.Snapshot {
	return &hdrhistogram.Snapshot{
		LowestTrackableValue:  h.LowestTrackableValue,
		HighestTrackableValue: h.HighestTrackableValue,
		SignificantFigures:    h.SignificantFigures,
		Counts:                h.Counts,
	}
}

// Validate reports whether h can be turned back into an HDR histogram
// without losing data: a representable geometry, non-negative counts, none
// beyond the geometry's range. Read validates every histogram it returns.
func (h *Histogram) Validate() error {
	if h == nil {
		return errors.New("histogram: nil")
	}
	if err := h.snapshot().Validate(); err != nil {
		return fmt.Errorf("histogram: %w", err)
	}
	return nil
}

// HDR returns a new, independent hdrhistogram-go Histogram holding h's
// counts, which the caller may record into or merge. It returns nil if h is
// nil or fails Validate.
func (h *Histogram) HDR() *hdrhistogram.Histogram {
	if h.Validate() != nil {
		return nil
	}
	return hdrhistogram.Import(h.snapshot())
}

// TotalCount returns the number of values recorded in h.
func (h *Histogram) TotalCount() int64 {
	if h == nil {
		return 0
	}
	var n int64
	for _, c := range h.Counts {
		if c > 0 {
			n += c
		}
	}
	return n
}

// MergeHistograms merges the histograms of samples into one new HDR
// histogram wide enough to hold every one of them, so no value is dropped.
// Samples without a histogram are skipped; it returns nil, nil when none has
// one, and an error if a histogram is invalid.
func MergeHistograms(samples []Sample) (*hdrhistogram.Histogram, error) {
	var parts []*hdrhistogram.Histogram
	var lo, hi, sig int64
	for i := range samples {
		h := samples[i].Histogram
		if h == nil {
			continue
		}
		if err := h.Validate(); err != nil {
			return nil, fmt.Errorf("merge histograms: sample %d: %w", i, err)
		}
		hh := h.HDR()
		if len(parts) == 0 || hh.LowestTrackableValue() < lo {
			lo = hh.LowestTrackableValue()
		}
		hi = max(hi, hh.HighestTrackableValue())
		sig = max(sig, hh.SignificantFigures())
		parts = append(parts, hh)
	}
	if len(parts) == 0 {
		return nil, nil
	}
	lo = max(lo, 1)
	hi = max(hi, 2*lo)
	sig = min(max(sig, 1), 5)
	out := hdrhistogram.New(lo, hi, int(sig))
	for _, p := range parts {
		if dropped := out.Merge(p); dropped != 0 {
			return nil, fmt.Errorf("merge histograms: %d values dropped", dropped)
		}
	}
	return out, nil
}

// MergedHistogram merges the histograms of every repetition of s; see
// MergeHistograms.
func (s *Scenario) MergedHistogram() (*hdrhistogram.Histogram, error) {
	return MergeHistograms(s.Samples)
}
