//go:build linux

package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// TestServePreforkPrintsAddrWhenReady: "serve --print-addr" with
// prefork:procs=2,balance=reuseport prints its address only once both
// workers serve, so connections made at once right after it are spread
// over both workers' sockets. Before, worker 1 had not yet bound its socket and
// every connection went to worker 0. Each of the 64 connections picks
// one of the two sockets by a hash of its addresses: all of them on one
// socket when both are bound has probability 2^-63.
func TestServePreforkPrintsAddrWhenReady(t *testing.T) {
	const n = 64
	_, addr, stderr := startServeBinary(t, "--strategy", "prefork:procs=2,balance=reuseport", "--backlog", "256", "--stats-addr", "127.0.0.1:0")
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n { // all at once, as a keep-alive bench dials: each is on a socket from its SYN
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.WriteString(c, "hello\n")
		if b, err := io.ReadAll(c); err != nil || string(b) != "HELLO" {
			t.Fatalf("request %d: reply %q, %v", i, b, err)
		}
	}
	m := regexp.MustCompile(`stats at (http://\S+)`).FindStringSubmatch(stderr.String())
	if m == nil { // printed before the address
		t.Fatalf("serve did not print its stats address: %s", stderr.String())
	}
	var balance []int64
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		st, err := serveproto.FetchStats(context.Background(), http.DefaultClient, m[1], 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if balance = st.Balance; len(balance) == 2 && balance[0]+balance[1] >= n {
			break
		}
	}
	if len(balance) != 2 || balance[0]+balance[1] != n || balance[0] == 0 || balance[1] == 0 {
		t.Errorf("per-worker connections %v: want %d spread over both workers", balance, n)
	}
}
