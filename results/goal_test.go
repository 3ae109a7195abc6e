package results

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseGoal(t *testing.T) {
	tests := []struct {
		in   string
		want []Bound
		str  string
	}{
		{"p99<=20ms", []Bound{{Name: "p99", Limit: 0.02}}, "p99<=20ms"},
		{"P50<=1.5ms, errors<=0.1%", []Bound{{Name: "p50", Limit: 0.0015}, {Name: "errors", Limit: 0.001}}, "p50<=1.5ms,errors<=0.1%"},
		{"p999<1s,max<=2s,errors<=0.01", []Bound{{Name: "p999", Limit: 1, Strict: true}, {Name: "max", Limit: 2}, {Name: "errors", Limit: 0.01}}, "p999<1s,max<=2s,errors<=1%"},
		{"p90<=250us", []Bound{{Name: "p90", Limit: 0.00025}}, "p90<=250µs"},
		{"loss<=0.5%", []Bound{{Name: "loss", Limit: 0.005}}, "loss<=0.5%"},
		{"p99<=5ms,LOSS<0.01", []Bound{{Name: "p99", Limit: 0.005}, {Name: "loss", Limit: 0.01, Strict: true}}, "p99<=5ms,loss<1%"},
		{"loss<=0%,errors<=0%", []Bound{{Name: "loss", Limit: 0}, {Name: "errors", Limit: 0}}, "loss<=0%,errors<=0%"},
		// Limits that 3 significant digits would round or write with an
		// exponent (which time.ParseDuration refuses): a run's goal must
		// read back exactly as it was run.
		{"max<=20m", []Bound{{Name: "max", Limit: 1200}}, "max<=20m0s"},
		{"max<=1000s", []Bound{{Name: "max", Limit: 1000}}, "max<=16m40s"},
		{"p99<=999.7ms", []Bound{{Name: "p99", Limit: 0.9997}}, "p99<=999.7ms"},
		{"p99<=1.2345ms", []Bound{{Name: "p99", Limit: 0.0012345}}, "p99<=1.2345ms"},
		{"errors<=0.7%", []Bound{{Name: "errors", Limit: 0.007}}, "errors<=0.7%"},
		{"loss<=0.0001%", []Bound{{Name: "loss", Limit: 0.000001}}, "loss<=0.0001%"},
	}
	for _, tt := range tests {
		g, err := ParseGoal(tt.in)
		if err != nil {
			t.Errorf("ParseGoal(%q): %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, g.Bounds, cmpopts.EquateApprox(1e-12, 0)); d != "" { // 0.7% parses to 0.7/100
			t.Errorf("ParseGoal(%q) (-want +got):\n%s", tt.in, d)
		}
		if got := g.String(); got != tt.str {
			t.Errorf("ParseGoal(%q).String() = %q, want %q", tt.in, got, tt.str)
		}
		again, err := ParseGoal(g.String())
		if err != nil {
			t.Errorf("ParseGoal(%q) of its own String: %v", g.String(), err)
		} else if d := cmp.Diff(g, again); d != "" {
			t.Errorf("ParseGoal(%q) does not round-trip (-first +again):\n%s", g.String(), d)
		}
	}
}

func TestParseGoalErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "empty"},
		{"p99=20ms", "want NAME<=LIMIT"},
		{"p98<=20ms", "unknown bound"},
		{"p99<=20ms,p99<=30ms", "bounded twice"},
		{"p99<=0s", "positive duration"},
		{"p99<=fast", "positive duration"},
		{"errors<=120%", "share of the requests"},
		{"errors<=-1", "share of the requests"},
		{"loss<=101%", "share of the requests"},
		{"loss<=5ms", "share of the requests"},
		{"loss<=0.1%,loss<=1%", "bounded twice"},
	} {
		_, err := ParseGoal(tt.in)
		if !errors.Is(err, ErrBadGoal) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseGoal(%q) = %v, want ErrBadGoal saying %q", tt.in, err, tt.want)
		}
	}
}

func TestGoalCheck(t *testing.T) {
	g, err := ParseGoal("p99<=20ms,errors<=1%")
	if err != nil {
		t.Fatal(err)
	}
	strict, _ := ParseGoal("p99<20ms")
	tests := []struct {
		name       string
		g          Goal
		p99        float64 // µs
		reqs, errs int64
		met        bool
		missed     []string
	}{
		{"met", g, 15000, 1000, 0, true, nil},
		{"at the limit", g, 20000, 1000, 10, true, nil},
		{"strict at the limit", strict, 20000, 1000, 0, false, []string{"p99 20ms >= 20ms"}},
		{"slow", g, 31200, 1000, 0, false, []string{"p99 31.2ms > 20ms"}},
		{"errors", g, 1000, 900, 100, false, []string{"errors 10% > 1%"}},
		{"nothing answered", g, 0, 0, 5, false, []string{"p99 0s > 20ms", "errors 100% > 1%"}},
	}
	for _, tt := range tests {
		met, missed := tt.g.Check(Latency{P99: tt.p99}, tt.reqs, tt.errs)
		if met != tt.met || !cmp.Equal(missed, tt.missed) {
			t.Errorf("%s: Check = %v %q, want %v %q", tt.name, met, missed, tt.met, tt.missed)
		}
	}
}

func TestGoalCheckScenario(t *testing.T) {
	g, _ := ParseGoal("p99<=20ms")
	sc := &Scenario{Samples: []Sample{
		{Requests: 10, Latency: Latency{P99: 10000}},
		{Requests: 10, Latency: Latency{P99: 30000}},
		{Requests: 10, Latency: Latency{P99: 18000}},
	}}
	if met, missed := g.CheckScenario(sc); !met {
		t.Errorf("median p99 18ms: missed %q", missed)
	}
	sc.Samples[2].Latency.P99 = 25000
	if met, _ := g.CheckScenario(sc); met {
		t.Error("median p99 25ms met p99<=20ms")
	}
	if met, _ := g.CheckScenario(&Scenario{}); met {
		t.Error("a scenario without samples met the goal")
	}
}

func TestValidateSLO(t *testing.T) {
	r := &Run{Scenarios: []Scenario{{Strategy: "goroutine", Workload: "keepalive", Mode: "closed", Conns: 1,
		SLO: &SLOSearch{Goal: "p99<=1ms", Rate: 100, Steps: []SLOStep{{Rate: 100, Met: true}, {Rate: -5}}}}}}
	err := validate(r)
	if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "slo.steps[1].Rate = -5") {
		t.Errorf("validate: %v; want the negative step rate named", err)
	}
	r.Scenarios[0].SLO.Steps[1].Rate = 200
	if err := validate(r); err != nil {
		t.Errorf("validate a good search: %v", err)
	}
}

func TestGoalCheckLoss(t *testing.T) {
	g, err := ParseGoal("p99<=20ms,loss<=0.5%")
	if err != nil {
		t.Fatal(err)
	}
	strict, _ := ParseGoal("loss<0.5%")
	share := func(v float64) *float64 { return &v }
	tests := []struct {
		name   string
		g      Goal
		loss   *float64
		met    bool
		missed []string
	}{
		{"no loss", g, share(0), true, nil},
		{"below the limit", g, share(0.004), true, nil},
		{"at the limit", g, share(0.005), true, nil},
		{"strict at the limit", strict, share(0.005), false, []string{"loss 0.5% >= 0.5%"}},
		{"above the limit", g, share(0.02), false, []string{"loss 2% > 0.5%"}},
		{"every request lost", g, share(1), false, []string{"loss 100% > 0.5%"}},
		{"not measured (a stream)", g, nil, false, []string{"loss not measured (only datagram workloads lose requests)"}},
	}
	for _, tt := range tests {
		met, missed := tt.g.CheckFigures(Figures{Latency: Latency{P99: 1000}, Requests: 1000, Loss: tt.loss})
		if met != tt.met || !cmp.Equal(missed, tt.missed) {
			t.Errorf("%s: CheckFigures = %v %q, want %v %q", tt.name, met, missed, tt.met, tt.missed)
		}
	}
}

func TestGoalCheckSamplesLoss(t *testing.T) {
	g, _ := ParseGoal("loss<=0.5%")
	lossy := func(ratios ...float64) []Sample {
		var out []Sample
		for _, r := range ratios {
			out = append(out, Sample{Requests: 100, LossRatio: &r})
		}
		return out
	}
	tests := []struct {
		name    string
		samples []Sample
		met     bool
	}{
		{"median of three below", lossy(0.001, 0.3, 0.004), true},
		{"median of three above", lossy(0.001, 0.3, 0.01), false},
		{"median of two is their mean", lossy(0.002, 0.009), false},
		{"one sample without loss", append(lossy(0, 0), Sample{Requests: 100}), false},
		{"none", nil, false},
	}
	for _, tt := range tests {
		if met, missed := g.CheckSamples(tt.samples); met != tt.met {
			t.Errorf("%s: met %v (missed %q), want %v", tt.name, met, missed, tt.met)
		}
	}
}

func TestGoalHasLoss(t *testing.T) {
	for in, want := range map[string]bool{"p99<=1ms": false, "p99<=1ms,loss<=1%": true, "errors<=1%": false} {
		g, err := ParseGoal(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.HasLoss(); got != want {
			t.Errorf("ParseGoal(%q).HasLoss() = %v, want %v", in, got, want)
		}
	}
}

func TestValidateSLOSamples(t *testing.T) {
	bad := 1.5
	r := &Run{Scenarios: []Scenario{{Strategy: "goroutine", Workload: "udp-open", Mode: "open", Conns: 1,
		SLO: &SLOSearch{Goal: "loss<=1%", Reps: 3, Steps: []SLOStep{{Rate: 100, Samples: []SLOSample{{Requests: 10}, {Requests: -1}}}}}}}}
	err := validate(r)
	if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "slo.steps[0].samples[1].Requests = -1") {
		t.Errorf("validate: %v; want the negative sample's requests named", err)
	}
	r.Scenarios[0].SLO.Steps[0].Samples[1] = SLOSample{LossRatio: &bad}
	if err := validate(r); !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "samples[1].LossRatio = 1.5") {
		t.Errorf("validate: %v; want the loss ratio above 1 named", err)
	}
	r.Scenarios[0].SLO.Steps[0].Samples[1] = SLOSample{Requests: 10}
	if err := validate(r); err != nil {
		t.Errorf("validate a good search: %v", err)
	}
}
