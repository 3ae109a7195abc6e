package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// A Launcher makes the command that runs a server process with the given
// arguments (for example "serve --strategy goroutine ..." or
// "refserve --kind pool ..."). The harness starts it, reads its stdout and
// writes its stdin; the Launcher must not set Stdin, Stdout or Stderr.
type Launcher func(ctx context.Context, args []string) (*exec.Cmd, error)

// DefaultLauncher re-executes the running program (os.Executable) with
// args: the sockbench binary serving itself.
func DefaultLauncher(ctx context.Context, args []string) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the sockbench executable: %w", err)
	}
	return exec.CommandContext(ctx, exe, args...), nil
}

// ErrServerStart is wrapped by errors about a server process that could
// not be started or did not report its address.
var ErrServerStart = errors.New("server did not start")

// startTimeout bounds how long a server may take to print its address:
// longer than serve's own wait for a strategy that starts serving later
// (serveproto.ReadyTimeout), so that serve's error, not a time-out here,
// says why a slow start failed.
const startTimeout = serveproto.ReadyTimeout + 5*time.Second

// stopTimeout is how long a server may take to exit after its stdin closes
// (and after SIGTERM) before it is killed.
const stopTimeout = 3 * time.Second

// ServerStats is the JSON line a server prints for "stats" in --control
// mode (see "sockbench serve" and "sockbench refserve").
type ServerStats = serveproto.Stats

// server is one running server process under test.
type server struct {
	cmd     *exec.Cmd
	pid     int
	addr    string
	control bool // speaks the stats protocol
	stdin   io.WriteCloser
	lines   chan string // stdout lines after the address
	stderr  *tailBuffer
	readers sync.WaitGroup
	mu      sync.Mutex // serialises stats queries
}

// startServer starts a server process from cmd. With addr empty the
// process must print its address alone on its first stdout line; otherwise
// startServer waits until addr accepts connections. pin >= 0 pins the
// process to that CPU.
func startServer(ctx context.Context, cmd *exec.Cmd, addr string, control bool, pin int) (*server, error) {
	return startServerParsing(ctx, cmd, addr, control, pin, serveproto.ParseAddr)
}

// startServerParsing is startServer with the printed address read by
// parse (a Unix socket's path is not a host:port).
func startServerParsing(ctx context.Context, cmd *exec.Cmd, addr string, control bool, pin int, parse func(string) (string, error)) (*server, error) {
	s := &server{cmd: cmd, control: control, stderr: &tailBuffer{max: 8192}, lines: make(chan string, 16)}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrServerStart, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrServerStart, err)
	}
	s.stdin = stdin
	cmd.Stderr = s.stderr
	cmd.WaitDelay = stopTimeout
	dieWithHarness(cmd)
	if pin >= 0 {
		err = startPinned(cmd, pin)
	} else {
		err = cmd.Start()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrServerStart, strings.Join(cmd.Args, " "), err)
	}
	s.pid = cmd.Process.Pid
	first := make(chan string, 1)
	s.readers.Add(1)
	go func() {
		defer s.readers.Done()
		defer close(s.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 4096), 1<<20)
		n := 0
		for sc.Scan() {
			if n == 0 {
				first <- sc.Text()
			} else {
				select {
				case s.lines <- sc.Text():
				default: // nobody asked: drop
				}
			}
			n++
		}
		if n == 0 {
			close(first)
		}
	}()
	fail := func(err error) (*server, error) {
		s.kill()
		return nil, fmt.Errorf("%w: %s: %w%s", ErrServerStart, strings.Join(cmd.Args, " "), err, s.stderrNote())
	}
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	if addr == "" {
		select {
		case line, ok := <-first:
			if !ok {
				return fail(errors.New("exited before printing its address"))
			}
			if s.addr, err = parse(line); err != nil {
				return fail(err)
			}
		case <-timer.C:
			return fail(fmt.Errorf("printed no address within %s", startTimeout))
		case <-ctx.Done():
			return fail(ctx.Err())
		}
		return s, nil
	}
	s.addr = addr
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return s, nil
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-timer.C:
			return fail(fmt.Errorf("%s accepted no connection within %s: %w", addr, startTimeout, err))
		case <-ctx.Done():
			return fail(ctx.Err())
		}
	}
}

// stats asks the server for its runtime statistics ("stats" on stdin, one
// JSON line on stdout), waiting at most timeout.
func (s *server) stats(timeout time.Duration) (ServerStats, error) {
	if !s.control {
		return ServerStats{}, errors.New("server has no control channel")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for drained := false; !drained; { // drop stale lines
		select {
		case _, ok := <-s.lines:
			if !ok { // closed: it would never block, and no reply can come
				return ServerStats{}, errors.New("ask for stats: server exited")
			}
		default:
			drained = true
		}
	}
	if err := serveproto.RequestStats(s.stdin); err != nil {
		return ServerStats{}, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case line, ok := <-s.lines:
			if !ok {
				return ServerStats{}, errors.New("ask for stats: server exited")
			}
			if st, isStats, err := serveproto.ParseStats(line); isStats {
				return st, err
			}
		case <-t.C:
			return ServerStats{}, fmt.Errorf("no stats within %s", timeout)
		}
	}
}

// stop shuts the server down: its stdin is closed (a graceful shutdown for
// sockbench's servers), then SIGTERM, then SIGKILL, each after
// stopTimeout; a server without a control channel gets SIGTERM at once. It waits for the process and its output readers.
func (s *server) stop() error {
	_ = s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	var err error
	if !s.control {
		// Not one of ours: it may not stop at end of input.
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case err = <-done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err = <-done:
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			err = <-done
		}
	}
	s.readers.Wait()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("server %d exited: %w%s", s.pid, err, s.stderrNote())
		}
		return fmt.Errorf("server %d: %w", s.pid, err)
	}
	return nil
}

// kill ends the process at once and waits for it.
func (s *server) kill() {
	_ = s.stdin.Close()
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.readers.Wait()
}

func (s *server) stderrNote() string {
	if t := strings.TrimSpace(s.stderr.String()); t != "" {
		return "; stderr: " + t
	}
	return ""
}

// tailBuffer keeps the last max bytes written to it. It is safe for
// concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
