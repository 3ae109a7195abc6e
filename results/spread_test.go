package results

import (
	"strings"
	"testing"
)

// TestSpreadSummaryAdvice checks that the spread warning advises --pin only
// to a run that was not pinned.
func TestSpreadSummaryAdvice(t *testing.T) {
	tests := []struct {
		name    string
		pinning string
		wantPin bool
	}{
		{"unpinned", "", true},
		{"pinned", "server=1,client=0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Run{Config: Config{Pinning: tt.pinning}, Scenarios: []Scenario{
				{Strategy: "sync", Workload: "keepalive", Mode: "closed", Conns: 16,
					Warnings: []Warning{{Kind: HighSpread, Metric: "throughput_rps", Spread: 0.4}}},
			}}
			got := spreadSummary(r)
			if !strings.HasPrefix(got, "1 of 1 scenarios vary") {
				t.Fatalf("spreadSummary = %q, want it to count the scenario", got)
			}
			if strings.Contains(got, "--pin") != tt.wantPin {
				t.Errorf("spreadSummary = %q; advises --pin: %v, want %v", got, !tt.wantPin, tt.wantPin)
			}
		})
	}
}
