package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/results"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// serve starts an in-process upperlines server on a free loopback port.
func serve(t *testing.T) string {
	t.Helper()
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.UpperLines(0, handlers.Work{}), Strategy: &goroutine.Strategy{}, RequestQueueSize: 64}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Error(err)
		}
	})
	return srv.ListenAddr().String()
}

func TestRunPrintsThreeSeries(t *testing.T) {
	var out bytes.Buffer
	r, err := run(&out, serve(t), 0, 200, 2, 100*time.Millisecond, 10*time.Millisecond, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("printed %d lines, want a header and 3 series:\n%s", len(lines), out.String())
	}
	series := []string{"closed loop", "open, uncorrected", "open, corrected"}
	for i, name := range series {
		if !strings.HasPrefix(lines[i+1], name) {
			t.Errorf("line %d = %q, want the series %q", i+1, lines[i+1], name)
		}
	}
	// The run holds the same three series, each with its histogram, in one
	// cell (so that a report draws them on one chart).
	var got []string
	for _, sc := range r.Scenarios {
		got = append(got, sc.Strategy)
		if sc.Key().Cell() != r.Scenarios[0].Key().Cell() {
			t.Errorf("series %q is in cell %v, want every series in %v", sc.Strategy, sc.Key().Cell(), r.Scenarios[0].Key().Cell())
		}
		if len(sc.Samples) != 1 || sc.Samples[0].Histogram == nil || sc.Samples[0].Requests == 0 {
			t.Errorf("series %q: want one sample with requests and a histogram, got %+v", sc.Strategy, sc.Samples)
		}
	}
	if diff := cmp.Diff(series, got); diff != "" {
		t.Errorf("run's series (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := results.Write(&buf, r); err != nil {
		t.Fatalf("the run does not validate: %v", err)
	}
}

func TestRunRejectsPauseNotShorterThanPeriod(t *testing.T) {
	var out bytes.Buffer
	if _, err := run(&out, "127.0.0.1:1", 0, 100, 1, time.Millisecond, time.Second, time.Second); err == nil {
		t.Fatal("run accepted --pause equal to --every")
	}
}

// state is the process state letter in /proc/pid/stat ("T" when stopped).
func state(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return rest[:1]
}

func TestPauserLeavesTheProcessRunning(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start sleep: %v", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel()
	if err := pauser(ctx, cmd.Process.Pid, 10*time.Millisecond, 30*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if s := state(t, cmd.Process.Pid); s == "T" {
		t.Errorf("process state %q after pauser returned, want it running", s)
	}
}
