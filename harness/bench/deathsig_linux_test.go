package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// launcherChild is the argument that makes the test binary a harness that
// starts one reference server, prints its pid and waits to be killed.
const launcherChild = "launcher"

func launcherMain() int {
	inv := serveproto.DefaultRefServe()
	inv.Kind, inv.PrintAddr = "goroutine", true // no control channel: only a signal stops it
	cmd, err := testLauncher(context.Background(), inv.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s, err := startServer(context.Background(), cmd, "", false, -1)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(s.pid)
	time.Sleep(time.Minute) // killed by the test long before
	return 0
}

// TestServerDiesWithItsHarness kills a harness with SIGKILL (as a test
// timeout or the OOM killer would) and requires the server it started to
// be gone too. The server has no control channel, so the end of its stdin
// cannot stop it: only the kernel's parent-death signal does (a server
// that is busy, or a child of a fork strategy, may never read stdin).
func TestServerDiesWithItsHarness(t *testing.T) {
	cmd := exec.Command(os.Args[0], launcherChild)
	cmd.Env = append(os.Environ(), childEnv+"=1", "GORACE=atexit_sleep_ms=0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("launcher printed no server pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("launcher printed %q", line)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if !alive(pid) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("server %d outlived its killed harness by 10 s", pid)
}

// alive reports whether pid is a process that is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
