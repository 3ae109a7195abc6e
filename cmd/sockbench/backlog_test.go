package main

import (
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestServeWarnsWhenTheBacklogFills: a serial server busy with one client
// and a backlog of 2, with 3 more clients queued, says so on stderr
// (bench --addr against it would otherwise blame the strategy).
func TestServeWarnsWhenTheBacklogFills(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the listen queue is read with Linux's TCP_INFO")
	}
	old := backlogPoll
	backlogPoll = 10 * time.Millisecond
	t.Cleanup(func() { backlogPoll = old })

	addr, _, stop := serveProc(t, "--strategy", "sync", "--handler", "upper", "--backlog", "2", "--quiet")
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// The first holds the serial server (it never sends its line); the
	// others wait in the accept queue, which holds backlog+1.
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(500 * time.Millisecond) // 50 polls
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	code, stderr := stop()
	if code != 0 {
		t.Errorf("serve exited %d", code)
	}
	if !strings.Contains(stderr, "listen queue full") || !strings.Contains(stderr, "backlog=2") {
		t.Errorf("no backlog warning on stderr:\n%s", stderr)
	}
}

// TestServeQuietWithRoomInTheBacklog: the same clients with a backlog of
// 64 get no warning.
func TestServeQuietWithRoomInTheBacklog(t *testing.T) {
	old := backlogPoll
	backlogPoll = 10 * time.Millisecond
	t.Cleanup(func() { backlogPoll = old })

	addr, _, stop := serveProc(t, "--strategy", "sync", "--handler", "upper", "--backlog", "64", "--quiet")
	var conns []net.Conn
	for range 4 {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(200 * time.Millisecond)
	for _, c := range conns {
		c.Close()
	}
	_, stderr := stop()
	if strings.Contains(stderr, "listen queue full") {
		t.Errorf("backlog warning with room in the queue:\n%s", stderr)
	}
}
