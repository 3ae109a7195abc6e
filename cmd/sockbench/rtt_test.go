package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
)

func TestBenchBadRTTAndProtocolFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"bad rtt", []string{"--rtt", "soon"}, "--rtt: "},
		{"jitter above rtt", []string{"--rtt", "2ms,jitter=3ms"}, "jitter above the delay"},
		{"pipelined rtt", []string{"--rtt", "20ms", "--workloads", "pipelined"}, "not emulated in pipelined mode"},
		{"workload jitter alone", []string{"--workloads", "keepalive:jitter=1ms"}, "option jitter needs rtt"},
		{"protocol on a strategy", []string{"--strategy", "sync", "--protocol", `send=x size=1`}, "external servers only"},
		{"bad protocol", []string{"--addr", "127.0.0.1:1", "--protocol", `send=x delim="\n" expect="("`}, "expect: error parsing regexp"},
		{"protocol on churn", []string{"--addr", "127.0.0.1:1", "--workloads", "churn", "--protocol", `send=x size=1`}, "speaks the seed's protocol"},
		{"unreadable protocol file", []string{"--addr", "127.0.0.1:1", "--protocol", "@/nonexistent/p.json"}, "no such file"},
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

func TestBenchRTTConfig(t *testing.T) {
	cfg, err := benchConfig(benchFlags{strategies: "sync", workloads: "keepalive;keepalive:rtt=5ms;churn", conns: "1",
		duration: time.Second, reps: 1, rate: 1, rtt: "20ms,jitter=2ms"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range cfg.Workloads {
		got = append(got, w.RTT().String())
	}
	// --rtt fills in the workloads that set no round trip of their own.
	if diff := cmp.Diff([]string{"20ms,jitter=2ms", "5ms", "20ms,jitter=2ms"}, got); diff != "" {
		t.Errorf("round trips (-want +got):\n%s", diff)
	}
}

func TestPredictLittle(t *testing.T) {
	sample := results.Sample{Throughput: 45, CPUPerRequest: 100}
	scen := func(strategy, workload, mode string, conns int, params map[string]string) *results.Scenario {
		return &results.Scenario{Strategy: strategy, Workload: workload, Mode: mode, Conns: conns, Params: params, Samples: []results.Sample{sample}}
	}
	rtt := map[string]string{"rtt": "20ms"}
	tests := []struct {
		name string
		sc   *results.Scenario
		k    int
		ok   bool
		want float64 // req/s
	}{
		{"serial keep-alive", scen("sync", "keepalive", "closed", 16, rtt), 1, true, 1 / 0.0201},
		{"pool keep-alive", scen("pool:workers=4", "keepalive", "closed", 16, rtt), 4, true, 4 / 0.0201},
		{"pool above the conns", scen("pool:workers=64", "keepalive", "closed", 16, rtt), 64, true, 16 / 0.0201},
		{"unbounded", scen("goroutine", "keepalive", "closed", 16, rtt), 0, true, 16 / 0.0201},
		{"sleep handler", scen("goroutine", "sleep", "closed", 2, map[string]string{"rtt": "20ms", "delay": "2ms"}), 0, true, 2 / 0.0221},
		{"churn: two round trips, nothing held", scen("sync", "churn", "churn", 4, rtt), 1, true, 4 / 0.0401},
		{"no rtt", scen("sync", "keepalive", "closed", 16, nil), 1, false, 0},
		{"open loop", scen("sync", "open", "open", 16, rtt), 1, false, 0},
		{"slow clients", scen("sync", "slowclients", "closed", 16, map[string]string{"rtt": "20ms", "share": "0.25"}), 1, false, 0},
	}
	for _, tt := range tests {
		p, ok := predictLittle(tt.sc, tt.k)
		if ok != tt.ok {
			t.Errorf("%s: ok = %v, want %v", tt.name, ok, tt.ok)
			continue
		}
		if ok && (p.rps < tt.want*0.999 || p.rps > tt.want*1.001) {
			t.Errorf("%s: predicted %.2f req/s, want %.2f", tt.name, p.rps, tt.want)
		}
	}
	var out bytes.Buffer
	run := &results.Run{Config: results.Config{RTT: &results.RTTEmulation{Method: "emulated in load generator", NetemProbe: "unavailable: test"}},
		Scenarios: []results.Scenario{*tests[0].sc, *tests[6].sc}}
	writeLittlesLaw(&out, run, map[string]int{"sync": 1})
	if got := strings.Count(out.String(), "predicted <= 49.8 req/s, measured 45.0 req/s"); got != 1 {
		t.Errorf("Little's law lines:\n%s\nwant one line with the prediction next to the measurement", out.String())
	}
}
