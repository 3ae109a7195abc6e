package report

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
	"gonum.org/v1/plot/plotter"
)

// openRun measures goroutine at 4 connections with the open workload at
// the given rates; a repetition's p99 is rate/10 ms plus its index.
func openRun(rates ...float64) *results.Run {
	r := &results.Run{Schema: results.SchemaVersion, Config: results.Config{Repetitions: 2}}
	for _, rate := range rates {
		sc := results.Scenario{Strategy: "goroutine", Workload: "open", Mode: "open", Conns: 4,
			Params: map[string]string{"rate": strconv.FormatFloat(rate, 'f', -1, 64), "delay": "10ms"}}
		for rep := range 2 {
			p99 := (rate/10 + float64(rep)) * 1000 // µs
			sc.Samples = append(sc.Samples, results.Sample{Rep: rep, Duration: 1, Requests: int64(rate), Throughput: rate,
				Latency: results.Latency{P50: p99 / 2, P90: p99 / 1.5, P99: p99, P999: p99 * 2}})
		}
		r.Scenarios = append(r.Scenarios, sc)
	}
	return r
}

func TestLoadChartsDrawLatencyAgainstOfferedLoad(t *testing.T) {
	charts, err := loadCharts(openRun(100, 200, 300))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"latency-p50-by-load-open-delay-10ms-open", "latency-p99-by-load-open-delay-10ms-open"}
	if diff := cmp.Diff(want, names(charts)); diff != "" {
		t.Fatalf("charts (-want +got):\n%s", diff)
	}
	if _, err := charts[1].Render("svg"); err != nil {
		t.Fatal(err)
	}
}

func TestLoadChartsNeedThreeLoads(t *testing.T) {
	charts, err := loadCharts(openRun(100, 200))
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 0 {
		t.Errorf("charts %v from two offered loads, want none", names(charts))
	}
}

func TestLoadSeries(t *testing.T) {
	r := openRun(100, 200, 300)
	lines := map[loadLine]map[float64]*results.Scenario{{"goroutine", 4}: {}}
	for i := range r.Scenarios {
		rate, _ := strconv.ParseFloat(r.Scenarios[i].Params["rate"], 64)
		lines[loadLine{"goroutine", 4}][rate] = &r.Scenarios[i]
	}
	m, _ := results.MetricByName("latency_p99")
	got, lo, hi := loadSeries(m, 1e-3, []float64{100, 200, 300}, lines) // in ms
	want := []series{{
		name: "goroutine, 4 conns",
		xys:  plotter.XYs{{X: 100, Y: 10.5}, {X: 200, Y: 20.5}, {X: 300, Y: 30.5}},
		errs: plotter.YErrors{{Low: 0.5, High: 0.5}, {Low: 0.5, High: 0.5}, {Low: 0.5, High: 0.5}},
	}}
	opt := cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(series{}), opt); diff != "" {
		t.Errorf("loadSeries (-want +got):\n%s", diff)
	}
	if lo != 10 || hi != 31 {
		t.Errorf("range %v..%v ms, want the smallest and largest repetition, 10..31", lo, hi)
	}
}
