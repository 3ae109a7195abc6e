package bench

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
)

// searchAgainst runs a search against a synthetic target that meets the
// goal below limit and breaks it from limit on, and returns its result.
func searchAgainst(t *testing.T, cfg SLOConfig, conns int, d time.Duration, limit float64) *results.SLOSearch {
	t.Helper()
	cfg, err := cfg.WithDefaults()
	if err != nil {
		t.Fatal(err)
	}
	s := newSLOSearch(cfg, conns, d)
	for range MaxSLOSteps + 1 {
		rate, ok := s.next()
		if !ok {
			return s.res
		}
		st := results.SLOStep{Rate: rate, Met: rate < limit}
		if !st.Met {
			st.Missed = "p99 too high"
		}
		s.record(st)
	}
	t.Fatalf("the search did not stop within %d steps", MaxSLOSteps+1)
	return nil
}

func TestSLOSearchConverges(t *testing.T) {
	goal, _ := results.ParseGoal("p99<=20ms")
	tests := []struct {
		name  string
		cfg   SLOConfig
		conns int
		limit float64
	}{
		{"ramp up", SLOConfig{Goal: goal}, 16, 7000},
		{"ramp down", SLOConfig{Goal: goal, Start: 50000}, 16, 300},
		{"just above the start", SLOConfig{Goal: goal}, 16, 257},
		{"fine precision", SLOConfig{Goal: goal, Precision: 0.02, Steps: 40}, 1, 12345},
		{"500 connections", SLOConfig{Goal: goal}, 500, 9000},
	}
	for _, tt := range tests {
		res := searchAgainst(t, tt.cfg, tt.conns, 500*time.Millisecond, tt.limit)
		p := tt.cfg.Precision
		if p == 0 {
			p = DefaultSLOPrecision
		}
		if !res.Converged || res.Rate >= tt.limit || res.Broke < tt.limit || res.Broke/res.Rate-1 > p {
			t.Errorf("%s: rate %v, broke %v, converged %v in %d steps; want [rate, broke) around %v within %v",
				tt.name, res.Rate, res.Broke, res.Converged, len(res.Steps), tt.limit, p)
		}
		if len(res.Steps) > DefaultSLOSteps && tt.cfg.Steps == 0 {
			t.Errorf("%s: %d steps, more than the default bound %d", tt.name, len(res.Steps), DefaultSLOSteps)
		}
		if res.Goal != "p99<=20ms" || res.BrokeBy != "p99 too high" {
			t.Errorf("%s: goal %q, broke by %q", tt.name, res.Goal, res.BrokeBy)
		}
	}
}

func TestSLOSearchBounds(t *testing.T) {
	goal, _ := results.ParseGoal("p99<=20ms")
	// Never met: down to the floor (3 requests per connection in 500ms
	// with 16 connections: 96 req/s), then stop with no rate.
	res := searchAgainst(t, SLOConfig{Goal: goal}, 16, 500*time.Millisecond, 0)
	if res.Rate != 0 || res.Converged || res.Broke != 96 {
		t.Errorf("never met: rate %v, broke %v, converged %v; want 0, 96, false", res.Rate, res.Broke, res.Converged)
	}
	// Always met: stops after Steps, nothing broke it.
	res = searchAgainst(t, SLOConfig{Goal: goal, Steps: 5}, 16, 500*time.Millisecond, 1e300)
	if len(res.Steps) != 5 || res.Broke != 0 || res.Rate != 256*16 {
		t.Errorf("always met: %d steps, broke %v, rate %v; want 5, 0, %v", len(res.Steps), res.Broke, res.Rate, 256*16)
	}
}

func TestSLOConfigWithDefaults(t *testing.T) {
	for _, c := range []SLOConfig{{Precision: -1}, {Precision: 2}, {Start: 0.5}, {Start: 2 * MaxRate}, {Steps: -1}, {Steps: MaxSLOSteps + 1}} {
		if _, err := c.WithDefaults(); !errors.Is(err, ErrBadConfig) {
			t.Errorf("%+v: %v, want ErrBadConfig", c, err)
		}
	}
	got, err := SLOConfig{}.WithDefaults()
	if err != nil || got.Precision != DefaultSLOPrecision || got.Steps != DefaultSLOSteps || got.Start != 0 {
		t.Errorf("defaults: %+v, %v", got, err)
	}
}

func TestJudge(t *testing.T) {
	goal, _ := results.ParseGoal("p99<=20ms")
	ok := results.Sample{Duration: 1, Requests: 1000, AchievedRate: 1000, Latency: results.Latency{P99: 5000}}
	tests := []struct {
		name   string
		s      results.Sample
		err    error
		met    bool
		missed string
	}{
		{"met", ok, nil, true, ""},
		{"slow", func() results.Sample { s := ok; s.Latency.P99 = 25000; return s }(), nil, false, "p99 25ms > 20ms"},
		{"behind", func() results.Sample { s := ok; s.Requests = 800; return s }(), nil, false, "answered 80% of the offered rate"},
		{"starved", func() results.Sample { s := ok; s.Starved = 3; return s }(), nil, false, "3 of 16 connections got no reply"},
		{"failed", results.Sample{}, errors.New("server did not start"), false, "failed: server did not start"},
	}
	for _, tt := range tests {
		st := judge(goal, 1000, 16, tt.s, tt.err)
		if st.Met != tt.met || st.Missed != tt.missed {
			t.Errorf("%s: met %v missed %q; want %v %q", tt.name, st.Met, st.Missed, tt.met, tt.missed)
		}
	}
	st := judge(goal, 1000, 16, ok, nil)
	want := results.SLOStep{Rate: 1000, Achieved: 1000, Latency: ok.Latency, Requests: 1000, Met: true}
	if d := cmp.Diff(want, st); d != "" {
		t.Errorf("judge (-want +got):\n%s", d)
	}
}
