package main

import (
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
)

// TestAnnouncePlan checks the first lines of a run: its size, the
// benchstat note only below six repetitions, and spread advice that never
// tells a pinned run to pin.
func TestAnnouncePlan(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       bench.Config
		benchstat bool // the "benchstat needs" note is printed
	}{
		{"default", bench.Config{Reps: defaultBenchReps, Duration: defaultBenchDuration}, false},
		{"five reps", bench.Config{Reps: 5, Duration: time.Second}, true},
		{"pinned", bench.Config{Reps: 6, Duration: time.Second, Pin: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			announcePlan(&b, tc.cfg)
			out := b.String()
			if got := strings.Contains(out, "benchstat needs"); got != tc.benchstat {
				t.Errorf("benchstat note printed = %v, want %v:\n%s", got, tc.benchstat, out)
			}
			if got := spreadAdvice(tc.cfg); tc.cfg.Pin == strings.Contains(got, "--pin") {
				t.Errorf("spreadAdvice(Pin=%v) = %q", tc.cfg.Pin, got)
			}
			if tc.cfg.Pin && strings.Contains(out, "--pin") {
				t.Errorf("a pinned run is advised to pin:\n%s", out)
			}
		})
	}
}

// TestDefaultsSatisfyBenchstat keeps the default repetitions at or above
// what benchstat needs for a confidence interval.
func TestDefaultsSatisfyBenchstat(t *testing.T) {
	if defaultBenchReps < benchstatMinReps {
		t.Errorf("default %d repetitions; benchstat needs %d", defaultBenchReps, benchstatMinReps)
	}
}
