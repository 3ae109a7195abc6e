package load

import (
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

func TestResultServedStarved(t *testing.T) {
	tests := []struct {
		name            string
		perConn         []int64
		served, starved int
	}{
		{"none", nil, 0, 0},
		{"all served", []int64{3, 1, 7}, 3, 0},
		{"a pool of 2 of 5", []int64{40, 38, 0, 0, 0}, 2, 3},
		{"nobody", []int64{0, 0}, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{PerConn: tt.perConn}
			if got := r.Served(); got != tt.served {
				t.Errorf("Served() = %d, want %d", got, tt.served)
			}
			if got := r.Starved(); got != tt.starved {
				t.Errorf("Starved() = %d, want %d", got, tt.starved)
			}
		})
	}
}

func TestResultLatencyAt(t *testing.T) {
	h := hdrhistogram.New(1, 60_000_000, 3)
	for _, us := range []int64{100, 200, 300, 400, 5000} {
		if err := h.RecordValue(us); err != nil {
			t.Fatal(err)
		}
	}
	r := &Result{Latency: h}
	if got := r.LatencyAt(50); got != 300*time.Microsecond {
		t.Errorf("LatencyAt(50) = %v, want 300µs", got)
	}
	if got := r.LatencyAt(100); got < 4990*time.Microsecond || got > 5010*time.Microsecond {
		t.Errorf("LatencyAt(100) = %v, want about 5ms", got)
	}
	if got := (&Result{}).LatencyAt(99); got != 0 {
		t.Errorf("LatencyAt on nothing measured = %v, want 0", got)
	}
}
