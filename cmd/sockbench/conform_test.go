package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/blackbox"
	"github.com/gosocketserver/socketserver/strategies"
)

// serveInProcess serves h with the strategy spec on 127.0.0.1:0 (or a Unix
// socket when unix is set) until the test ends, and returns the promise the
// registry declares.
func serveInProcess(t *testing.T, spec string, h socketserver.Handler, network, addr string) (string, socketserver.Concurrency) {
	t.Helper()
	st, c, err := strategies.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	srv := &socketserver.Server{Network: network, Addr: addr, Handler: h, Strategy: st, RequestQueueSize: 128,
		ErrorLog: slog.New(slog.DiscardHandler)} // the resets are deliberate
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srv.Listener()) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		<-done
	})
	return srv.ListenAddr().String(), c
}

func conform(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"conform"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestConformEveryStrategy: our seed server passes with every strategy and
// the promise the registry declares for it.
func TestConformEveryStrategy(t *testing.T) {
	for _, spec := range []string{"sync", "goroutine", "pool:workers=4"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			addr, p := serveInProcess(t, spec, handlers.Upper(0, nil), "tcp", "127.0.0.1:0")
			code, out, errs := conform("--addr", addr, "--expect", p.String())
			n := len(blackbox.AddrCheckNames())
			if code != 0 || !strings.HasSuffix(out, fmt.Sprintf("\n%d passed, 0 failed\n", n)) || errs != "" {
				t.Fatalf("exit %d\n%s%s", code, out, errs)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			for i, name := range blackbox.AddrCheckNames() {
				if lines[i] != "PASS "+name {
					t.Errorf("line %d = %q, want %q", i+1, lines[i], "PASS "+name)
				}
			}
		})
	}
}

// TestConformUnix checks a Unix socket server.
func TestConformUnix(t *testing.T) {
	path := t.TempDir() + "/s"
	if len(path) > 100 {
		t.Skipf("temporary path %q too long for a Unix socket", path)
	}
	_, _ = serveInProcess(t, "goroutine", handlers.Upper(0, nil), "unix", path)
	if code, out, errs := conform("--unix", path, "--expect", "unbounded"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// TestConformFailures: a wrong promise and a wrong protocol exit 1 with FAIL
// lines and the count on the last line.
func TestConformFailures(t *testing.T) {
	// echo answers the stripped line without upper-casing it, and closes.
	echo := &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
		line, _ := s.ReadLine()
		_, err := s.W.Write(handlers.Strip(line))
		return err
	}}
	tests := []struct {
		name, spec string
		h          socketserver.Handler
		expect     string
		fail       string // a FAIL line's prefix
	}{
		{"wrong promise", "goroutine", handlers.Upper(0, nil), "serial", "FAIL Capacity: "},
		{"echo is not upper", "goroutine", echo, "unbounded", "FAIL Exchange: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr, _ := serveInProcess(t, tt.spec, tt.h, "tcp", "127.0.0.1:0")
			code, out, _ := conform("--addr", addr, "--expect", tt.expect, "--timeout", "5s")
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			last := lines[len(lines)-1]
			if code != 1 || !strings.Contains(out, "\n"+tt.fail) && !strings.HasPrefix(out, tt.fail) || strings.HasSuffix(last, " 0 failed") {
				t.Fatalf("exit %d, want 1 with a line %q...\n%s", code, tt.fail, out)
			}
		})
	}
}

// startPython runs examples/python/upper_server.py with the given server
// kind (serial: TCPServer, threading: ThreadingTCPServer) and returns its
// address; the server stops when the test ends.
func startPython(t *testing.T, kind string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: conform cannot be checked against Python's own socketserver (CI has python3)")
	}
	cmd := exec.Command(py, "../../examples/python/upper_server.py", kind)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait() // its tracebacks for the deliberate resets go nowhere
	})
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the python server's address: %v", err)
	}
	return strings.TrimSpace(addr)
}

// TestConformMeasures: without --expect, conform measures the concurrency,
// reports it on its first line and passes on serial, bounded and unbounded
// servers alike, Python's included.
func TestConformMeasures(t *testing.T) {
	tests := []struct {
		name, spec, python string // spec: a strategy served in process; python: a kind of upper_server.py
		want               string // the first line's start
	}{
		{name: "sync", spec: "sync", want: "concurrency: serial ("},
		{name: "goroutine", spec: "goroutine", want: "concurrency: unbounded ("},
		{name: "pool4", spec: "pool:workers=4", want: "concurrency: at most 4 (with 3 clients held a probe was served, with 4 it waited)"},
		{name: "TCPServer", python: "serial", want: "concurrency: serial ("},
		{name: "ThreadingTCPServer", python: "threading", want: "concurrency: unbounded ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var addr string
			if tt.python != "" {
				addr = startPython(t, tt.python)
			} else {
				addr, _ = serveInProcess(t, tt.spec, handlers.Upper(0, nil), "tcp", "127.0.0.1:0")
			}
			code, out, errs := conform("--addr", addr)
			n := len(blackbox.AddrCheckNames())
			if code != 0 || !strings.HasPrefix(out, tt.want) || !strings.HasSuffix(out, fmt.Sprintf("\n%d passed, 0 failed\n", n)) {
				t.Fatalf("exit %d, want 0 with a first line %q...\n%s%s", code, tt.want, out, errs)
			}
		})
	}
}

// TestConformWrongExpect: an explicit --expect that the server breaks
// fails the Capacity check, Python's servers included.
func TestConformWrongExpect(t *testing.T) {
	tests := []struct {
		name, spec, python, expect string
	}{
		{name: "pool4 as 8", spec: "pool:workers=4", expect: "8"},
		{name: "pool4 as unbounded", spec: "pool:workers=4", expect: "unbounded"},
		{name: "sync as 2", spec: "sync", expect: "2"},
		{name: "ThreadingTCPServer as serial", python: "threading", expect: "serial"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var addr string
			if tt.python != "" {
				addr = startPython(t, tt.python)
			} else {
				addr, _ = serveInProcess(t, tt.spec, handlers.Upper(0, nil), "tcp", "127.0.0.1:0")
			}
			code, out, _ := conform("--addr", addr, "--expect", tt.expect, "--timeout", "10s")
			if code != 1 || !strings.Contains(out, "\nFAIL Capacity: ") || strings.HasPrefix(out, "concurrency:") {
				t.Fatalf("exit %d, want 1 with FAIL Capacity and no measurement\n%s", code, out)
			}
		})
	}
}

func TestConformBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--addr", "127.0.0.1:1", "--unix", "/tmp/x"},
		{"--addr", "127.0.0.1:1", "--expect", "lots"},
		{"--addr", "127.0.0.1:1", "--expect", "0"},
		{"--addr", "127.0.0.1:1", "--timeout", "-1s"},
		{"--addr", "127.0.0.1:1", "--holders", "1"},
		{"--addr", "127.0.0.1:1", "extra"},
		{"--nope"},
	} {
		if code, out, errs := conform(args...); code != 2 || errs == "" || out != "" {
			t.Errorf("conform %q: exit %d, stdout %q, stderr %q; want 2 and a message on stderr", args, code, out, errs)
		}
	}
}

// TestConformNoServer checks that an address where nothing listens gets one
// clear error and exit 2, not a failure per check.
func TestConformNoServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	code, out, errs := conform("--addr", addr)
	if code != 3 || out != "" || !strings.Contains(errs, "no server to check") || !strings.Contains(errs, "refused") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 3 (no input, not usage) and one message naming the refused connection", code, out, errs)
	}
}
