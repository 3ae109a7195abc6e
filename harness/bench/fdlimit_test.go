package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
)

// TestRunRefusesWhatTheFileLimitCannotHold checks that a connection count
// the open-file limit cannot hold (bench --conns 100000 hit "too many open
// files" 5,022 times and still reported figures) is refused before any
// server starts.
func TestRunRefusesWhatTheFileLimitCannotHold(t *testing.T) {
	soft, _, ok := raiseFileLimit()
	if !ok {
		t.Skip("no open-file limit here")
	}
	keepalive, _ := ParseWorkload("keepalive", 0)
	idle, err := ParseWorkload("idle:idle=10", 0)
	if err != nil {
		t.Fatal(err)
	}
	over := int(min(soft, 1<<30)) // plus the reserve: never fits
	for _, tt := range []struct {
		name  string
		w     Workload
		conns int
	}{
		{"conns at the limit", keepalive, over},
		{"idle connections count too", idle, over - fdReserve},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{Targets: []Target{StrategyTarget("sync")}, Workloads: []Workload{tt.w}, Conns: []int{1, tt.conns},
				Reps: 1, Duration: time.Second, Launcher: testLauncher}
			run, err := Run(context.Background(), cfg)
			if run != nil || !errors.Is(err, ErrBadConfig) || !errors.Is(err, ErrTooManyFiles) {
				t.Fatalf("Run = %v, %v; want no run and ErrTooManyFiles", run, err)
			}
			if !strings.Contains(err.Error(), "open files, but the limit is") {
				t.Errorf("error %q does not say what the limit is", err)
			}
		})
	}
}

func TestDialFailuresFailTheSample(t *testing.T) {
	idle, _ := ParseWorkload("idle:idle=10", 0)
	keepalive, _ := ParseWorkload("keepalive", 0)
	for _, tt := range []struct {
		name string
		res  load.Result
		c    cell
		want bool
	}{
		{"all connected", load.Result{Errors: 3}, cell{keepalive, 8}, false},
		{"dials failed", load.Result{Errors: 5022, DialErrors: 5022, ErrorSamples: []string{"dial: too many open files"}}, cell{keepalive, 100000}, true},
		{"idle all open", load.Result{IdleOpen: 10}, cell{idle, 1}, false},
		{"idle short", load.Result{IdleOpen: 9}, cell{idle, 1}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := dialFailures(&tt.res, tt.c)
			if got := errors.Is(err, ErrDialFailed); got != tt.want {
				t.Errorf("dialFailures = %v, want ErrDialFailed %v", err, tt.want)
			}
		})
	}
}
