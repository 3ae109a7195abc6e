package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
)

func TestBenchSweepAndSLOBadFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"goal without bound", []string{"--slo", "p99=20ms"}, "--slo: bad goal"},
		{"unknown bound", []string{"--slo", "p42<=1ms"}, `unknown bound "p42"`},
		{"precision", []string{"--slo", "p99<=20ms", "--slo-precision", "0"}, "--slo-precision 0: want above 0.001"},
		{"steps", []string{"--slo", "p99<=20ms", "--slo-steps", "1000"}, "slo steps 1000"},
		{"zero steps", []string{"--slo", "p99<=20ms", "--slo-steps", "0"}, "--slo-steps 0"},
		{"negative start", []string{"--slo", "p99<=20ms", "--slo-start", "-1"}, "--slo-start -1"},
		{"start", []string{"--slo", "p99<=20ms", "--slo-start", "0.5"}, "slo start 0.5"},
		{"zero reps", []string{"--slo", "p99<=20ms", "--slo-reps", "0"}, "--slo-reps 0: want 1..10"},
		{"negative reps", []string{"--slo", "p99<=20ms", "--slo-reps", "-2"}, "--slo-reps -2: want 1..10"},
		{"too many reps", []string{"--slo", "p99<=20ms", "--slo-reps", "11"}, "--slo-reps 11: want 1..10"},
		{"loss on a stream", []string{"--slo", "p99<=20ms,loss<=0.5%", "--workloads", "udp;keepalive"},
			"--slo p99<=20ms,loss<=0.5%: bad bench config: a loss bound applies to datagram workloads (udp, udp-open, unixgram, unixgram-open) only, and keepalive is a stream workload"},
		{"loss on the default workloads", []string{"--slo", "loss<=1%"}, "a loss bound applies to datagram workloads"},
		{"backwards range", []string{"--strategies", "pool:workers=8..4"}, "want 0 < start < end"},
		{"two sweeps", []string{"--strategies", "pool:workers=8..16,queue=1|2"}, "sweeps two options"},
		{"bad swept value", []string{"--strategies", "pool:workers=0|8"}, "workers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"bench"}, tt.args...), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}

func TestBenchConfigSweep(t *testing.T) {
	cfg, err := benchConfig(benchFlags{strategies: "goroutine;pool:workers=2..8", workloads: "keepalive", conns: "4",
		duration: defaultBenchDuration, reps: 1, rate: 1000, slo: sloFlags{goal: "p99<=20ms", precision: 0.1, steps: 16, reps: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var names, values []string
	for _, tg := range cfg.Targets {
		names = append(names, tg.Name)
		if tg.Sweep != nil {
			values = append(values, tg.Sweep.Spec+"@"+tg.Sweep.Value)
		}
	}
	if d := cmp.Diff([]string{"goroutine", "pool:workers=2", "pool:workers=4", "pool:workers=8"}, names); d != "" {
		t.Errorf("targets (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"pool:workers=2..8@2", "pool:workers=2..8@4", "pool:workers=2..8@8"}, values); d != "" {
		t.Errorf("sweep points (-want +got):\n%s", d)
	}
	if cfg.SLO.Goal.String() != "p99<=20ms" {
		t.Errorf("goal %q", cfg.SLO.Goal)
	}
}

// TestBenchSweepSLOEndToEnd runs a swept pool with a short
// SLO search against real server processes and checks what the run
// records and that a recommendation is printed.
func TestBenchSweepSLOEndToEnd(t *testing.T) {
	launchBuiltBinary(t)
	out := filepath.Join(t.TempDir(), "run.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "pool:workers=1|2", "--workloads", "keepalive",
		"--conns", "2", "--duration", "50ms", "--warmup", "0s", "--reps", "1", "--slo", "p99<=1s,errors<=1%", "--slo-steps", "2", "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "Recommendation: for keepalive at 2 connections, ") {
		t.Errorf("no recommendation after the table:\n%s", stdout.String())
	}
	r, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Config.Goal != "p99<=1s,errors<=1%" || len(r.Scenarios) != 2 {
		t.Fatalf("goal %q, %d scenarios; want the goal and 2", r.Config.Goal, len(r.Scenarios))
	}
	for _, sc := range r.Scenarios {
		if sc.SLO == nil || len(sc.SLO.Steps) == 0 || len(sc.SLO.Steps) > 2 || sc.SLO.Goal != r.Config.Goal {
			t.Errorf("%s: SLO search %+v; want 1 or 2 steps for the goal", sc.Strategy, sc.SLO)
		}
		if sc.Sweep == nil || sc.Sweep.Spec != "pool:workers=1|2" || sc.Strategy != "pool:workers="+sc.Sweep.Value {
			t.Errorf("%s: sweep %+v", sc.Strategy, sc.Sweep)
		}
	}
}

func TestBenchConfigSLORepsAndLoss(t *testing.T) {
	cfg, err := benchConfig(benchFlags{strategies: "goroutine", workloads: "udp;udp-open", conns: "4",
		duration: defaultBenchDuration, reps: 1, rate: 1000, slo: sloFlags{goal: "p99<=5ms,loss<=0.5%", precision: 0.1, steps: 16, reps: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SLO.Reps != 3 || cfg.SLO.Goal.String() != "p99<=5ms,loss<=0.5%" {
		t.Errorf("SLO config %+v; want reps 3 and the loss bound", cfg.SLO)
	}
	var stderr bytes.Buffer
	announceSearch(&stderr, cfg)
	// 2 workloads x 1 conns x 1 target x 16 steps x 3 samples.
	if want := "at most 16 steps of 3 samples each (the median judged) per target and cell, 96 samples"; !strings.Contains(stderr.String(), want) {
		t.Errorf("announcement %q lacks %q", stderr.String(), want)
	}
}
