package bench

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/harness/load"
)

func TestParseWorkload(t *testing.T) {
	for _, tt := range []struct {
		spec    string
		handler string
		mode    load.Mode
		params  map[string]string
	}{
		{"churn", "upper", load.Churn, nil},
		{"churn:delay=10ms", "upper:delay=10ms", load.Churn, map[string]string{"delay": "10ms"}},
		{"churn:share=0.25", "upper", load.Churn, map[string]string{"share": "0.25"}},
		{"keepalive", "upperlines", load.Closed, nil},
		{"pipelined", "upperlines", load.Pipelined, map[string]string{"depth": "8"}},
		{"pipelined:depth=32", "upperlines", load.Pipelined, map[string]string{"depth": "32"}},
		{"open", "upperlines", load.Open, map[string]string{"rate": "2500"}},
		{"open:rate=1e4", "upperlines", load.Open, map[string]string{"rate": "10000"}},
		{"open:rate=100,delay=10ms", "sleep:delay=10ms", load.Open, map[string]string{"rate": "100", "delay": "10ms"}},
		{"open:rounds=200", "cpu:rounds=200", load.Open, map[string]string{"rate": "2500", "rounds": "200"}},
		{"echo", "echo", load.Closed, map[string]string{"size": "1024"}},
		{"echo:size=64k", "echo", load.Closed, map[string]string{"size": "65536"}},
		{"echo:size=1MiB", "echo", load.Closed, map[string]string{"size": "1048576"}},
		{"echo:size=1", "echo", load.Closed, map[string]string{"size": "1"}},
		{"cpu", "cpu:rounds=1000", load.Closed, map[string]string{"rounds": "1000"}},
		{"cpu:rounds=50", "cpu:rounds=50", load.Closed, map[string]string{"rounds": "50"}},
		{"sleep:delay=5ms", "sleep:delay=5ms", load.Closed, map[string]string{"delay": "5ms"}},
		{"slowclients", "upperlines", load.Closed, map[string]string{"share": "0.25", "delay": "1ms"}},
		{"idle:idle=500", "upperlines", load.Closed, map[string]string{"idle": "500"}},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			w, err := ParseWorkload(tt.spec, 2500)
			if err != nil {
				t.Fatal(err)
			}
			if w.Handler != tt.handler || w.Mode != tt.mode {
				t.Errorf("handler, mode = %q, %q; want %q, %q", w.Handler, w.Mode, tt.handler, tt.mode)
			}
			if diff := cmp.Diff(tt.params, w.Params); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseWorkloadErrors(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"nosuch", `unknown workload "nosuch"`},
		{"", "empty name"},
		{"keepalive:depth=2", "keepalive takes no options"},
		{"churn:share=1", "fraction between 0 and 1"},
		{"churn:depth=2", "depth"},
		{"echo:size=0", "positive byte count"},
		{"echo:size=2MiB", "want 1..1048576"},
		{"open:rate=-1", "requests per second above 0 and at most 1e+07"},
		{"open:rate=1e300", `option rate="1e300": want requests per second above 0 and at most 1e+07`},
		{"open:rate=NaN", `option rate="NaN"`},
		{"echo:size=9223372036854775807k", "want 1..1048576"},
		{"pipelined:depth=100000000", `option depth="100000000": want an integer in 1..1024`},
		{"cpu:rounds=100000000000", `option rounds="100000000000": want an integer in 1..10000000`},
		{"sleep:delay=1000h", `option delay="1000h": want a duration in 0s..1m0s`},
		{"idle:idle=10000000", `option idle="10000000": want an integer in 1..100000`},
		{"slowclients:delay=1h", `option delay="1h": want a duration in 0s..10s`},
		{"open:delay=1ms,rounds=5", "give one, not both"},
		{"open:depth=2", "allowed: rate, delay, rounds"},
		{"cpu:rounds=0", "want an integer in 1..10000000"},
		{"slowclients:share=1", "fraction between 0 and 1"},
		{"sleep:delay=soon", "duration"},
		{"idle:idle=x", "integer"},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := ParseWorkload(tt.spec, 0)
			if err == nil || !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseWorkload(%q) = %v; want ErrBadSpec containing %q", tt.spec, err, tt.want)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	slow, _ := ParseWorkload("slowclients:share=0.25,delay=2ms", 0)
	for _, tt := range []struct {
		conns, want int
	}{{1, 0}, {2, 1}, {4, 1}, {16, 4}, {3, 1}} {
		cfg := slow.loadConfig("127.0.0.1:1", tt.conns, time.Second, 2*time.Second)
		if cfg.Slow != tt.want || cfg.SlowDelay != 2*time.Millisecond {
			t.Errorf("conns %d: Slow, SlowDelay = %d, %s; want %d, 2ms", tt.conns, cfg.Slow, cfg.SlowDelay, tt.want)
		}
		// Starved connections must not time out within the run.
		if cfg.ReplyTimeout <= 3*time.Second {
			t.Errorf("ReplyTimeout %s is not longer than warm-up + duration", cfg.ReplyTimeout)
		}
	}
	echo, _ := ParseWorkload("echo:size=4k", 0)
	if p, ok := echo.loadConfig("a:1", 1, 0, time.Second).Protocol.(load.Echo); !ok || p.Size != 4096 {
		t.Errorf("echo protocol = %#v, want load.Echo{Size: 4096}", p)
	}
}

func TestParseTarget(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Target
		wantErr string
	}{
		{"goroutine", Target{Name: "goroutine", Kind: KindStrategy, Strategy: "goroutine"}, ""},
		{"pool:workers=8,queue=64", Target{Name: "pool:workers=8,queue=64", Kind: KindStrategy, Strategy: "pool:workers=8,queue=64"}, ""},
		{"reference:goroutine", Target{Name: "reference:goroutine", Kind: KindReference, RefKind: "goroutine"}, ""},
		{"reference:pool", Target{Name: "reference:pool", Kind: KindReference, RefKind: "pool", RefWorkers: 64}, ""},
		{"reference:pool:workers=8", Target{Name: "reference:pool:workers=8", Kind: KindReference, RefKind: "pool", RefWorkers: 8}, ""},
		{"reference:serial", Target{Name: "reference:serial", Kind: KindReference, RefKind: "serial"}, ""},
		{"reference:gnet", Target{Name: "reference:gnet", Kind: KindReference, RefKind: "gnet"}, ""},
		{"reference", Target{}, "needs a kind"},
		{"reference:fork", Target{}, "unknown reference server"},
		{"reference:serial:workers=2", Target{}, "takes no options"},
		{"reference:pool:workers=0", Target{}, `option workers="0": want an integer in 1..10000`},
		{"reference:pool:workers=1000000", Target{}, `option workers="1000000": want an integer in 1..10000`},
		{" ", Target{}, "empty target"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTarget(tt.in)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want ErrBadSpec containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseTarget (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTargetArgs(t *testing.T) {
	got := StrategyTarget("pool:workers=4").args("upperlines", 128)
	want := []string{"serve", "--addr=127.0.0.1:0", "--backlog=128", "--control=true", "--handler=upperlines",
		"--print-addr=true", "--quiet=true", "--strategy=pool:workers=4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("serve args (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		target string
		want   []string
	}{
		{"reference:pool:workers=3", []string{"refserve", "--backlog=128", "--control=true", "--handler=upper",
			"--kind=pool", "--print-addr=true", "--workers=3"}},
		{"reference:serial", []string{"refserve", "--backlog=128", "--control=true", "--handler=upper",
			"--kind=serial", "--print-addr=true"}},
	} {
		ref, err := ParseTarget(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, ref.args("upper", 128)); diff != "" {
			t.Errorf("%s: refserve args (-want +got):\n%s", tt.target, diff)
		}
	}
	ref, _ := ParseTarget("reference:pool:workers=3")
	cpu, _ := ParseWorkload("cpu", 0)
	if ref.serves(cpu) {
		t.Error("a reference server claims to serve the cpu workload")
	}
	if !StrategyTarget("sync").serves(cpu) {
		t.Error("a strategy refuses the cpu workload")
	}
}
