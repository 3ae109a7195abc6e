package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
)

// repSample returns a sample at rate for one second with the given p99
// (milliseconds), answering every request offered.
func repSample(rate, p99ms float64) results.Sample {
	return results.Sample{Duration: 1, Requests: int64(rate), AchievedRate: rate, Latency: results.Latency{P99: p99ms * 1000}}
}

func TestJudgeSamples(t *testing.T) {
	goal, _ := results.ParseGoal("p99<=20ms")
	good, bad := repSample(1000, 5), repSample(1000, 30)
	down := errors.New("server did not start")
	tests := []struct {
		name   string
		ms     []measured
		met    bool
		missed string
		p99    float64 // the step's (median) p99, µs
	}{
		{"three good", []measured{{good, nil}, {good, nil}, {good, nil}}, true, "", 5000},
		{"one bad of three", []measured{{good, nil}, {bad, nil}, {good, nil}}, true, "", 5000},
		{"two bad of three", []measured{{bad, nil}, {good, nil}, {bad, nil}}, false, "p99 30ms > 20ms", 30000},
		{"one bad of two: the median is their mean", []measured{{good, nil}, {bad, nil}}, true, "", 17500},
		{"one failed of three", []measured{{good, nil}, {good, nil}, {results.Sample{}, down}}, true, "", 5000},
		{"one failed, one bad", []measured{{good, nil}, {bad, nil}, {results.Sample{}, down}}, false, "p99 30ms > 20ms", 30000},
		{"two failed of three", []measured{{good, nil}, {results.Sample{}, down}, {results.Sample{}, down}}, false,
			"failed: 2 of 3 samples: server did not start", 0},
		{"one starved of three", []measured{{good, nil}, {func() results.Sample { s := good; s.Starved = 4; return s }(), nil}, {good, nil}}, true, "", 5000},
		{"two behind of three", []measured{{good, nil}, {func() results.Sample { s := good; s.Requests = 500; return s }(), nil},
			{func() results.Sample { s := good; s.Requests = 600; return s }(), nil}}, false, "answered 60% of the offered rate", 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := judgeSamples(goal, 1000, 16, tt.ms)
			if st.Met != tt.met || st.Missed != tt.missed || st.Latency.P99 != tt.p99 {
				t.Errorf("met %v, missed %q, p99 %v; want %v, %q, %v", st.Met, st.Missed, st.Latency.P99, tt.met, tt.missed, tt.p99)
			}
			if len(st.Samples) != len(tt.ms) {
				t.Fatalf("%d samples recorded, want %d", len(st.Samples), len(tt.ms))
			}
			for i, m := range tt.ms {
				alone := judge(goal, 1000, 16, m.s, m.err)
				if sm := st.Samples[i]; sm.Met != alone.Met || sm.Missed != alone.Missed || sm.Latency != m.s.Latency {
					t.Errorf("sample %d: %+v; want its own verdict %v %q", i, sm, alone.Met, alone.Missed)
				}
			}
		})
	}
}

func TestJudgeSamplesLoss(t *testing.T) {
	goal, _ := results.ParseGoal("p99<=20ms,loss<=0.5%")
	lossy := func(r float64) results.Sample { s := repSample(1000, 5); s.LossRatio = &r; return s }
	st := judgeSamples(goal, 1000, 16, []measured{{lossy(0.001), nil}, {lossy(0.2), nil}, {lossy(0.004), nil}})
	if !st.Met || st.LossRatio == nil || *st.LossRatio != 0.004 {
		t.Errorf("median loss 0.4%%: met %v, missed %q, loss %v; want met at 0.004", st.Met, st.Missed, st.LossRatio)
	}
	st = judgeSamples(goal, 1000, 16, []measured{{lossy(0.001), nil}, {lossy(0.2), nil}, {lossy(0.03), nil}})
	if st.Met || st.Missed != "loss 3% > 0.5%" {
		t.Errorf("median loss 3%%: met %v, missed %q; want loss 3%% > 0.5%%", st.Met, st.Missed)
	}
	st = judgeSamples(goal, 1000, 16, []measured{{lossy(0.001), nil}, {lossy(0.001), nil}, {results.Sample{}, errors.New("down")}})
	if !st.Met {
		t.Errorf("one failed sample of three: missed %q", st.Missed)
	}
}

// fakeTarget answers a search at rate with the p99 (ms) of its sample
// number i (0-based) of a step.
type fakeTarget func(rate float64, i int) float64

// searchFakes runs one cell's search over targets answered by fakes, and
// returns the searches and the order in which samples were taken, as
// "NAME@STEP.SAMPLE".
func searchFakes(t *testing.T, cfg SLOConfig, fakes map[string]fakeTarget, names []string) ([]*results.SLOSearch, []string) {
	t.Helper()
	cfg, err := cfg.WithDefaults()
	if err != nil {
		t.Fatal(err)
	}
	w, err := ParseWorkload("keepalive", 0)
	if err != nil {
		t.Fatal(err)
	}
	c := cell{w: w, conns: 4}
	bc := Config{SLO: cfg, Duration: time.Second}
	searches := make([]*sloSearch, len(names))
	for i, n := range names {
		bc.Targets = append(bc.Targets, Target{Name: n})
		searches[i] = newSLOSearch(cfg, c.conns, bc.Duration)
	}
	var order []string
	var progress []Progress
	bc.Progress = func(p Progress) { progress = append(progress, p) }
	count := map[string]int{}
	m := func(_ context.Context, tg Target, c cell) (results.Sample, error) {
		n := count[tg.Name]
		count[tg.Name]++
		i := n % cfg.Reps
		order = append(order, fmt.Sprintf("%s@%d.%d", tg.Name, n/cfg.Reps+1, i+1))
		return repSample(c.w.rate, fakes[tg.Name](c.w.rate, i)), nil
	}
	var done, total int
	if err := searchCell(context.Background(), bc, c, searches, m, &done, &total); err != nil {
		t.Fatal(err)
	}
	if done != len(order) || len(progress) != len(order) {
		t.Errorf("done %d, %d progress reports, for %d samples", done, len(progress), len(order))
	}
	for _, p := range progress {
		if p.SLOReps != cfg.Reps || p.SLOSample < 1 || p.SLOSample > cfg.Reps {
			t.Errorf("progress %+v: want sample 1..%d of %d", p, cfg.Reps, cfg.Reps)
			break
		}
	}
	var out []*results.SLOSearch
	for _, s := range searches {
		out = append(out, s.res)
	}
	return out, order
}

func TestSLOSearchRepsFollowsTheMedian(t *testing.T) {
	goal, _ := results.ParseGoal("p99<=20ms")
	const limit = 1000.0
	// Below limit, "one-bad" misses the goal in the second sample of
	// every step, "two-bad" in the first two; from limit on both miss it
	// in every sample. With 3 samples per rate the first finds the
	// limit, the second none.
	firstBad := func(bad int) fakeTarget {
		return func(rate float64, i int) float64 {
			if rate >= limit || i < bad {
				return 50
			}
			return 5
		}
	}
	oneBad := func(rate float64, i int) float64 {
		if rate >= limit || i == 1 {
			return 50
		}
		return 5
	}
	cfg := SLOConfig{Goal: goal, Reps: 3}
	res, order := searchFakes(t, cfg, map[string]fakeTarget{"one-bad": oneBad, "two-bad": firstBad(2)}, []string{"one-bad", "two-bad"})
	a, b := res[0], res[1]
	if !a.Converged || a.Rate >= limit || a.Broke < limit || a.Reps != 3 {
		t.Errorf("one bad sample of three: rate %v, broke %v, converged %v, reps %d; want the limit %v found with reps 3",
			a.Rate, a.Broke, a.Converged, a.Reps, limit)
	}
	if b.Rate != 0 || b.BrokeBy != "p99 50ms > 20ms" {
		t.Errorf("two bad samples of three: rate %v, broke by %q; want no rate met", b.Rate, b.BrokeBy)
	}
	for _, st := range append(a.Steps, b.Steps...) {
		if len(st.Samples) != 3 {
			t.Fatalf("step at %v: %d samples recorded, want 3", st.Rate, len(st.Samples))
		}
	}
	// Interleaved: each round A B A B A B, A's round going on after B's
	// search ended.
	want := []string{"one-bad@1.1", "two-bad@1.1", "one-bad@1.2", "two-bad@1.2", "one-bad@1.3", "two-bad@1.3"}
	if d := cmp.Diff(want, order[:6]); d != "" {
		t.Errorf("first round's order (-want +got):\n%s", d)
	}
	if n := len(a.Steps) + len(b.Steps); len(order) != 3*n {
		t.Errorf("%d samples for %d steps, want 3 each", len(order), n)
	}

	// One sample per rate: the same bad second sample is never seen, and
	// the first bad sample decides (two-bad never meets the goal).
	res, order = searchFakes(t, SLOConfig{Goal: goal}, map[string]fakeTarget{"two-bad": firstBad(2)}, []string{"two-bad"})
	if res[0].Rate != 0 || res[0].Reps != 0 || len(order) != len(res[0].Steps) || res[0].Steps[0].Samples != nil {
		t.Errorf("reps 1: rate %v, reps %d, %d samples for %d steps; want no rate, no reps recorded, one sample a step",
			res[0].Rate, res[0].Reps, len(order), len(res[0].Steps))
	}
}

func TestSLOConfigReps(t *testing.T) {
	for _, n := range []int{-1, MaxSLOReps + 1} {
		if _, err := (SLOConfig{Reps: n}).WithDefaults(); !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), "slo reps") {
			t.Errorf("reps %d: %v, want ErrBadConfig naming slo reps", n, err)
		}
	}
	if c, err := (SLOConfig{}).WithDefaults(); err != nil || c.Reps != 1 {
		t.Errorf("default reps: %d, %v; want 1", c.Reps, err)
	}
	if c, err := (SLOConfig{Reps: MaxSLOReps}).WithDefaults(); err != nil || c.Reps != MaxSLOReps {
		t.Errorf("reps %d: %d, %v", MaxSLOReps, c.Reps, err)
	}
}

func TestSLOConfigForWorkloads(t *testing.T) {
	loss, _ := results.ParseGoal("p99<=5ms,loss<=0.5%")
	p99, _ := results.ParseGoal("p99<=5ms")
	wl := func(s string) Workload {
		t.Helper()
		w, err := ParseWorkload(s, 1000)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	tests := []struct {
		name string
		goal results.Goal
		ws   []Workload
		want string // "" for no error
	}{
		{"loss on datagrams", loss, []Workload{wl("udp"), wl("udp-open")}, ""},
		{"loss on a stream", loss, []Workload{wl("udp"), wl("keepalive")}, "keepalive is a stream workload"},
		{"no loss bound on a stream", p99, []Workload{wl("keepalive")}, ""},
	}
	for _, tt := range tests {
		err := SLOConfig{Goal: tt.goal}.ForWorkloads(tt.ws)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (!errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: %v; want ErrBadConfig saying %q", tt.name, err, tt.want)
		}
	}
}

func TestProgressSLOStepText(t *testing.T) {
	for _, tt := range []struct {
		p    Progress
		want string
	}{
		{Progress{Rep: 3, SLORate: 1200}, "slo step 3 at 1200 req/s"},
		{Progress{Rep: 3, SLORate: 1200, SLOSample: 1, SLOReps: 1}, "slo step 3 at 1200 req/s"},
		{Progress{Rep: 3, SLORate: 1200, SLOSample: 2, SLOReps: 3}, "slo step 3 at 1200 req/s, sample 2/3"},
	} {
		if got := tt.p.SLOStepText(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.p, got, tt.want)
		}
	}
}
