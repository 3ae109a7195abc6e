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

	"go.uber.org/goleak"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
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
	if err := run(&out, serve(t), 0, 200, 2, 100*time.Millisecond, 10*time.Millisecond, time.Second); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("printed %d lines, want a header and 3 series:\n%s", len(lines), out.String())
	}
	for i, name := range []string{"closed loop", "open, uncorrected", "open, corrected"} {
		if !strings.HasPrefix(lines[i+1], name) {
			t.Errorf("line %d = %q, want the series %q", i+1, lines[i+1], name)
		}
	}
}

func TestRunRejectsPauseNotShorterThanPeriod(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, "127.0.0.1:1", 0, 100, 1, time.Millisecond, time.Second, time.Second); err == nil {
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
