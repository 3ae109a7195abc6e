package blackbox

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
)

// startPython runs testdata/seed_server.py with the given server kind and
// returns its address; the server stops when the test ends.
func startPython(t *testing.T, kind string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the black-box check against Python's own socketserver cannot run (CI has python3)")
	}
	cmd := exec.Command(py, "testdata/seed_server.py", kind)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // end of input: the script shuts its server down
		if err := cmd.Wait(); err != nil {
			t.Errorf("python server: %v\n%s", err, stderr.String())
		}
	})
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the python server's port: %v\n%s", err, stderr.String())
	}
	return "127.0.0.1:" + strings.TrimSpace(port)
}

// TestCheckAddrPython: Python's own servers pass the black-box checks with
// the concurrency they have.
func TestCheckAddrPython(t *testing.T) {
	for _, tt := range []struct {
		kind   string
		expect socketserver.Concurrency
	}{{"serial", socketserver.Serial}, {"threading", socketserver.Unbounded}} {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			addr := startPython(t, tt.kind)
			// 16 holders prove "unbounded" as well as 64 and spare the SYN
			// retries that Python's backlog of 5 causes.
			for _, r := range CheckAddr(context.Background(), "tcp", addr, tt.expect, AddrOptions{Holders: 16}) {
				if !r.Pass {
					t.Error(r)
				}
			}
		})
	}
}

// TestCheckAddrCatchesWrongPromise: the capacity check fails when the
// expectation does not match the server, both ways.
func TestCheckAddrCatchesWrongPromise(t *testing.T) {
	for _, tt := range []struct {
		kind   string
		expect socketserver.Concurrency
		reason string
	}{
		{"serial", socketserver.Unbounded, "silent client"}, // the backlog of 5 fills up
		{"serial", socketserver.AtMost(2), "with 1 holders (one fewer than promised)"},
		{"threading", socketserver.Serial, "a probe was served while 1 clients held connections"},
	} {
		t.Run(tt.kind+"/"+tt.expect.String(), func(t *testing.T) {
			t.Parallel()
			addr := startPython(t, tt.kind)
			rs := CheckAddr(context.Background(), "tcp", addr, tt.expect, AddrOptions{Only: []string{"Capacity"}, Timeout: 3e9})
			if len(rs) != 1 || rs[0].Pass || !strings.Contains(rs[0].Reason, tt.reason) {
				t.Fatalf("results %v; want Capacity to fail with %q", rs, tt.reason)
			}
		})
	}
}

// TestCheckAddrCatchesWrongProtocol: a server that upper-cases with
// Unicode rules, trims Unicode spaces, or limits the line fails the
// protocol checks.
func TestCheckAddrCatchesWrongProtocol(t *testing.T) {
	unicodeUpper := &socketserver.StreamHandler{Serve: func(ctx context.Context, s *socketserver.Stream) error {
		line, _ := s.ReadLine()
		_, err := s.W.WriteString(strings.ToUpper(strings.TrimSpace(string(line))))
		return err
	}}
	for _, tt := range []struct {
		name  string
		h     socketserver.Handler
		check string
	}{
		{"unicode", unicodeUpper, "OddBytes"},
		{"limited", handlers.Upper(64<<10, nil), "HugeLine"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := serveInline(t, "tcp", "127.0.0.1:0", tt.h)
			rs := CheckAddr(context.Background(), "tcp", addr, socketserver.Serial, AddrOptions{Only: []string{tt.check}})
			if len(rs) != 1 || rs[0].Pass {
				t.Fatalf("results %v; want %s to fail", rs, tt.check)
			}
		})
	}
}

// TestCheckAddrUnix runs every black-box check over a Unix socket against
// the Server's built-in serial execution.
func TestCheckAddrUnix(t *testing.T) {
	dir, err := os.MkdirTemp("", "ss") // t.TempDir can exceed a socket path's ~108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	addr := serveInline(t, "unix", filepath.Join(dir, "s"), handlers.Upper(0, nil))
	for _, r := range CheckAddr(context.Background(), "unix", addr, socketserver.Serial, AddrOptions{}) {
		if !r.Pass {
			t.Error(r)
		}
	}
}

// serveInline serves h serially (a nil Strategy) on network/addr until
// the test ends, and returns the address it listens on.
func serveInline(t *testing.T, network, addr string, h socketserver.Handler) string {
	t.Helper()
	srv := &socketserver.Server{Network: network, Addr: addr, Handler: h, RequestQueueSize: 128,
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
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return srv.ListenAddr().String()
}

// TestMeasureConcurrency: the measurement finds serial for the Server's
// built-in execution and for Python's TCPServer, unbounded for
// ThreadingTCPServer, and says so.
func TestMeasureConcurrency(t *testing.T) {
	tests := []struct {
		name   string
		addr   func(t *testing.T) string
		want   socketserver.Concurrency
		String string
	}{
		{"inline", func(t *testing.T) string {
			return serveInline(t, "tcp", "127.0.0.1:0", handlers.Upper(0, nil))
		}, socketserver.Serial, "serial (with 1 client held a probe waited)"},
		{"TCPServer", func(t *testing.T) string { return startPython(t, "serial") },
			socketserver.Serial, "serial (with 1 client held a probe waited)"},
		{"ThreadingTCPServer", func(t *testing.T) string { return startPython(t, "threading") },
			socketserver.Unbounded, "unbounded (with 16 clients held a probe was still served)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := MeasureConcurrency(context.Background(), "tcp", tt.addr(t), AddrOptions{Holders: 16})
			if err != nil || m.Concurrency != tt.want || m.String() != tt.String {
				t.Fatalf("MeasureConcurrency = %v (%q), %v; want %v (%q)", m.Concurrency, m, err, tt.want, tt.String)
			}
		})
	}
}

func TestMeasuredString(t *testing.T) {
	got := Measured{Concurrency: socketserver.AtMost(8), Held: 8}.String()
	if want := "at most 8 (with 7 clients held a probe was served, with 8 it waited)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
