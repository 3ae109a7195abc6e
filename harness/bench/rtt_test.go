package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/harness/load"
)

func TestWorkloadRTT(t *testing.T) {
	tests := []struct {
		spec       string
		wantParams map[string]string
		wantRTT    load.RTT
		wantErr    string
	}{
		{"keepalive:rtt=20ms", map[string]string{"rtt": "20ms"}, load.RTT{Delay: 20 * time.Millisecond}, ""},
		{"sleep:delay=2ms,rtt=20ms,jitter=2ms", map[string]string{"delay": "2ms", "rtt": "20ms", "jitter": "2ms"},
			load.RTT{Delay: 20 * time.Millisecond, Jitter: 2 * time.Millisecond}, ""},
		{"churn:rtt=0s", nil, load.RTT{}, ""},
		{"pipelined:rtt=1ms", nil, load.RTT{}, "pipelined"},
		{"keepalive:jitter=1ms", nil, load.RTT{}, "jitter needs rtt"},
		{"keepalive:rtt=fast", nil, load.RTT{}, "rtt"},
	}
	for _, tt := range tests {
		w, err := ParseWorkload(tt.spec, 0)
		if tt.wantErr != "" {
			if err == nil || !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseWorkload(%q) = %v, want ErrBadSpec with %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseWorkload(%q): %v", tt.spec, err)
			continue
		}
		if diff := cmp.Diff(tt.wantParams, w.Params); diff != "" {
			t.Errorf("ParseWorkload(%q) params (-want +got):\n%s", tt.spec, diff)
		}
		if w.RTT() != tt.wantRTT || w.loadConfig("a", 1, 0, time.Second).RTT != tt.wantRTT {
			t.Errorf("ParseWorkload(%q) round trip %v, want %v", tt.spec, w.RTT(), tt.wantRTT)
		}
	}
}

func TestRTTEmulationRecord(t *testing.T) {
	plain, _ := ParseWorkload("keepalive", 0)
	if got := rttEmulation(context.Background(), []Workload{plain}); got != nil {
		t.Errorf("without a round trip: %+v, want nil", got)
	}
	far, _ := ParseWorkload("keepalive:rtt=20ms", 0)
	got := rttEmulation(context.Background(), []Workload{plain, far})
	if got == nil || got.Method != RTTMethod {
		t.Fatalf("with a round trip: %+v, want method %q", got, RTTMethod)
	}
	if got.NetemProbe != "available" && !strings.HasPrefix(got.NetemProbe, "unavailable: ") {
		t.Errorf("netem probe %q: want available or unavailable: why", got.NetemProbe)
	}
}
