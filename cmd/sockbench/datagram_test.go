package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// docsUDPClient is the Python documentation's UDP client for
// socketserver's UDPServer example, with a receive timeout added so that a
// failing test cannot hang.
const docsUDPClient = `import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
data = " ".join(sys.argv[3:])

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(10)
sock.sendto(bytes(data + "\n", "utf-8"), (HOST, PORT))
received = str(sock.recv(1024), "utf-8")

print("Sent:     {}".format(data))
print("Received: {}".format(received))
`

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestServeDatagramEveryStrategy: serve --network udp with dgram-upper
// answers our client and the docs' Python client under each strategy, and
// passes conform --network udp; unixgram likewise with dgram-stream-upper.
func TestServeDatagramEveryStrategy(t *testing.T) {
	py, _ := exec.LookPath("python3")
	for _, strategy := range []string{"sync", "goroutine", "pool:workers=4"} {
		t.Run("udp/"+strategy, func(t *testing.T) {
			addr, lines, stop := serveProc(t, "--network", "udp", "--handler", "dgram-upper", "--strategy", strategy)
			code, out, errs := runCmd("client", "--network", "udp", "--addr", addr, "hello", "world", "with", "UDP")
			if want := "Sent:     hello world with UDP\nReceived: HELLO WORLD WITH UDP\n"; code != 0 || out != want {
				t.Fatalf("client exit %d, printed %q (want %q): %s", code, out, want, errs)
			}
			for _, want := range []string{"127.0.0.1 wrote:", "b'hello world with UDP'"} {
				select {
				case got := <-lines:
					if got != want {
						t.Fatalf("server log line %q, want %q", got, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("server did not log %q", want)
				}
			}
			if py != "" {
				host, port, _ := strings.Cut(addr, ":")
				got, err := exec.Command(py, "-c", docsUDPClient, host, port, "python", "is", "nice").CombinedOutput()
				if want := "Sent:     python is nice\nReceived: PYTHON IS NICE\n"; err != nil || string(got) != want {
					t.Errorf("the docs' Python client: %v, printed %q, want %q", err, got, want)
				}
			}
			if code, out, errs := runCmd("conform", "--network", "udp", "--addr", addr); code != 0 {
				t.Errorf("conform exit %d\n%s%s", code, out, errs)
			}
			if c, stderr := stop(); c != 0 {
				t.Fatalf("serve exit %d after graceful stop: %s", c, stderr)
			}
		})
		t.Run("unixgram/"+strategy, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "sbd")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			path := filepath.Join(dir, "s")
			_, _, stop := serveProc(t, "--network", "unixgram", "--unix", path, "--handler", "dgram-stream-upper", "--strategy", strategy, "--quiet")
			code, out, errs := runCmd("client", "--network", "unixgram", "--unix", path, "two", "words")
			if want := "Sent:     two words\nReceived: TWO WORDS\n"; code != 0 || out != want {
				t.Fatalf("client exit %d, printed %q (want %q): %s", code, out, want, errs)
			}
			code, out, errs = runCmd("conform", "--network", "unixgram", "--unix", path)
			if want := fmt.Sprintf("%d passed, 0 failed\n", len(blackbox.DatagramCheckNames())); code != 0 || !strings.HasSuffix(out, want) {
				t.Errorf("conform exit %d\n%s%s", code, out, errs)
			}
			if c, stderr := stop(); c != 0 {
				t.Fatalf("serve exit %d after graceful stop: %s", c, stderr)
			}
		})
	}
}

// TestServeDatagramErrors: a stream-only strategy, a stream handler on a
// datagram network and unixgram without a path are refused clearly.
func TestServeDatagramErrors(t *testing.T) {
	code, _, stderr := runCmd("serve", "--network", "udp", "--addr", "127.0.0.1:0", "--handler", "dgram-upper", "--strategy", "eventloop")
	if code != 1 || !strings.Contains(stderr, "streams only") {
		t.Errorf("serve with the event loop on udp: exit %d, stderr %q", code, stderr)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "--network", "udp", "--addr", "127.0.0.1:0", "--handler", "upper"}, 2, "unknown datagram handler"},
		{[]string{"serve", "--network", "unixgram", "--handler", "dgram-upper"}, 2, "needs --unix"},
		{[]string{"client", "--network", "unixgram", "hi"}, 2, "needs --unix"},
		{[]string{"conform", "--network", "tcp", "--addr", "127.0.0.1:1"}, 2, "want udp"},
		{[]string{"conform", "--network", "udp", "--addr", "127.0.0.1:1", "--timeout", "1s"}, 3, "no server to check"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCmd(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
}

// TestDgramLoad: dgram-load runs a closed and an open loop against serve
// and prints its line; bad usage exits 2.
func TestDgramLoad(t *testing.T) {
	addr, _, _ := serveProc(t, "--network", "udp", "--handler", "dgram-upper", "--strategy", "goroutine", "--quiet")
	for _, extra := range [][]string{nil, {"--rate", "200"}} {
		args := append([]string{"dgram-load", "--addr", addr, "--clients", "2", "--duration", "100ms", "--timeout", "5s"}, extra...)
		code, out, errs := runCmd(args...)
		if code != 0 || !strings.HasPrefix(out, "sent ") || !strings.Contains(out, " lost 0 ") {
			t.Errorf("%v: exit %d, %q %s", extra, code, out, errs)
		}
	}
	if code, _, _ := runCmd("dgram-load"); code != 2 {
		t.Errorf("no address: exit %d, want 2", code)
	}
}
