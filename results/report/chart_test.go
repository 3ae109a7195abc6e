package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// threeReps is a run of one strategy at 1 and 16 connections whose three
// repetitions did 90, 100 and 130 (at 1) and 180, 200 and 210 (at 16)
// requests per second; at 16 it starved clients.
func threeReps() *results.Run {
	r := &results.Run{Schema: results.SchemaVersion, Config: results.Config{Repetitions: 3}}
	for _, cell := range []struct {
		conns int
		rps   []float64
	}{{1, []float64{100, 90, 130}}, {16, []float64{200, 180, 210}}} {
		sc := results.Scenario{Strategy: "pool:workers=4", Workload: "keepalive", Mode: "closed", Conns: cell.conns}
		for i, v := range cell.rps {
			sc.Samples = append(sc.Samples, results.Sample{Rep: i, Duration: 1, Requests: int64(v), Throughput: v,
				Latency: results.Latency{P50: 10 * float64(i+1), P90: 20, P99: 40, P999: 80}})
		}
		if cell.conns == 16 {
			sc.Warnings = []results.Warning{{Kind: results.Starved, Clients: 12, OfClients: 16}}
		}
		r.Scenarios = append(r.Scenarios, sc)
	}
	return r
}

func TestConnsSeriesCarryTheRepetitionsRange(t *testing.T) {
	r := threeReps()
	m, _ := results.MetricByName("throughput_rps")
	g := group{"keepalive", "", "closed"}
	got, ymax := connsSeries(g, m, 1, []int{1, 16}, r.Strategies(), r.ByKey())
	want := []series{{
		name:    "pool:workers=4 (starves clients at 16)",
		xys:     plotter.XYs{{X: 1, Y: 100}, {X: 16, Y: 200}},
		errs:    plotter.YErrors{{Low: 10, High: 30}, {Low: 20, High: 10}},
		starved: plotter.XYs{{X: 16, Y: 200}},
	}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(series{})); diff != "" {
		t.Errorf("connsSeries (-want +got):\n%s", diff)
	}
	if ymax != 210 {
		t.Errorf("largest value = %v, want the largest repetition, 210", ymax)
	}
}

func TestChartsDrawSpreadAndStarvedPoints(t *testing.T) {
	charts, err := Charts(threeReps())
	if err != nil {
		t.Fatal(err)
	}
	var conns, latency *Chart
	for _, c := range charts {
		switch {
		case strings.HasPrefix(c.Name, "throughput-rps-"):
			conns = c
		case c.Name == "latency-keepalive-closed-c1":
			latency = c
		}
	}
	if conns == nil || latency == nil {
		t.Fatalf("charts %v: want a throughput chart and a latency chart at 1 connection", names(charts))
	}
	svg, err := conns.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"bars: smallest to largest repetition", "× = clients starved"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("throughput chart does not say %q", want)
		}
	}
	if _, ok := latency.plot.Y.Scale.(plot.LogScale); !ok {
		t.Errorf("latency chart's y scale is %T, want plot.LogScale", latency.plot.Y.Scale)
	}
}

func names(cs []*Chart) []string {
	var n []string
	for _, c := range cs {
		n = append(n, c.Name)
	}
	return n
}

func TestLatencyCurvesOnePerRepetition(t *testing.T) {
	r := fakeRun(t, fakeOptions{strategies: []string{"goroutine"}, workloads: []string{"keepalive"}, conns: []int{16}, reps: 4, seed: 3, speed: 1, noise: 0.1, histograms: true})
	curves, err := latencyCurves(&r.Scenarios[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(curves) != 4 {
		t.Fatalf("%d curves, want one per repetition (4)", len(curves))
	}
	for i, c := range curves {
		for _, p := range c {
			if !(p.Y > 0) {
				t.Fatalf("repetition %d: point %v is not positive, cannot be drawn on a log axis", i, p)
			}
		}
	}
	// Without histograms, each repetition's recorded percentiles.
	curves, err = latencyCurves(&threeReps().Scenarios[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []plotter.XYs{
		{{X: 2, Y: 10}, {X: 10, Y: 20}, {X: 100, Y: 40}, {X: 1000, Y: 80}},
		{{X: 2, Y: 20}, {X: 10, Y: 20}, {X: 100, Y: 40}, {X: 1000, Y: 80}},
		{{X: 2, Y: 30}, {X: 10, Y: 20}, {X: 100, Y: 40}, {X: 1000, Y: 80}},
	}
	if diff := cmp.Diff(want, curves); diff != "" {
		t.Errorf("curves from recorded percentiles (-want +got):\n%s", diff)
	}
}

func TestLogTicksLabelOneTwoFive(t *testing.T) {
	for _, tt := range []struct {
		min, max float64
		want     []string
	}{
		{0.03, 0.3, []string{"0.05", "0.1", "0.2"}},
		{1, 1000, []string{"1", "2", "5", "10", "20", "50", "100", "200", "500", "1000"}},
		{40, 60, []string{"50"}},
		{0, 10, nil},
	} {
		var got []string
		for _, tk := range (logTicks{}).Ticks(tt.min, tt.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Ticks(%v, %v) labels (-want +got):\n%s", tt.min, tt.max, diff)
		}
	}
}

// TestChartsOfOneRequest draws a run whose only repetition measured one
// request (every latency percentile is the same value, its histogram holds
// one count): the latency chart's x axis must stay positive. The run is a
// real one from a cheap documented bench command that made
// `sockbench report` panic.
func TestChartsOfOneRequest(t *testing.T) {
	run, err := results.ReadFile("testdata/one-request.json")
	if err != nil {
		t.Fatal(err)
	}
	charts, err := Charts(run)
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) == 0 {
		t.Fatal("no charts")
	}
	for _, c := range charts {
		if _, err := c.Render("svg"); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
}
