package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/serveproto"
	"golang.org/x/sys/unix"
)

// The tests in this file hold the launcher (Target.args, startServer,
// stats, stop) to the real "sockbench serve" and "sockbench refserve": the
// sockbench binary is built and launched with a non-default value in every
// field of serveproto.Serve and serveproto.RefServe, and each value is
// checked by what the served server does. They are Linux-only: they read
// the listen backlog with ss(8) and rely on Linux's bind rules.

// contractWait bounds every wait for a reply or an exit in these tests.
const contractWait = 10 * time.Second

// buildSockbench builds cmd/sockbench into a temporary directory.
func buildSockbench(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the sockbench binary")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build sockbench: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "sockbench")
	out, err := exec.Command(goCmd, "build", "-o", bin, "github.com/gosocketserver/socketserver/cmd/sockbench").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// launch starts bin with args through the launcher's startServer.
func launch(t *testing.T, bin string, args []string) *server {
	t.Helper()
	cmd := exec.Command(bin, args...)
	s, err := startServer(context.Background(), cmd, "", true, -1)
	if err != nil {
		t.Fatalf("start %q: %v", args, err)
	}
	return s
}

// dialHeld dials addr for a connection that stays open for a whole test.
func dialHeld(t *testing.T, network, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout(network, addr, contractWait)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(3 * contractWait))
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip writes req on c and reads n bytes of reply.
func roundTrip(t *testing.T, c net.Conn, req string, n int) string {
	t.Helper()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write %q: %v", req, err)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatalf("reply to %q: got %q, %v", req, buf, err)
	}
	return string(buf)
}

func TestLaunchContract(t *testing.T) {
	bin := buildSockbench(t)
	t.Run("serve", func(t *testing.T) { testServeContract(t, bin) })
	t.Run("serve unix", func(t *testing.T) { testServeUnixContract(t, bin) })
	t.Run("serve reuse-address", func(t *testing.T) { testServeReuseAddress(t, bin) })
	t.Run("refserve", func(t *testing.T) { testRefServeContract(t, bin) })
	t.Run("unknown field", func(t *testing.T) {
		for _, args := range [][]string{
			append(serveproto.DefaultServe().Args(), "--no-such-field=1"),
			append(serveproto.DefaultRefServe().Args(), "--kind=serial", "--no-such-field=1"),
		} {
			_, err := startServer(context.Background(), exec.Command(bin, args...), "", true, -1)
			if !errors.Is(err, ErrServerStart) || !strings.Contains(err.Error(), "flag provided but not defined: -no-such-field") {
				t.Errorf("start %q: %v; want ErrServerStart naming the flag", args, err)
			}
		}
	})
}

// testServeContract launches serve over TCP with every field but Unix and
// RemoveSocket (see testServeUnixContract) and ReuseAddress (see
// testServeReuseAddress) away from its default.
func testServeContract(t *testing.T, bin string) {
	inv := serveproto.DefaultServe()
	inv.Strategy = "goroutine"            // not serial: a held connection does not block another
	inv.Handler = "upper-recv"            // answers one read, no newline needed
	inv.Addr = "127.0.0.1:0"              // a free port, not 9999
	inv.Network = "tcp4"                  // named in the serving line on stderr
	inv.Backlog = 77                      // seen by ss
	inv.ReusePort = true                  // a second SO_REUSEPORT bind succeeds
	inv.Quiet = true                      // no request log before the stats line
	inv.PrintAddr = true                  // startServer reads the address
	inv.Control = true                    // stats answers
	inv.ShutdownTimeout = time.Nanosecond // a held connection cannot delay the exit
	s := launch(t, bin, inv.Args())
	stopped := false
	defer func() {
		if !stopped {
			s.kill()
		}
	}()
	host, port, _ := net.SplitHostPort(s.addr)
	if host != "127.0.0.1" || port == "9999" || port == "0" {
		t.Errorf("printed address %q, want 127.0.0.1 and a free port", s.addr)
	}

	dialHeld(t, "tcp", s.addr) // held open: its handler waits in Read until the end
	other := dialHeld(t, "tcp", s.addr)
	if got := roundTrip(t, other, "  abc ", 3); got != "ABC" {
		t.Errorf("upper-recv reply %q, want %q", got, "ABC")
	}
	if logged := linesBeforeStats(t, s); len(logged) > 0 {
		t.Errorf("--quiet server logged %q", logged)
	}
	if st, err := s.stats(contractWait); err != nil || st.Conns < 1 {
		t.Errorf("stats with a held connection: %+v, %v; want conns >= 1", st, err)
	}
	checkBacklog(t, port, inv.Backlog)
	checkReusePort(t, s.addr)

	start := time.Now()
	err := s.stop()
	stopped = true
	// With the default 5s the server would still be waiting for the held
	// connection when stop sends SIGTERM (after stopTimeout, 3s).
	if d := time.Since(start); d >= stopTimeout {
		t.Errorf("stop took %s with a held connection: --shutdown-timeout was not applied", d)
	}
	if err == nil || !strings.Contains(err.Error(), "graceful shutdown") {
		t.Errorf("stop: %v; want exit status 1 after a graceful shutdown that timed out", err)
	}
	if want := "with goroutine on tcp4 127.0.0.1:" + port; !strings.Contains(s.stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", s.stderr.String(), want)
	}
}

// linesBeforeStats asks s for stats and returns the lines it printed
// before the stats record.
func linesBeforeStats(t *testing.T, s *server) []string {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := serveproto.RequestStats(s.stdin); err != nil {
		t.Fatal(err)
	}
	var before []string
	timeout := time.After(contractWait)
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				t.Fatal("server exited")
			}
			if _, isStats, _ := serveproto.ParseStats(line); isStats {
				return before
			}
			before = append(before, line)
		case <-timeout:
			t.Fatalf("no stats within %s", contractWait)
		}
	}
}

// checkBacklog reads the listen backlog of 127.0.0.1:port with ss(8): for
// a listening socket its Send-Q column is the backlog.
func checkBacklog(t *testing.T, port string, want int) {
	t.Helper()
	ss, err := exec.LookPath("ss")
	if err != nil {
		t.Logf("no ss(8): the backlog is not checked")
		return
	}
	out, err := exec.Command(ss, "-Hltn", "sport = :"+port).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) < 4 || f[0] != "LISTEN" {
		t.Fatalf("ss output %q: want one LISTEN line", out)
	}
	if got, _ := strconv.Atoi(f[2]); got != want {
		t.Errorf("listen backlog %d (ss: %q), want %d", got, strings.TrimSpace(string(out)), want)
	}
}

// checkReusePort binds addr again with SO_REUSEPORT, which Linux allows
// only if the server's listener set it too.
func checkReusePort(t *testing.T, addr string) {
	t.Helper()
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}); err != nil {
			return err
		}
		return serr
	}}
	ln, err := lc.Listen(context.Background(), "tcp4", addr)
	if err != nil {
		t.Errorf("second SO_REUSEPORT listener on %s: %v; the server did not set SO_REUSEPORT", addr, err)
		return
	}
	ln.Close()
}

// testServeUnixContract launches serve on a Unix socket that it removes at
// exit.
func testServeUnixContract(t *testing.T, bin string) {
	dir, err := os.MkdirTemp("", "sbc") // short: socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	inv := serveproto.DefaultServe()
	inv.Unix = filepath.Join(dir, "s.sock")
	inv.RemoveSocket = true
	inv.Quiet, inv.Control = true, true
	cmd := exec.Command(bin, inv.Args()...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.WaitDelay = contractWait
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		stdin.Close()
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("serve exited: %v", err)
			}
		case <-time.After(contractWait):
			_ = cmd.Process.Kill()
			t.Errorf("serve did not exit at end of input")
			<-exited
		}
		if _, err := os.Stat(inv.Unix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket file after exit: %v; want it removed", err)
		}
	}()
	var c net.Conn
	for deadline := time.Now().Add(contractWait); ; {
		if c, err = net.Dial("unix", inv.Unix); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("dial %s: %v", inv.Unix, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(contractWait))
	if got := roundTrip(t, c, "unix\n", 4); got != "UNIX" {
		t.Errorf("reply %q, want UNIX", got)
	}
}

// testServeReuseAddress makes a port busy with a socket that is bound
// with SO_REUSEADDR but not listening, which Linux lets a new listener
// share only if it sets SO_REUSEADDR too: serve with the default binds it,
// serve --reuse-address=false must not. (A port in TIME_WAIT shows the
// same difference, but the kernel drops TIME_WAIT sockets when its bucket
// table overflows, as it can while other tests churn: a flaky witness.)
func testServeReuseAddress(t *testing.T, bin string) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fd)
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)

	inv := serveproto.DefaultServe()
	inv.Addr, inv.Network, inv.PrintAddr, inv.Control, inv.Quiet = addr, "tcp4", true, true, true
	s := launch(t, bin, inv.Args())
	if err := s.stop(); err != nil {
		t.Errorf("serve with SO_REUSEADDR on a port another SO_REUSEADDR socket holds: %v", err)
	}
	inv.ReuseAddress = false
	_, err = startServer(context.Background(), exec.Command(bin, inv.Args()...), "", true, -1)
	if !errors.Is(err, ErrServerStart) || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("serve --reuse-address=false on a port another socket holds: %v; want address already in use", err)
	}
}

// testRefServeContract launches refserve with every field away from its
// default.
func testRefServeContract(t *testing.T, bin string) {
	inv := serveproto.DefaultRefServe()
	inv.Kind = "pool"        // with Workers: a fourth connection waits
	inv.Workers = 3          // three held connections are served, not four
	inv.Handler = "echo"     // lower case comes back as it went
	inv.Addr = "127.0.0.2:0" // another loopback address
	inv.Backlog = 9          // accepted for symmetry, unused
	inv.PrintAddr = true     // startServer reads the address
	inv.Control = true       // stats answers
	inv.CPUProfile = filepath.Join(t.TempDir(), "cpu.pprof")
	s := launch(t, bin, inv.Args())
	stopped := false
	defer func() {
		if !stopped {
			s.kill()
		}
	}()
	if host, _, _ := net.SplitHostPort(s.addr); host != "127.0.0.2" {
		t.Errorf("printed address %q, want 127.0.0.2", s.addr)
	}
	for i := range inv.Workers {
		c := dialHeld(t, "tcp", s.addr)
		if got := roundTrip(t, c, "echo\n", 5); got != "echo\n" {
			t.Errorf("connection %d: reply %q, want the echo", i+1, got)
		}
	}
	if st, err := s.stats(contractWait); err != nil || st.Conns != inv.Workers {
		t.Errorf("stats: %+v, %v; want conns %d", st, err, inv.Workers)
	}
	// A server that ignored Workers (or Kind) would answer at once; one
	// that honours them never does, so this wait cannot fail falsely.
	fourth := dialHeld(t, "tcp", s.addr)
	_ = fourth.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := io.WriteString(fourth, "x\n"); err != nil {
		t.Fatal(err)
	}
	if n, err := fourth.Read(make([]byte, 2)); n > 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a fourth connection to a pool of 3 busy workers read %d bytes, %v; want no answer", n, err)
	}
	err := s.stop()
	stopped = true
	if err != nil {
		t.Errorf("stop: %v", err)
	}
	if fi, err := os.Stat(inv.CPUProfile); err != nil || fi.Size() == 0 {
		t.Errorf("CPU profile: %v (size %v); want a profile", err, fi)
	}
}
