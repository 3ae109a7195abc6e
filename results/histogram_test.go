package results

import (
	"math"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func nanValue() float64 { return math.NaN() }

func TestHistogramRoundTripAndMerge(t *testing.T) {
	a := hdrhistogram.New(1, 1_000_000, 3)
	b := hdrhistogram.New(1, 60_000_000, 2)
	for i := int64(1); i <= 1000; i++ {
		_ = a.RecordValue(i * 10)
		_ = b.RecordValue(i * 1000)
	}
	ha := NewHistogram(a)
	if got := ha.HDR(); !got.Equals(a) {
		t.Errorf("HDR() after NewHistogram differs from the original")
	}
	if ha.TotalCount() != 1000 {
		t.Errorf("TotalCount = %d, want 1000", ha.TotalCount())
	}
	merged, err := MergeHistograms([]Sample{{Histogram: ha}, {}, {Histogram: NewHistogram(b)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  int64
		want int64
	}{
		{"count", merged.TotalCount(), 2000},
		{"max", merged.Max(), b.Max()},
		{"p25", merged.ValueAtPercentile(25), a.ValueAtPercentile(50)},
	}
	for _, tt := range tests {
		if math.Abs(float64(tt.got-tt.want)) > 0.02*float64(tt.want) {
			t.Errorf("%s = %d, want about %d", tt.name, tt.got, tt.want)
		}
	}
	if h, err := MergeHistograms(nil); h != nil || err != nil {
		t.Errorf("MergeHistograms(nil) = %v, %v; want nil, nil", h, err)
	}
	bad := &Histogram{LowestTrackableValue: 1, HighestTrackableValue: 100, SignificantFigures: 9}
	if bad.HDR() != nil {
		t.Error("HDR of an invalid histogram is not nil")
	}
	if _, err := MergeHistograms([]Sample{{Histogram: bad}}); err == nil {
		t.Error("MergeHistograms with an invalid histogram: no error")
	}
}
