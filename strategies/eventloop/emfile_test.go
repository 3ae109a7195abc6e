//go:build linux

package eventloop_test

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
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
)

const emfileChildEnv = "EVENTLOOP_TEST_EMFILE_CHILD"

// runEMFILEChild is the server half of TestAcceptBacksOffOnEMFILE: one
// loop serving the seed with only a few free descriptors; it prints its
// address and exits when stdin closes.
func runEMFILEChild() int {
	srv := &socketserver.Server{
		Addr:             "127.0.0.1:0",
		Handler:          handlers.UpperMessage(0, nil),
		Strategy:         &eventloop.Strategy{Loops: 1},
		ErrorLog:         slog.New(slog.NewTextHandler(os.Stderr, nil)),
		RequestQueueSize: 64, // holds the clients the loop cannot accept yet
		HandleError:      func(*socketserver.Request, error) {},
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srv.Listener()) }()
	// One exchange: the loop's descriptors exist from now on.
	c, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	io.WriteString(c, "warm\n")
	io.ReadAll(c)
	c.Close()
	time.Sleep(20 * time.Millisecond) // the server's side is closed
	ents, _ := os.ReadDir("/proc/self/fd")
	lim := syscall.Rlimit{Cur: uint64(len(ents) + 2), Max: uint64(len(ents) + 2)}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(srv.ListenAddr())
	io.Copy(io.Discard, os.Stdin)
	srv.Shutdown(context.Background())
	if err := <-done; err != socketserver.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestAcceptBacksOffOnEMFILE runs a loop out of descriptors: clients
// beyond its limit wait in the backlog while accept4 fails with EMFILE;
// the loop logs, stops watching the listener for a back-off that doubles,
// and serves everyone once descriptors free up.
func TestAcceptBacksOffOnEMFILE(t *testing.T) {
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
	var idle []net.Conn
	for range 8 {
		c, err := net.DialTimeout("tcp", addr, replyTimeout)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	deadline := time.Now().Add(replyTimeout)
	for !strings.Contains(stderr.String(), "too many open files") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(stderr.String(), "accept error; retrying") {
		t.Fatalf("the loop did not report EMFILE on accept:\n%s", stderr.String())
	}
	for i, c := range idle {
		c.SetDeadline(time.Now().Add(2 * replyTimeout))
		fmt.Fprintf(c, "client %d\n", i)
	}
	for i, c := range idle {
		got, err := io.ReadAll(c)
		if want := fmt.Sprintf("CLIENT %d", i); err != nil || string(got) != want {
			t.Errorf("client %d: %q, %v; want %q", i, got, err, want)
		}
	}
	if n := strings.Count(stderr.String(), "accept error"); n > 40 {
		t.Errorf("%d accept error lines: the loop is spinning on accept", n)
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
