package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/results"
)

// sweepRun is a synthetic run of pool:workers=8..64 with an SLO search in
// every scenario.
func sweepRun(t *testing.T) *results.Run {
	t.Helper()
	r := &results.Run{Config: results.Config{Repetitions: 3, Interleaved: true, Goal: "p99<=20ms"}}
	for i, w := range []int{8, 16, 32, 64} {
		sc := results.Scenario{Strategy: "pool:workers=" + itoa(w), Workload: "sleep", Params: map[string]string{"delay": "2ms"}, Mode: "closed", Conns: 64,
			Sweep: &results.SweepPoint{Spec: "pool:workers=8..64", Option: "workers", Value: itoa(w), X: float64(w)}}
		for rep := range 3 {
			sc.Samples = append(sc.Samples, results.Sample{Rep: rep, Duration: 1, Requests: int64(1000 * w), Throughput: float64(1000 * w),
				RequestsPerCPU: 40000, CPUPerRequest: 25, Latency: results.Latency{P50: 2000, P99: float64(80000 / (i + 1))}})
		}
		sc.SLO = &results.SLOSearch{Goal: "p99<=20ms", Precision: 0.1, Rate: float64(500 * w), Broke: float64(540 * w), Converged: true,
			Steps: []results.SLOStep{{Rate: float64(250 * w), Met: true, Latency: results.Latency{P99: 5000}}, {Rate: float64(500 * w), Met: true, Latency: results.Latency{P99: 15000}}, {Rate: float64(540 * w), Latency: results.Latency{P99: 30000}}}}
		r.Scenarios = append(r.Scenarios, sc)
	}
	return r
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSweepAndSLOCharts(t *testing.T) {
	r := sweepRun(t)
	charts, err := Charts(r)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"throughput-rps-sweep-pool-workers-8-64-sleep-delay-2ms-closed":     false,
		"latency-p99-sweep-pool-workers-8-64-sleep-delay-2ms-closed":        false,
		"cpu-per-request-us-sweep-pool-workers-8-64-sleep-delay-2ms-closed": false,
		"slo-rate-sweep-pool-workers-8-64-sleep-delay-2ms-closed":           false,
		"slo-sleep-delay-2ms-closed-c64":                                    false,
	}
	for _, c := range charts {
		if _, ok := want[c.Name]; ok {
			want[c.Name] = true
			// Rendering is slow under the race detector: draw the two
			// new kinds once each, as SVG.
			if c.Name != "slo-sleep-delay-2ms-closed-c64" && c.Name != "slo-rate-sweep-pool-workers-8-64-sleep-delay-2ms-closed" {
				continue
			}
			if b, err := c.Render("svg"); err != nil || !bytes.Contains(b, []byte("<svg")) {
				t.Errorf("%s.svg: %d bytes, %v", c.Name, len(b), err)
			}
		}
	}
	for name, found := range want {
		if !found {
			t.Errorf("no chart %s", name)
		}
	}
}

func TestHTMLLeadsWithRecommendation(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, sweepRun(t), nil, results.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	rec, won := strings.Index(page, "<h2>Recommendation</h2>"), strings.Index(page, "<h2>What won</h2>")
	if rec < 0 || rec > won {
		t.Fatalf("the page does not lead with the recommendation (at %d, What won at %d)", rec, won)
	}
	if !strings.Contains(page[rec:won], "Recommendation: for sleep[delay=2ms] at 64 connections, pool:workers=") {
		t.Errorf("recommendation section:\n%s", page[rec:won])
	}
}
