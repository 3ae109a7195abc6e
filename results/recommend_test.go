package results

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recScenario is a scenario of workload sleep at conns connections whose
// repetitions have the given requests per server-CPU-second, p99 (µs) and
// starved clients.
func recScenario(t *testing.T, strategy string, conns int, rpcpu []float64, p99 float64, starved int) Scenario {
	t.Helper()
	sc := Scenario{Strategy: strategy, Workload: "sleep", Params: map[string]string{"delay": "2ms"}, Mode: "closed", Conns: conns}
	for i, v := range rpcpu {
		sc.Samples = append(sc.Samples, Sample{Rep: i, Duration: 1, Requests: 1000, Throughput: 1000, RequestsPerCPU: v,
			Latency: Latency{P50: p99 / 4, P99: p99}, Starved: starved})
	}
	return sc
}

// swept marks sc as workers=value of "pool:workers=8..128".
func swept(sc Scenario, value string, x float64) Scenario {
	sc.Sweep = &SweepPoint{Spec: "pool:workers=8..128", Option: "workers", Value: value, X: x}
	return sc
}

func recommendRun(t *testing.T, goal string) *Run {
	t.Helper()
	reps := func(v float64) []float64 { return []float64{v, v * 1.01, v * 0.99, v * 1.02, v * 0.98, v * 1.005} }
	return &Run{Config: Config{Repetitions: 6, Interleaved: true, Goal: goal}, Scenarios: []Scenario{
		recScenario(t, "sync", 16, reps(30000), 9000, 0),
		recScenario(t, "sync", 500, reps(30000), 9000, 499),
		recScenario(t, "goroutine", 16, reps(20000), 4000, 0),
		recScenario(t, "goroutine", 500, reps(40000), 19000, 0),
		swept(recScenario(t, "pool:workers=8", 500, reps(50000), 90000, 0), "8", 8),
		swept(recScenario(t, "pool:workers=32", 500, reps(48000), 31000, 0), "32", 32),
		swept(recScenario(t, "pool:workers=64", 500, reps(46000), 15000, 0), "64", 64),
		swept(recScenario(t, "pool:workers=128", 500, reps(44000), 14000, 0), "128", 128),
	}}
}

func TestRecommendWithGoal(t *testing.T) {
	r := recommendRun(t, "p99<=20ms")
	r.Scenarios[6].SLO = &SLOSearch{Goal: "p99<=20ms", Precision: 0.1, Rate: 9100, Broke: 10000, BrokeBy: "p99 25ms > 20ms", Converged: true, Latency: Latency{P99: 15100}, Steps: make([]SLOStep, 9)}
	recs := Recommend(r)
	if len(recs) != 1 {
		t.Fatalf("%d recommendations, want 1 (one workload)", len(recs))
	}
	rc := recs[0]
	if rc.Cell.Conns != 500 || rc.Win.Best != "pool:workers=64" || rc.Win.RunnerUp != "pool:workers=128" {
		t.Fatalf("judged %s: best %q, runner-up %q; want conns 500, pool:workers=64, pool:workers=128", rc.Cell, rc.Win.Best, rc.Win.RunnerUp)
	}
	if rc.Win.Tie || !rc.Paired.OK || rc.Paired.Change < 0.03 || rc.P > 0.05 {
		t.Errorf("margin: tie %v, paired %v, p %v; want a significant ~4.5%% margin", rc.Win.Tie, rc.Paired, rc.P)
	}
	wantMissed := []string{"pool:workers=8 (p99 90ms > 20ms)", "pool:workers=32 (p99 31ms > 20ms)"}
	if d := cmp.Diff(wantMissed, rc.Missed); d != "" {
		t.Errorf("missed (-want +got):\n%s", d)
	}
	text := rc.Text()
	for _, want := range []string{
		"Recommendation: for sleep[delay=2ms] at 500 connections, pool:workers=64: 46.12k requests per server-CPU-second, 5% more than pool:workers=128",
		"paired over 6 repetitions",
		"meeting p99<=20ms (p99 15ms)",
		"Under the goal pool:workers=64 sustains up to 9.100k req/s offered (p99 15.1ms there; 10.00k broke it: p99 25ms > 20ms), within 10%",
		"Not ranked: sync (starved 499 of 500 clients); pool:workers=8 (p99 90ms > 20ms)",
		"The best differs at 16 connections: sync",
		"pool:workers below 64 misses p99<=20ms at 500 connections (pool:workers=32)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("recommendation lacks %q:\n%s", want, text)
		}
	}
}

func TestRecommendWithoutGoal(t *testing.T) {
	r := recommendRun(t, "")
	rc := Recommend(r)[0]
	if rc.Win.Best != "pool:workers=8" || len(rc.Missed) != 0 {
		t.Fatalf("best %q, missed %q; want pool:workers=8 and nothing missed", rc.Win.Best, rc.Missed)
	}
	if text := rc.Text(); !strings.Contains(text, "pool:workers=8 is the smallest value swept") || strings.Contains(text, "meeting") {
		t.Errorf("recommendation:\n%s", text)
	}
}

func TestRecommendNone(t *testing.T) {
	r := &Run{Config: Config{Goal: "p99<=1ms"}, Scenarios: []Scenario{
		recScenario(t, "sync", 500, []float64{1, 1, 1}, 9000, 499),
		swept(recScenario(t, "pool:workers=8", 500, []float64{1, 1, 1}, 90000, 0), "8", 8),
		swept(recScenario(t, "pool:workers=16", 500, []float64{1, 1, 1}, 90000, 0), "16", 16),
	}}
	text := Recommend(r)[0].Text()
	for _, want := range []string{
		"Recommendation: for sleep[delay=2ms] at 500 connections, none: no target served every client and met p99<=1ms.",
		"no pool:workers from 8 to 16 serves sleep[delay=2ms] at 500 connections: each misses p99<=1ms",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("recommendation lacks %q:\n%s", want, text)
		}
	}
	var buf bytes.Buffer
	if err := WriteRecommendations(&buf, r); err != nil || !strings.HasPrefix(buf.String(), "Recommendation: ") {
		t.Errorf("WriteRecommendations: %v\n%s", err, buf.String())
	}
}
