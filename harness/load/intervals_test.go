package load

import (
	"errors"
	"testing"
	"time"
)

// TestRunIntervals: in every mode the per-interval histograms, merged,
// hold exactly what Latency holds, and TotalRequests covers at least the
// measured requests.
func TestRunIntervals(t *testing.T) {
	for _, mc := range modeCases {
		t.Run(string(mc.mode), func(t *testing.T) {
			s := server(t, "tcp", mc.mode, nil)
			cfg := config(s, mc, 3, 300*time.Millisecond)
			cfg.Interval = 100 * time.Millisecond
			cfg.Warmup = 50 * time.Millisecond
			res := mustRun(t, cfg)
			if len(res.Intervals) != 3 {
				t.Fatalf("len(Intervals) = %d, want 3", len(res.Intervals))
			}
			if !res.IntervalStart.Equal(res.Start) {
				t.Errorf("IntervalStart %v, Start %v: want equal without MeasureAt", res.IntervalStart, res.Start)
			}
			union := newHist()
			for _, h := range res.Intervals {
				union.Merge(h)
			}
			if !union.Equals(res.Latency) {
				t.Errorf("merged intervals (%d values) differ from Latency (%d values)", union.TotalCount(), res.Latency.TotalCount())
			}
			if res.TotalRequests < res.Requests {
				t.Errorf("Requests %d, TotalRequests %d: want Requests <= TotalRequests", res.Requests, res.TotalRequests)
			}
		})
	}
}

// TestRunMeasureAt: with MeasureAt the measured interval starts then (not
// before) and ends at MeasureAt + Duration; intervals count from MeasureAt.
func TestRunMeasureAt(t *testing.T) {
	s := server(t, "tcp", Closed, nil)
	cfg := config(s, modeCases[0], 2, 200*time.Millisecond)
	cfg.Interval = 100 * time.Millisecond
	cfg.Warmup = time.Hour // ignored with MeasureAt
	cfg.MeasureAt = time.Now().Add(150 * time.Millisecond)
	res := mustRun(t, cfg)
	if res.Start.Before(cfg.MeasureAt) {
		t.Errorf("Start %v is before MeasureAt %v", res.Start, cfg.MeasureAt)
	}
	if !res.IntervalStart.Equal(cfg.MeasureAt) {
		t.Errorf("IntervalStart %v, want MeasureAt %v", res.IntervalStart, cfg.MeasureAt)
	}
	if end := res.Start.Add(res.Elapsed); end.Before(cfg.MeasureAt.Add(cfg.Duration)) {
		t.Errorf("measured until %v, before MeasureAt+Duration %v", end, cfg.MeasureAt.Add(cfg.Duration))
	}
	if res.TotalRequests < res.Requests {
		t.Errorf("Requests %d, TotalRequests %d: want Requests <= TotalRequests", res.Requests, res.TotalRequests)
	}
}

// TestRunMeasureAtLate: a MeasureAt already past measures at once, until
// MeasureAt + Duration (so for less than Duration), and says when it
// started; the intervals before the start are empty.
func TestRunMeasureAtLate(t *testing.T) {
	s := server(t, "tcp", Closed, nil)
	cfg := config(s, modeCases[0], 1, 2*time.Second)
	cfg.Interval = 250 * time.Millisecond
	cfg.MeasureAt = time.Now().Add(-time.Second)
	res := mustRun(t, cfg)
	if late := res.Start.Sub(cfg.MeasureAt); late < time.Second {
		t.Errorf("Start is %v after MeasureAt, want at least 1s", late)
	}
	if res.Elapsed >= cfg.Duration {
		t.Errorf("Elapsed %v, want shorter than Duration %v", res.Elapsed, cfg.Duration)
	}
	if n := res.Intervals[0].TotalCount(); n != 0 {
		t.Errorf("interval 0 (before the start) holds %d values", n)
	}
}

func TestIntervalConfig(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
		duration time.Duration
	}{
		{"negative", -time.Second, time.Second},
		{"too many", time.Millisecond, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Config{Addr: "127.0.0.1:1", Interval: tc.interval, Duration: tc.duration}.withDefaults()
			if !errors.Is(err, ErrBadConfig) {
				t.Errorf("withDefaults: %v, want ErrBadConfig", err)
			}
		})
	}
}
