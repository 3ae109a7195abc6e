package results

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// winRun is one cell (keepalive, 16 conns) with three targets: a pool
// that looks 50% cheaper but starved 12 clients, goroutine and a
// reference 10% worse than goroutine.
func winRun() *Run {
	r := &Run{Config: Config{Repetitions: 6}}
	add := func(strategy string, rpcpu float64, starved int) {
		sc := Scenario{Strategy: strategy, Workload: "keepalive", Mode: "closed", Conns: 16}
		for rep := range 6 {
			f := 1 + 0.01*float64(rep%3-1)
			sc.Samples = append(sc.Samples, Sample{Rep: rep, Duration: 1, Requests: 1000, Throughput: 1000, RequestsPerCPU: rpcpu * f, Starved: starved})
		}
		if starved > 0 {
			sc.Warnings = []Warning{{Kind: Starved, Clients: starved, OfClients: 16}}
		}
		r.Scenarios = append(r.Scenarios, sc)
	}
	add("pool:workers=4", 150000, 12)
	add("goroutine", 100000, 0)
	add("reference:goroutine", 90000, 0)
	return r
}

func TestWinsNeverAStarvingTarget(t *testing.T) {
	wins := Wins(winRun())
	if len(wins) != 1 {
		t.Fatalf("%d wins, want 1", len(wins))
	}
	w := wins[0]
	got := []string{w.Best, w.RunnerUp, w.Metric.Name}
	if diff := cmp.Diff([]string{"goroutine", "reference:goroutine", "requests_per_cpu_s"}, got); diff != "" {
		t.Errorf("best, runner-up, metric (-want +got):\n%s", diff)
	}
	if w.Margin < 0.10 || w.Margin > 0.12 || w.Tie {
		t.Errorf("margin %.3f tie %v, want about 0.111 beyond the noise", w.Margin, w.Tie)
	}
	reason := w.Reason()
	for _, want := range []string{"11% better requests per server-CPU-second than reference:goroutine, beyond the noise", "not ranked: pool:workers=4 (starved 12 of 16 clients)"} {
		if !strings.Contains(reason, want) {
			t.Errorf("Reason() = %q, want it to contain %q", reason, want)
		}
	}
}

func TestWinsEveryTargetStarved(t *testing.T) {
	r := winRun()
	r.Scenarios = r.Scenarios[:1]
	w := Wins(r)[0]
	if w.Best != "" || !strings.HasPrefix(w.Reason(), "no target served every client") {
		t.Errorf("best %q, reason %q; want no winner", w.Best, w.Reason())
	}
}
