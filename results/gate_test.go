package results

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// countedRun is a run of one scenario per strategy whose samples count
// perReq of each named counter per request (1000 requests a sample).
func countedRun(reps int, perReq map[string]float64, strategies ...string) *Run {
	r := &Run{Schema: SchemaVersion}
	for _, s := range strategies {
		sc := Scenario{Strategy: s, Workload: "keepalive", Mode: "closed", Conns: 16}
		for rep := range reps {
			counts := map[string]int64{}
			for k, v := range perReq {
				counts[k] = int64(math.Round(v * 1000))
			}
			sc.Samples = append(sc.Samples, Sample{Rep: rep, Duration: 1, Requests: 1000, Throughput: 1000, Counts: counts})
		}
		r.Scenarios = append(r.Scenarios, sc)
	}
	return r
}

func TestCountedMetricValues(t *testing.T) {
	s := Sample{Requests: 2000, Counts: map[string]int64{CountSyscalls: 6000, CountGCCycles: 3, CountAllocs: 0}}
	tests := []struct {
		metric string
		want   float64
		ok     bool
	}{
		{"syscalls_per_req", 3, true},
		{"gc_per_mreq", 1500, true},
		{"allocs_per_req", 0, true}, // zero counted is measured
		{"instructions_per_req", 0, false},
	}
	for _, tt := range tests {
		m, ok := MetricByName(tt.metric)
		if !ok || !m.Counted {
			t.Fatalf("MetricByName(%q) = %+v, %v: want a counted metric", tt.metric, m, ok)
		}
		got, ok := m.Value(&s)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s = %v, %v; want %v, %v", tt.metric, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := (Metric{value: perRequest(CountSyscalls, 1)}).value(&Sample{Counts: s.Counts}); ok {
		t.Error("a sample without requests has a value per request")
	}
	for _, m := range DefaultMetrics() {
		if m.Counted {
			t.Errorf("default (timed) metrics include counted %s", m.Name)
		}
	}
}

func TestGate(t *testing.T) {
	base := map[string]float64{CountSyscalls: 3.3, CountIOSyscalls: 3, CountAllocs: 0.01, CountAllocBytes: 0.5}
	with := func(k string, v float64) map[string]float64 {
		m := map[string]float64{}
		for k, v := range base {
			m[k] = v
		}
		m[k] = v
		return m
	}
	tests := []struct {
		name    string
		new     map[string]float64
		reps    int
		want    map[string]Verdict // by metric name; the others Unchanged
		failed  bool
		metrics int
	}{
		{"same", base, 1, nil, false, 4},
		{"one more syscall", with(CountSyscalls, 4.3), 1, map[string]Verdict{"syscalls_per_req": Regressed}, true, 4},
		{"one more write", with(CountIOSyscalls, 4), 3, map[string]Verdict{"io_syscalls_per_req": Regressed}, true, 4},
		{"one more allocation", with(CountAllocs, 1.01), 1, map[string]Verdict{"allocs_per_req": Regressed}, true, 4},
		{"bytes tripled but below the floor", with(CountAllocBytes, 1.5), 1, nil, false, 4},
		{"one fewer syscall", with(CountSyscalls, 2.3), 1, map[string]Verdict{"syscalls_per_req": Improved}, false, 4},
		{"within the noise", with(CountSyscalls, 3.5), 1, nil, false, 4},
		{"instructions on one side only", with(CountInstructions, 5000), 1, nil, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := Gate(countedRun(tt.reps, base, "goroutine"), countedRun(tt.reps, tt.new, "goroutine"), GateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Verdict{}
			for _, c := range g.Checks {
				if c.Verdict != Unchanged {
					got[c.Metric.Name] = c.Verdict
				}
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
			if g.Failed() != tt.failed || len(g.Checks) != tt.metrics {
				t.Errorf("failed %v with %d checks, want %v with %d", g.Failed(), len(g.Checks), tt.failed, tt.metrics)
			}
			var b strings.Builder
			if err := g.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			want := "gate PASS"
			if tt.failed {
				want = "gate FAIL"
			}
			if !strings.Contains(b.String(), want) {
				t.Errorf("table lacks %q:\n%s", want, b.String())
			}
		})
	}
}

func TestGateLimitsAndMismatch(t *testing.T) {
	old := countedRun(1, map[string]float64{CountAllocs: 0}, "goroutine")
	new := countedRun(1, map[string]float64{CountAllocs: 1}, "goroutine")
	g, err := Gate(old, new, GateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Checks) != 1 || g.Checks[0].Verdict != Regressed || !math.IsInf(g.Checks[0].Change, 1) {
		t.Errorf("0 -> 1 allocation per request: %+v, want a regression of +Inf", g.Checks)
	}
	g, err = Gate(old, new, GateOptions{Limits: map[string]Limit{"allocs_per_req": {Rel: 0, Abs: 2}}})
	if err != nil || g.Failed() {
		t.Errorf("with an absolute limit of 2: failed %v, err %v; want a pass", g.Failed(), err)
	}
	g, err = Gate(countedRun(1, map[string]float64{CountVolCtx: 0.5}, "goroutine"), countedRun(1, map[string]float64{CountVolCtx: 1.5}, "goroutine"), GateOptions{})
	if err != nil || g.Failed() || len(g.Checks) != 1 || g.Checks[0].Limit.String() != "not gated" {
		t.Errorf("context switches tripled: failed %v, checks %+v, err %v; want shown, not gated", g.Failed(), g.Checks, err)
	}
	_, err = Gate(old, countedRun(1, nil, "pool"), GateOptions{})
	if !errors.Is(err, ErrNothingToCompare) {
		t.Errorf("no common scenario: err %v, want ErrNothingToCompare", err)
	}
	g, err = Gate(old, countedRun(1, nil, "goroutine"), GateOptions{})
	if err != nil || len(g.Checks) != 0 || len(g.Warnings) == 0 || !strings.Contains(g.Warnings[0], "no counted metric") {
		t.Errorf("nothing counted on the new side: checks %v, warnings %q, err %v", g.Checks, g.Warnings, err)
	}
}

func TestValidateCounts(t *testing.T) {
	r := countedRun(1, map[string]float64{CountSyscalls: 3}, "goroutine")
	if err := validate(r); err != nil {
		t.Fatalf("valid counts refused: %v", err)
	}
	r.Scenarios[0].Samples[0].Counts[CountAllocs] = -1
	err := validate(r)
	if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "Counts[allocs]") {
		t.Errorf("negative count: err %v, want ErrInvalidValue naming Counts[allocs]", err)
	}
}
