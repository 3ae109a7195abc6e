package socketserver_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

const emfileChildEnv = "SOCKETSERVER_TEST_EMFILE_CHILD"

// runEMFILEChild is the server half of TestExhaustedFileDescriptors: it
// serves the upper handler with only a few free file descriptors, prints
// its address, and exits when stdin closes.
func runEMFILEChild() int {
	srv := &socketserver.Server{
		Addr:     "127.0.0.1:0",
		Handler:  upper,
		Strategy: goroutine.New(),
		ErrorLog: slog.New(slog.NewTextHandler(os.Stderr, nil)),
		// The backlog holds the clients the server cannot accept yet.
		RequestQueueSize: 64,
		HandleError:      func(*socketserver.Request, error) {},
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ents, _ := os.ReadDir("/proc/self/fd")
	lim := syscall.Rlimit{Cur: uint64(len(ents) + 3), Max: uint64(len(ents) + 3)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(srv.ListenAddr())
	go func() { io.Copy(io.Discard, os.Stdin); srv.Shutdown(context.Background()) }()
	if err := srv.ListenAndServe(); err != socketserver.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestExhaustedFileDescriptors runs a real server out of descriptors: idle
// clients beyond its limit wait in the backlog while accept fails with
// EMFILE; the server logs, backs off, and serves everyone once descriptors
// free up. Nothing is lost.
func TestExhaustedFileDescriptors(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), emfileChildEnv+"=1")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("server child: %v\n%s", err, stderr.String())
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child printed no address: %v\n%s", err, stderr.String())
	}
	addr := strings.TrimSpace(line)

	// Ten idle clients: the server can accept only about three.
	var idle []net.Conn
	for range 10 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		idle = append(idle, c)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stderr.String(), "too many open files") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "accept error; retrying") {
		t.Fatalf("server did not report EMFILE on accept:\n%s", stderr.String())
	}
	// Each idle client, now sending its line, gets its answer as
	// descriptors free up: nothing queued in the backlog is lost.
	for i, c := range idle {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		fmt.Fprintf(c, "client %d\n", i)
	}
	for i, c := range idle {
		got, err := io.ReadAll(c)
		c.Close()
		if want := fmt.Sprintf("CLIENT %d", i); err != nil || string(got) != want {
			t.Errorf("client %d: %q, %v; want %q", i, got, err, want)
		}
	}
	// Backing off, not spinning: with delays doubling from 5 ms, a few
	// seconds of EMFILE produce a handful of log lines, not thousands.
	if n := strings.Count(stderr.String(), "accept error"); n > 40 {
		t.Errorf("%d accept error lines: the accept loop is spinning", n)
	}
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
