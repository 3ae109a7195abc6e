package results

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSLOTextReps(t *testing.T) {
	base := SLOSearch{Goal: "p99<=20ms", Precision: 0.1, Rate: 9100, Broke: 10000, BrokeBy: "p99 25ms > 20ms", Converged: true, Latency: Latency{P99: 15100}}
	never := SLOSearch{Goal: "p99<=20ms", Precision: 0.1, Broke: 48, BrokeBy: "p99 85ms > 20ms", Steps: make([]SLOStep, 3)}
	tests := []struct {
		name string
		s    SLOSearch
		reps int
		want string
	}{
		{"one sample a step", base, 0, "up to 9.100k req/s offered (p99 15.1ms there; 10.00k broke it: p99 25ms > 20ms), within 10%"},
		{"three samples a step", base, 3, "up to 9.100k req/s offered (p99 15.1ms there; 10.00k broke it: p99 25ms > 20ms), within 10%, each rate measured 3 times and judged on the median"},
		{"no rate met, five samples a step", never, 5, "no rate tried (the lowest, 48.00 req/s, broke it: p99 85ms > 20ms), each rate measured 5 times and judged on the median"},
	}
	for _, tt := range tests {
		s := tt.s
		s.Reps = tt.reps
		if got := sloText(&s); got != tt.want {
			t.Errorf("%s: sloText = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSLOSearchOldJSON(t *testing.T) {
	// A search written before --slo-reps: no reps, no samples per step.
	const old = `{"goal":"p99<=20ms","precision":0.1,"rate_rps":100,"latency":{"p50_us":1,"p90_us":1,"p99_us":1,"p999_us":1,"max_us":1,"mean_us":1},"converged":false,"steps":[{"rate_rps":100,"achieved_rps":100,"latency":{"p50_us":1,"p90_us":1,"p99_us":1,"p999_us":1,"max_us":1,"mean_us":1},"requests":100,"errors":0,"met":true}]}`
	var s SLOSearch
	if err := json.Unmarshal([]byte(old), &s); err != nil {
		t.Fatal(err)
	}
	if s.SamplesPerStep() != 1 || s.Steps[0].Samples != nil || s.Steps[0].LossRatio != nil {
		t.Errorf("old search read as %d samples a step, step %+v", s.SamplesPerStep(), s.Steps[0])
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"reps"`, `"samples"`, `"loss_ratio"`} {
		if strings.Contains(string(b), field) {
			t.Errorf("rewritten old search has %s: %s", field, b)
		}
	}
}

func TestRecommendLossBound(t *testing.T) {
	udp := func(strategy string, loss float64) Scenario {
		sc := Scenario{Strategy: strategy, Workload: "udp-open", Mode: "open", Conns: 4}
		for i, v := range []float64{1000, 1010, 990} {
			l := loss
			sc.Samples = append(sc.Samples, Sample{Rep: i, Duration: 1, Requests: 1000, Throughput: 1000, RequestsPerCPU: v,
				Latency: Latency{P50: 500, P99: 2000}, LossRatio: &l})
		}
		return sc
	}
	r := &Run{Config: Config{Repetitions: 3, Interleaved: true, Goal: "p99<=20ms,loss<=0.5%"},
		Scenarios: []Scenario{udp("goroutine", 0.0045), udp("sync", 0.02)}}
	recs := Recommend(r)
	if len(recs) != 1 {
		t.Fatalf("%d recommendations, want 1", len(recs))
	}
	text := recs[0].Text()
	for _, want := range []string{
		"goroutine: 1.000k requests per server-CPU-second, the only target ranked, meeting p99<=20ms,loss<=0.5% (p99 2ms, loss 0.45%)",
		"Not ranked: sync (loss 2% > 0.5%)",
		"goroutine meets loss<=0.5% with little room (loss 0.45%)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("recommendation lacks %q:\n%s", want, text)
		}
	}
}

// TestSLOTextShowsWhatTheGoalBounds checks that the search's answer quotes
// the figures its goal bounds at the rate found, not always the p99.
func TestSLOTextShowsWhatTheGoalBounds(t *testing.T) {
	loss := 0.002
	lat := Latency{P50: 2100, P99: 15100}
	tests := []struct {
		goal string
		want string
	}{
		{"p99<=20ms", "up to 9.100k req/s offered (p99 15.1ms there"},
		{"p50<=5ms", "up to 9.100k req/s offered (p50 2.1ms there"},
		{"p50<=5ms,loss<=0.5%", "up to 9.100k req/s offered (p50 2.1ms, loss 0.2% there"},
		{"errors<=0.1%", "up to 9.100k req/s offered (p99 15.1ms there"},
	}
	for _, tt := range tests {
		s := SLOSearch{Goal: tt.goal, Precision: 0.1, Rate: 9100, Latency: lat,
			Steps: []SLOStep{{Rate: 9100, Met: true, Latency: lat, LossRatio: &loss}}}
		if got := sloText(&s); !strings.HasPrefix(got, tt.want) {
			t.Errorf("goal %s: sloText = %q, want it to start %q", tt.goal, got, tt.want)
		}
	}
}
