package bench

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/results"
)

// TestRunEndToEnd runs a tiny matrix against real server processes (the
// test binary re-executed as "refserve", see TestMain): a goroutine-per-
// connection server, a serial one that starves all clients but one, and
// the same binary as an external server started from a shell command.
func TestRunEndToEnd(t *testing.T) {
	keepalive, err := ParseWorkload("keepalive", 0)
	if err != nil {
		t.Fatal(err)
	}
	goroutine, _ := ParseTarget("reference:goroutine")
	serial, _ := ParseTarget("reference:serial")
	ext := ExternalExecTarget("env "+childEnv+"=1 GORACE=atexit_sleep_ms=0 "+os.Args[0]+" refserve --kind goroutine --print-addr", "")
	var progress []string
	run, err := Run(context.Background(), Config{
		Targets:   []Target{goroutine, serial, ext},
		Workloads: []Workload{keepalive},
		Conns:     []int{4},
		Reps:      1,
		Duration:  200 * time.Millisecond,
		Warmup:    50 * time.Millisecond,
		Launcher:  testLauncher,
		Progress:  func(p Progress) { progress = append(progress, p.String()) },
		Args:      []string{"bench", "test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantProgress := []string{
		"[1/3] keepalive conns=4 reference:goroutine rep 1",
		"[2/3] keepalive conns=4 reference:serial rep 1",
		"[3/3] keepalive conns=4 external:env rep 1",
	}
	if strings.Join(progress, "\n") != strings.Join(wantProgress, "\n") {
		t.Errorf("progress:\n%s\nwant:\n%s", strings.Join(progress, "\n"), strings.Join(wantProgress, "\n"))
	}
	if run.Schema != results.SchemaVersion || run.Env.GoVersion == "" || run.Env.NumCPU < 1 || run.Env.Date.IsZero() {
		t.Errorf("env/schema not filled: %q %+v", run.Schema, run.Env)
	}
	if run.Config.Repetitions != 1 || run.Config.Duration != results.Duration(200*time.Millisecond) || !run.Config.Interleaved {
		t.Errorf("config = %+v", run.Config)
	}
	if len(run.Scenarios) != 3 {
		t.Fatalf("%d scenarios, want 3: %+v", len(run.Scenarios), run.Scenarios)
	}
	for _, sc := range run.Scenarios {
		if sc.Workload != "keepalive" || sc.Mode != "closed" || sc.Conns != 4 || len(sc.Samples) != 1 {
			t.Errorf("%s: scenario %+v", sc.Strategy, sc)
			continue
		}
		s := sc.Samples[0]
		if s.Requests <= 0 || s.Errors != 0 || s.Throughput <= 0 || s.Duration < 0.15 {
			t.Errorf("%s: requests %d, errors %d, throughput %v, duration %v", sc.Strategy, s.Requests, s.Errors, s.Throughput, s.Duration)
		}
		if s.Latency.P50 <= 0 || s.Latency.P50 > s.Latency.P99 || s.Latency.P99 > s.Latency.Max || s.Histogram == nil || s.Histogram.TotalCount() != s.Requests {
			t.Errorf("%s: latency %+v, histogram count %d", sc.Strategy, s.Latency, s.Histogram.TotalCount())
		}
		if s.ServerCPU <= 0 || s.CPUPerRequest <= 0 || s.RequestsPerCPU <= 0 || s.PeakRSS <= 1<<20 || s.CtxSwitches <= 0 || s.ClientCPU <= 0 {
			t.Errorf("%s: server CPU %v, CPU/req %v, req/CPU %v, peak RSS %d, ctx switches %d, client CPU %v",
				sc.Strategy, s.ServerCPU, s.CPUPerRequest, s.RequestsPerCPU, s.PeakRSS, s.CtxSwitches, s.ClientCPU)
		}
		if s.Fairness <= 0 || s.Fairness > 1 {
			t.Errorf("%s: fairness %v", sc.Strategy, s.Fairness)
		}
		switch sc.Strategy {
		case "reference:goroutine":
			if s.Starved != 0 || s.Goroutines < 4 {
				t.Errorf("goroutine server: starved %d, goroutines %d; want 0 starved and a goroutine per connection", s.Starved, s.Goroutines)
			}
		case "reference:serial":
			if s.Starved != 3 || s.Fairness > 0.26 {
				t.Errorf("serial server: starved %d, fairness %v; want 3 starved, fairness 1/4", s.Starved, s.Fairness)
			}
			if w, ok := sc.Warning(results.Starved); !ok || w.Clients != 3 || w.OfClients != 4 {
				t.Errorf("serial server warnings %v lack the 3 of 4 starved clients", sc.Warnings)
			}
		case "external:env":
			if s.Goroutines != 0 {
				t.Errorf("external server: goroutines %d, want 0 (no control channel)", s.Goroutines)
			}
		default:
			t.Errorf("unexpected scenario %q", sc.Strategy)
		}
	}
	if _, err := results.Read(strings.NewReader(mustWrite(t, run))); err != nil {
		t.Errorf("the run does not survive a write and read: %v", err)
	}
}

func mustWrite(t *testing.T, r *results.Run) string {
	t.Helper()
	var b strings.Builder
	if err := results.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRunServerFails checks that a server that cannot start leaves its
// scenario out with a run warning, the run goes on with the other targets,
// and Run says that the matrix is incomplete.
func TestRunServerFails(t *testing.T) {
	keepalive, _ := ParseWorkload("keepalive", 0)
	bad := Target{Name: "reference:bogus", Kind: KindReference, RefKind: "bogus"}
	run, err := Run(context.Background(), Config{
		Targets: []Target{bad, {Name: "reference:goroutine", Kind: KindReference, RefKind: "goroutine"}}, Workloads: []Workload{keepalive}, Conns: []int{1},
		Reps: 1, Duration: 50 * time.Millisecond, Launcher: testLauncher,
	})
	if !errors.Is(err, ErrNotMeasured) || !strings.Contains(err.Error(), "reference:bogus keepalive conns=1") {
		t.Errorf("err = %v, want ErrNotMeasured naming the scenario", err)
	}
	if run == nil {
		t.Fatal("no run returned with ErrNotMeasured")
	}
	if len(run.Scenarios) != 1 || run.Scenarios[0].Strategy != "reference:goroutine" {
		t.Errorf("scenarios %+v, want reference:goroutine's only", run.Scenarios)
	}
	found := false
	for _, w := range run.Warnings {
		found = found || (strings.Contains(w, "failed rep 1") && strings.Contains(w, "unknown kind"))
	}
	if !found {
		t.Errorf("warnings %q do not report the failed start with the server's stderr", run.Warnings)
	}
}

func TestRunBadConfig(t *testing.T) {
	w, _ := ParseWorkload("keepalive", 0)
	tg := StrategyTarget("sync")
	good := Config{Targets: []Target{tg}, Workloads: []Workload{w}, Conns: []int{1}, Reps: 1, Duration: time.Second}
	for _, tt := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no targets", func(c *Config) { c.Targets = nil }, "no targets"},
		{"no workloads", func(c *Config) { c.Workloads = nil }, "no workloads"},
		{"no conns", func(c *Config) { c.Conns = nil }, "no connection counts"},
		{"zero conns", func(c *Config) { c.Conns = []int{0} }, "connection count 0"},
		{"zero reps", func(c *Config) { c.Reps = 0 }, "reps 0"},
		{"zero duration", func(c *Config) { c.Duration = 0 }, "duration 0s"},
		{"negative warm-up", func(c *Config) { c.Warmup = -1 }, "warm-up"},
		{"duplicate target", func(c *Config) { c.Targets = []Target{tg, tg} }, "given twice"},
		{"empty external", func(c *Config) { c.Targets = []Target{{Name: "x", Kind: KindExternal}} }, "neither an address"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			_, err := Run(context.Background(), cfg)
			if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run = %v, want ErrBadConfig containing %q", err, tt.want)
			}
		})
	}
}

// TestRunCancelled checks that a cancelled run returns what it has and
// ctx's error.
func TestRunCancelled(t *testing.T) {
	w, _ := ParseWorkload("keepalive", 0)
	tg, _ := ParseTarget("reference:goroutine")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	run, err := Run(ctx, Config{Targets: []Target{tg}, Workloads: []Workload{w}, Conns: []int{1}, Reps: 1, Duration: time.Second, Launcher: testLauncher})
	if !errors.Is(err, context.Canceled) || run == nil || len(run.Scenarios) != 0 {
		t.Errorf("Run = %v, %v; want an empty run and context.Canceled", run, err)
	}
}
