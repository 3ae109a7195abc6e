package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/results"
)

// TestLoadRefusesBadFlags: bad load command lines exit 2 with a message
// naming the flag.
func TestLoadRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--addr"},
		{[]string{"--addr", "127.0.0.1:1", "--agent-index", "3", "--agents", "3"}, "--agent-index"},
		{[]string{"--addr", "127.0.0.1:1", "--start-at", "tomorrow"}, "--start-at"},
		{[]string{"--addr", "127.0.0.1:1", "--clock-offset", "a bit"}, "--clock-offset"},
		{[]string{"--addr", "127.0.0.1:1", "--workloads", "nosuch"}, "--workloads"},
		{[]string{"--addr", "127.0.0.1:1", "--interval", "1ms"}, "interval"},
		{[]string{"--addr", "127.0.0.1:1", "extra"}, "unexpected"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), append([]string{"load"}, tc.args...), &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 naming %s", code, errb.String(), tc.want)
			}
		})
	}
}

// TestLoadAndMerge: two agents with one --start-at write shares that merge
// into one run, which the text report shows agent by agent; shares of
// different schedules are refused.
func TestLoadAndMerge(t *testing.T) {
	addr, _ := serveInProcess(t, "goroutine", handlers.Upper(0, nil), "tcp", "127.0.0.1:0")
	dir := t.TempDir()
	// A window of four intervals, a second and a half ahead: an agent
	// late by most of it still leaves a common interval on a loaded machine.
	start := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	files := []string{filepath.Join(dir, "a0.json"), filepath.Join(dir, "a1.json")}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	stderrs := make([]bytes.Buffer, 2)
	for i := range files {
		wg.Go(func() {
			var out bytes.Buffer
			codes[i] = run(context.Background(), []string{"load", "--addr", addr, "--workloads", "churn", "--conns", "2",
				"--duration", "1s", "--warmup", "0s", "--interval", "250ms", "--start-at", start,
				"--agent-index", fmt.Sprint(i), "--agents", "2", "--host", fmt.Sprint("agent", i), "--out", files[i]}, &out, &stderrs[i])
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != 0 {
			t.Fatalf("agent %d: exit %d: %s", i, c, stderrs[i].String())
		}
	}
	merged := filepath.Join(dir, "m.json")
	var out, errb bytes.Buffer
	if code := run(context.Background(), append([]string{"merge", "--out", merged}, files...), &out, &errb); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errb.String())
	}
	m, err := results.ReadFile(merged)
	if err != nil {
		t.Fatal(err)
	}
	if m.Merged == nil || len(m.Scenarios) != 1 || m.Scenarios[0].Conns != 4 || len(m.Scenarios[0].Samples[0].Shares) != 2 {
		t.Fatalf("merged run: %+v", m.Scenarios)
	}
	out.Reset()
	if code := run(context.Background(), []string{"report", "--format", "txt", "--out", "-", merged}, &out, &errb); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Load agents", "agent0", "agent1", "all"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if code := run(context.Background(), []string{"report", "--format", "bench", "--out", "-", merged}, &out, &errb); code != 0 || !strings.Contains(out.String(), "\nBenchmark") {
		t.Errorf("report --format bench of the merged run: exit %d:\n%s%s", code, out.String(), errb.String())
	}

	other, err := results.ReadFile(files[1])
	if err != nil {
		t.Fatal(err)
	}
	other.Agent.StartAt = other.Agent.StartAt.Add(time.Minute)
	moved := filepath.Join(dir, "moved.json")
	if err := results.WriteFile(moved, other); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"merge", "--out", filepath.Join(dir, "x.json"), files[0], moved}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "--start-at") {
		t.Errorf("merge of different schedules: exit %d, stderr %q; want 1 naming --start-at", code, errb.String())
	}
}

// TestServeStatsEndpoint: serve --stats-addr answers the stats record
// with the process's CPU time and the connections it accepted.
func TestServeStatsEndpoint(t *testing.T) {
	_, addr, stderr := startServeBinary(t, "--strategy", "goroutine", "--handler", "upper", "--stats-addr", "127.0.0.1:0")
	re := regexp.MustCompile(`stats at (http://\S+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("serve did not print its stats address: %s", stderr.String())
	}
	for range 3 {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.WriteString(c, "hello\n")
		if b, err := io.ReadAll(c); err != nil || string(b) != "HELLO" {
			t.Fatalf("reply %q, %v", b, err)
		}
		c.Close()
	}
	st, err := serveproto.FetchStats(context.Background(), http.DefaultClient, url, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if st.Accepted != 3 || st.CPU <= 0 || st.GOMAXPROCS <= 0 {
		t.Errorf("stats %+v: want 3 accepted, some CPU", st)
	}
}
