package load

import (
	"bufio"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/pybytes"
)

// testServer is a tiny in-test server: an accept loop and one goroutine per
// connection running handle. Cleanup closes the listener and every
// connection and waits for all its goroutines.
type testServer struct {
	network, addr string
	start         time.Time
	served        atomic.Int64 // correct or wrong replies sent, across connections
	requests      atomic.Int64 // requests received, across connections
	accepted      atomic.Int64
	done          chan struct{} // closed at cleanup
	handle        func(s *testServer, c net.Conn)
}

// serve starts a server on 127.0.0.1:0 ("tcp") or on a socket in a
// temporary directory ("unix").
func serve(t testing.TB, network string, handle func(s *testServer, c net.Conn)) *testServer {
	t.Helper()
	var ln net.Listener
	var err error
	switch network {
	case "tcp":
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	case "unix":
		dir := t.TempDir()
		if len(dir) > 90 { // sun_path is ~108 bytes
			dir, err = os.MkdirTemp("", "ld")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
		}
		ln, err = net.Listen("unix", filepath.Join(dir, "s.sock"))
	default:
		t.Fatalf("network %q", network)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{network: network, addr: ln.Addr().String(), start: time.Now(), done: make(chan struct{}), handle: handle}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]bool{}
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.accepted.Add(1)
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Go(func() {
				defer func() {
					mu.Lock()
					delete(conns, c)
					mu.Unlock()
					c.Close()
				}()
				s.handle(s, c)
			})
		}
	})
	t.Cleanup(func() {
		close(s.done)
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return s
}

// fault is what a faulty server does instead of a correct reply.
type fault int

const (
	faultNone  fault = iota
	faultWrong       // a well-framed but wrong reply
	faultReset       // close with RST
	faultClose       // close (EOF)
	faultStall       // no reply; wait for the client to go
)

// lines is the keep-alive upperlines server; decide picks a fault for the
// n-th request (0-based, across connections) at time since start. A nil decide
// always answers correctly. The correct path does not allocate.
func lines(decide func(s *testServer, n int64) fault) func(*testServer, net.Conn) {
	return func(s *testServer, c net.Conn) {
		br := bufio.NewReader(c)
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return
			}
			n, f := s.requests.Add(1)-1, faultNone
			if decide != nil {
				f = decide(s, n)
			}
			if !act(s, c, f) {
				return
			}
			pybytes.UpperInPlace(line)
			if f == faultWrong {
				line[0] ^= 0x20
			}
			if _, err := c.Write(line); err != nil {
				return
			}
			s.served.Add(1)
		}
	}
}

// seed is the seed's server for churn: read one line, answer it stripped
// and upper-cased with no newline, close.
func seed(decide func(s *testServer, n int64) fault) func(*testServer, net.Conn) {
	return func(s *testServer, c net.Conn) {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil && err != io.EOF {
			return
		}
		n, f := s.requests.Add(1)-1, faultNone
		if decide != nil {
			f = decide(s, n)
		}
		if !act(s, c, f) {
			return
		}
		reply := churnReply(line)
		if f == faultWrong {
			reply = append(reply, '!')
		}
		c.Write(reply)
		s.served.Add(1)
	}
}

// echo writes back what it reads.
func echo(s *testServer, c net.Conn) {
	io.Copy(c, c)
}

// act carries out a non-reply fault; it reports whether to go on and reply.
func act(s *testServer, c net.Conn, f fault) bool {
	switch f {
	case faultReset:
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		return false
	case faultClose:
		return false
	case faultStall:
		io.Copy(io.Discard, c) // until the client closes (or cleanup)
		return false
	}
	return true
}

// always returns a decide function that always faults with f.
func always(f fault) func(*testServer, int64) fault {
	return func(*testServer, int64) fault { return f }
}
