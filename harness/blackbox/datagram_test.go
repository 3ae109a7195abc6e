package blackbox

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
)

// startPythonDatagram runs testdata/dgram_server.py as kind and returns
// the network and address it serves; it stops when the test ends.
func startPythonDatagram(t *testing.T, kind string) (network, addr string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the datagram check against Python's own socketserver cannot run (CI has python3)")
	}
	args := []string{"testdata/dgram_server.py", kind}
	network = "udp"
	if kind == "unixgram" {
		network = "unixgram"
		args = append(args, filepath.Join(shortTempDir(t), "s"))
	}
	cmd := exec.Command(py, args...)
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
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("reading the python server's address: %v\n%s", err, stderr.String())
	}
	addr = strings.TrimSpace(line)
	if network == "udp" {
		addr = "127.0.0.1:" + addr
	}
	return network, addr
}

// shortTempDir is a fresh directory with a path short enough for a Unix
// socket, removed when the test ends.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bbd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startGoDatagram serves the registry's datagram handler on network with
// the nil strategy (UDPServer's serial loop).
func startGoDatagram(t *testing.T, network, handler string) string {
	t.Helper()
	h, err := handlers.NewDatagram(handler, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := &socketserver.Server{Network: network, Addr: "127.0.0.1:0", DatagramHandler: h,
		HandleError: func(*socketserver.Request, error) {}}
	if network == "unixgram" {
		srv.Addr = filepath.Join(shortTempDir(t), "s")
	}
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

// TestCheckDatagramAddr: Python's UDPServer, ThreadingUDPServer and
// UnixDatagramServer with the docs' handlers, and ours with the registry's
// handlers, get the same verdict: every check passes.
func TestCheckDatagramAddr(t *testing.T) {
	tests := []struct {
		name  string
		start func(t *testing.T) (string, string)
	}{
		{"python/UDPServer", func(t *testing.T) (string, string) { return startPythonDatagram(t, "udp") }},
		{"python/ThreadingUDPServer", func(t *testing.T) (string, string) { return startPythonDatagram(t, "threading-udp") }},
		{"python/UnixDatagramServer", func(t *testing.T) (string, string) { return startPythonDatagram(t, "unixgram") }},
		{"go/udp/dgram-upper", func(t *testing.T) (string, string) { return "udp", startGoDatagram(t, "udp", "dgram-upper") }},
		{"go/udp/dgram-stream-upper", func(t *testing.T) (string, string) {
			return "udp", startGoDatagram(t, "udp", "dgram-stream-upper")
		}},
		{"go/unixgram/dgram-stream-upper", func(t *testing.T) (string, string) {
			return "unixgram", startGoDatagram(t, "unixgram", "dgram-stream-upper")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			network, addr := tt.start(t)
			results := CheckDatagramAddr(context.Background(), network, addr, AddrOptions{Timeout: 20 * time.Second})
			if len(results) != len(DatagramCheckNames()) {
				t.Errorf("%d results, want %d", len(results), len(DatagramCheckNames()))
			}
			for _, r := range results {
				if !r.Pass {
					t.Error(r)
				}
			}
		})
	}
}

// TestCheckDatagramAddrCatchesWrongServers: a server that does not answer,
// or answers wrongly, fails the checks.
func TestCheckDatagramAddrCatchesWrongServers(t *testing.T) {
	srv := &socketserver.Server{Network: "udp", Addr: "127.0.0.1:0",
		DatagramHandler: socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
			return d.Reply(d.Data) // an echo: not upper-cased, not stripped
		})}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	defer func() { srv.Close(); <-done }()
	results := CheckDatagramAddr(context.Background(), "udp", srv.ListenAddr().String(),
		AddrOptions{Timeout: 2 * time.Second, Only: []string{"DatagramExchange", "DatagramEmptyReply"}})
	for _, r := range results {
		if r.Pass {
			t.Errorf("%s passed against an echo server", r.Name)
		}
	}
	if _, err := DialDatagram("unixgram", "/nonexistent", ""); !errors.Is(err, ErrUnboundUnixgram) {
		t.Errorf("DialDatagram unbound: %v", err)
	}
}
