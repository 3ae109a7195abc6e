package bench

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/internal/spec"
)

// This file holds the datagram workloads over Unix datagram sockets:
// udp's and udp-open's load (the docs' UDPServer protocol, handler
// dgram-upper), served by UnixDatagramServer. They are workloads of their
// own, not an option of udp, because a run's rows are keyed by workload
// name: "udp" and "unixgram" side by side in one table, and compared
// across runs by name, are two transports, never one mixed row.
//
// A Unix socket is a file. Every server start gets its own path in a fresh
// private directory that the harness makes and removes, whatever became
// of the server (stopped, crashed, or the run interrupted).

// ErrSocketPathTooLong is wrapped by the error of a unixgram server start
// whose socket path would not fit in a Unix socket address (sun_path):
// TMPDIR is too long.
var ErrSocketPathTooLong = errors.New("unix socket path too long")

// sunPathLen is the size of sockaddr_un's sun_path on Linux, the
// terminating NUL included.
const sunPathLen = 108

func init() {
	workloads["unixgram"] = workloadInfo{"handler dgram-upper over a Unix datagram socket (a fresh private path per server start), closed loop: one datagram in flight per client socket (--conns sockets); loss is its own metric",
		[]string{optDgramTimeout.String()},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			return parseDatagram(sp, "unixgram", "unixgram", load.Closed, 0)
		}}
	workloads["unixgram-open"] = workloadInfo{"handler dgram-upper over a Unix datagram socket, open loop at a fixed total rate over --conns sockets (latency from the intended send time); loss is its own metric",
		[]string{fmt.Sprintf("rate (above 0, at most %g, default --rate): datagrams per second in total", MaxRate), optDgramTimeout.String()},
		func(sp *spec.Spec, rate float64) (Workload, error) {
			return parseDatagram(sp, "unixgram-open", "unixgram", load.Open, rate)
		}}
}

// A serverSocket is one server start's Unix socket path, alone in a
// private directory (mode 0700) that the harness owns. A nil
// *serverSocket stands for a server on a port: its methods then do what a
// port needs (nothing to remove, a host:port printed).
type serverSocket struct {
	dir, path string
}

// serverSocket makes the socket path for one start of a server of w: a
// new directory under os.TempDir, or nil for a workload not over
// unixgram. The caller removes it when the server has stopped.
func (w Workload) serverSocket() (*serverSocket, error) {
	if w.network != "unixgram" {
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "sb")
	if err != nil {
		return nil, fmt.Errorf("socket directory: %w", err)
	}
	path := filepath.Join(dir, "s")
	if len(path) >= sunPathLen {
		_ = os.Remove(dir)
		return nil, fmt.Errorf("%w: %s is %d bytes, a socket path holds at most %d; set TMPDIR to a shorter directory",
			ErrSocketPathTooLong, path, len(path), sunPathLen-1)
	}
	return &serverSocket{dir: dir, path: path}, nil
}

// Path is the socket path, "" for nil.
func (s *serverSocket) Path() string {
	if s == nil {
		return ""
	}
	return s.path
}

// remove removes the directory and whatever the server left in it.
func (s *serverSocket) remove() {
	if s != nil {
		_ = os.RemoveAll(s.dir)
	}
}

// parseAddr reads the address line the server prints: the socket path it
// was told, or for nil a host:port. Errors wrap serveproto.ErrNoAddr.
func (s *serverSocket) parseAddr(line string) (string, error) {
	if s == nil {
		return serveproto.ParseAddr(line)
	}
	return serveproto.ParseUnixAddr(line, s.path)
}
