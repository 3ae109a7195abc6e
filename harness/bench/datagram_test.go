package bench

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/harness/load"
)

func TestParseDatagramWorkload(t *testing.T) {
	for _, tt := range []struct {
		spec    string
		mode    load.Mode
		rate    float64
		timeout time.Duration
		params  map[string]string
	}{
		{"udp", load.Closed, 0, DefaultDatagramTimeout, map[string]string{"timeout": "100ms"}},
		{"udp:timeout=1s", load.Closed, 0, time.Second, map[string]string{"timeout": "1s"}},
		{"udp-open", load.Open, 2500, DefaultDatagramTimeout, map[string]string{"rate": "2500", "timeout": "100ms"}},
		{"udp-open:rate=300,timeout=50ms", load.Open, 300, 50 * time.Millisecond, map[string]string{"rate": "300", "timeout": "50ms"}},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			w, err := ParseWorkload(tt.spec, 2500)
			if err != nil {
				t.Fatal(err)
			}
			if !w.Datagram() || w.Handler != DatagramHandler || w.Mode != tt.mode || w.rate != tt.rate || w.timeout != tt.timeout {
				t.Errorf("got %+v; want a datagram workload of handler %s, mode %s, rate %g, timeout %s", w, DatagramHandler, tt.mode, tt.rate, tt.timeout)
			}
			if diff := cmp.Diff(tt.params, w.Params); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDatagramWorkloadErrors(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"udp:rate=5", "allowed: timeout"},
		{"udp:timeout=0s", "want a duration in 1ms..10s"},
		{"udp-open:rate=0", "datagrams per second above 0"},
		{"udp-open:rate=x", `option rate="x"`},
		{"udp:rtt=1ms", "rtt is not emulated for datagrams"},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseWorkload(tt.spec, 0)
			if err == nil || !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseWorkload(%q) = %v; want ErrBadSpec containing %q", tt.spec, err, tt.want)
			}
		})
	}
	w, _ := ParseWorkload("udp", 0)
	if _, err := w.WithProtocol(load.Echo{Size: 8}, "echo"); !errors.Is(err, ErrBadSpec) {
		t.Errorf("WithProtocol on udp = %v; want ErrBadSpec", err)
	}
}

func TestDatagramTargets(t *testing.T) {
	udp, _ := ParseWorkload("udp", 0)
	keep, _ := ParseWorkload("keepalive", 0)
	got := StrategyTarget("goroutine").workloadArgs(udp, 128, "")
	want := []string{"serve", "--addr=127.0.0.1:0", "--backlog=128", "--control=true", "--handler=dgram-upper",
		"--network=udp", "--print-addr=true", "--quiet=true", "--strategy=goroutine"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("serve args (-want +got):\n%s", diff)
	}
	ref, _ := ParseTarget("reference:goroutine")
	streamOnly := StrategyTarget("eventloop")
	streamOnly.StreamOnly = true
	for _, tt := range []struct {
		name string
		t    Target
		w    Workload
		want string
	}{
		{"sync udp", StrategyTarget("sync"), udp, ""},
		{"stream-only keepalive", streamOnly, keep, ""},
		{"stream-only udp", streamOnly, udp, "serves streams only"},
		{"reference udp", ref, udp, "do not speak datagrams"},
	} {
		if got := tt.t.skipReason(tt.w); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: skipReason = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestRunRefusesNothingToMeasure(t *testing.T) {
	udp, _ := ParseWorkload("udp", 0)
	st := StrategyTarget("eventloop")
	st.StreamOnly = true
	ref, _ := ParseTarget("reference:goroutine")
	cfg := Config{Targets: []Target{st, ref}, Workloads: []Workload{udp}, Conns: []int{1}, Reps: 1, Duration: time.Millisecond,
		Launcher: func(context.Context, []string) (*exec.Cmd, error) { return nil, errors.New("launched") }}
	_, err := Run(t.Context(), cfg)
	if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), "nothing to measure") || !strings.Contains(err.Error(), "eventloop skipped") {
		t.Errorf("Run = %v; want ErrBadConfig saying nothing is to measure", err)
	}
}

func TestAgentRefusesDatagrams(t *testing.T) {
	udp, _ := ParseWorkload("udp", 0)
	c := AgentConfig{Addr: "127.0.0.1:1", Workloads: []Workload{udp}, Conns: []int{1}, Duration: time.Second}
	if _, err := RunAgent(t.Context(), c); !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), "datagram") {
		t.Errorf("RunAgent with udp: %v, want ErrBadConfig about datagrams", err)
	}
}
