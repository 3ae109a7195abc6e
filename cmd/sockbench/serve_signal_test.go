package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// serveBinary is a running "sockbench serve" process.
type serveBinary struct {
	cmd    *exec.Cmd
	exited chan error // cmd.Wait's result
}

// startServeBinary runs the built sockbench binary's serve with args on a
// free loopback port and returns the process, the bound address and its
// stderr. The process is killed when the test ends.
func startServeBinary(t *testing.T, args ...string) (*serveBinary, string, *lockedBuilder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, sockbenchBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0", "--print-addr", "--quiet"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuilder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(stdout)
	addr, err := br.ReadString('\n')
	p := &serveBinary{cmd: cmd, exited: make(chan error, 1)}
	go func() {
		_, _ = io.Copy(io.Discard, br) // Wait must not close the pipe under a read
		p.exited <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	if err != nil {
		t.Fatalf("serve printed no address: %v; stderr: %s", err, stderr.String())
	}
	return p, strings.TrimSpace(addr), &stderr
}

// lockedBuilder is a strings.Builder safe for concurrent use.
type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitExit waits (at most d) for cmd to exit and returns its exit code.
func waitExit(t *testing.T, p *serveBinary, d time.Duration) int {
	t.Helper()
	select {
	case err := <-p.exited:
		p.exited <- err // for the cleanup
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(d):
		t.Fatalf("serve did not exit within %v", d)
		return -1
	}
}

// TestServeSIGTERMDrainsKeepAlive: SIGTERM with keep-alive clients
// between requests (and a shutdown timeout far away) exits 0 long before
// the timeout, each client seeing an orderly close.
func TestServeSIGTERMDrainsKeepAlive(t *testing.T) {
	p, addr, stderr := startServeBinary(t, "--strategy", "pool:workers=8", "--handler", "upperlines", "--shutdown-timeout", "30s")
	var conns []net.Conn
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		io.WriteString(c, "hi\n")
		if got, err := bufio.NewReader(c).ReadString('\n'); err != nil || got != "HI\n" {
			t.Fatalf("reply %q, %v", got, err)
		}
		conns = append(conns, c)
	}
	began := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, p, 20*time.Second); code != 0 {
		t.Errorf("serve exited %d after SIGTERM, want 0; stderr:\n%s", code, stderr.String())
	}
	if d := time.Since(began); d > 15*time.Second {
		t.Errorf("serve took %v to exit with only idle keep-alive clients (shutdown timeout 30s)", d)
	}
	for i, c := range conns {
		if b, err := io.ReadAll(c); err != nil || len(b) != 0 {
			t.Errorf("client %d: read %q, %v; want an orderly close", i, b, err)
		}
	}
}

// TestServeSecondSignalCloses: a second SIGTERM during a graceful shutdown
// that would wait for a client closes everything at once (exit 1).
func TestServeSecondSignalCloses(t *testing.T) {
	p, addr, stderr := startServeBinary(t, "--strategy", "goroutine", "--handler", "echo", "--shutdown-timeout", "30s")
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "x")
	if _, err := io.ReadFull(c, make([]byte, 1)); err != nil { // the echo handler holds the connection
		t.Fatal(err)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the first signal has begun the shutdown
	began := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, p, 20*time.Second); code != 1 {
		t.Errorf("serve exited %d after a second SIGTERM, want 1; stderr:\n%s", code, stderr.String())
	}
	if d := time.Since(began); d > 15*time.Second {
		t.Errorf("serve took %v to exit after the second signal", d)
	}
	if !strings.Contains(stderr.String(), "second signal") {
		t.Errorf("stderr does not say the second signal closed the server:\n%s", stderr.String())
	}
}
