package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/results"
)

// privateTempDir builds sockbench first (its build directory must not be
// in the listing) and points TMPDIR, where the harness makes its socket
// directories, at a fresh empty directory, which it returns.
func privateTempDir(t *testing.T) (bin, tmp string) {
	t.Helper()
	bin = launchBuiltBinary(t)
	tmp = t.TempDir()
	t.Setenv("TMPDIR", tmp)
	return bin, tmp
}

// assertEmptyDir fails t when anything is left in dir.
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if len(names) > 0 {
		t.Errorf("left in the temp dir: %v", names)
	}
}

// TestBenchUnixgram runs sync and goroutine on the unixgram workload
// through the command and checks the closed loop lost nothing: every
// request sent was answered. The timeout is long so that a slow machine
// shows as latency, never as loss.
func TestBenchUnixgram(t *testing.T) {
	_, tmp := privateTempDir(t)
	out := filepath.Join(t.TempDir(), "run.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "sync;goroutine", "--no-reference", "--workloads", "unixgram:timeout=5s",
		"--conns", "2", "--duration", "150ms", "--warmup", "30ms", "--reps", "1", "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "datagram loss") {
		t.Errorf("no loss table:\n%s", stdout.String())
	}
	r, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Scenarios) != 2 {
		t.Fatalf("%d scenarios; want sync's and goroutine's", len(r.Scenarios))
	}
	for _, sc := range r.Scenarios {
		if sc.Workload != "unixgram" || len(sc.Samples) != 1 {
			t.Errorf("%s: workload %s, %d samples; want unixgram, 1", sc.Strategy, sc.Workload, len(sc.Samples))
			continue
		}
		s := sc.Samples[0]
		if s.Requests <= 0 || s.Errors != 0 || s.Lost == nil || *s.Lost != 0 || s.LossRatio == nil || *s.LossRatio != 0 {
			t.Errorf("%s: requests %d, errors %d, lost %v, loss ratio %v; want requests, all answered",
				sc.Strategy, s.Requests, s.Errors, s.Lost, s.LossRatio)
		}
	}
	assertEmptyDir(t, tmp)
}

// crashScript runs the server ("$0" "$@") in the background with the
// harness's stdin, waits (bounded) until its socket file exists, and kills
// it with SIGKILL: a server that dies without removing its socket.
const crashScript = `exec 3<&0
"$0" "$@" <&3 3<&- &
pid=$!
for a; do case $a in --unix=*) sock=${a#--unix=};; esac; done
i=0
while [ ! -S "$sock" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
kill -9 $pid
wait $pid`

// TestUnixgramSocketCleanup checks that no socket file or directory
// outlives a server whose run went wrong: one killed under the harness,
// and a run interrupted while its server serves.
func TestUnixgramSocketCleanup(t *testing.T) {
	for _, tt := range []struct {
		name      string
		crash     bool          // the server is SIGKILLed once bound
		interrupt bool          // the run is cancelled once the socket exists
		duration  time.Duration // a cancelled run never lasts it
		wantErr   error
	}{
		{"server killed", true, false, 200 * time.Millisecond, bench.ErrNotMeasured},
		{"run interrupted", false, true, time.Minute, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bin, tmp := privateTempDir(t)
			w, err := bench.ParseWorkload("unixgram", 0)
			if err != nil {
				t.Fatal(err)
			}
			cfg := bench.Config{Targets: []bench.Target{bench.StrategyTarget("sync")}, Workloads: []bench.Workload{w},
				Conns: []int{1}, Reps: 1, Duration: tt.duration,
				Launcher: func(ctx context.Context, args []string) (*exec.Cmd, error) {
					if tt.crash {
						return exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", crashScript, bin}, args...)...), nil
					}
					return exec.CommandContext(ctx, bin, args...), nil
				}}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			watched := make(chan bool, 1)
			go func() {
				if !tt.interrupt {
					watched <- false
					return
				}
				seen := waitForSocket(tmp, 30*time.Second)
				cancel()
				watched <- seen
			}()
			_, err = bench.Run(ctx, cfg)
			if seen := <-watched; tt.interrupt && !seen {
				t.Fatal("the server's socket never appeared")
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Run = %v; want %v", err, tt.wantErr)
			}
			assertEmptyDir(t, tmp)
		})
	}
}

// waitForSocket reports whether a socket file appears in a directory of
// dir within limit.
func waitForSocket(dir string, limit time.Duration) bool {
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		matches, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
		for _, m := range matches {
			if fi, err := os.Lstat(m); err == nil && fi.Mode()&os.ModeSocket != 0 {
				return true
			}
		}
	}
	return false
}
