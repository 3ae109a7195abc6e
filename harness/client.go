package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// Bounds used by the checks. They are generous: a check fails on them only
// when something is wrong, never because a busy machine was slow.
const (
	// dialTimeout bounds one connection attempt (SYN retries after a full
	// backlog take 1 s, 3 s ...).
	dialTimeout = 15 * time.Second
	// replyTimeout bounds waiting for a reply that must come.
	replyTimeout = 15 * time.Second
	// starveWindow is how long a client that must not be served is watched.
	starveWindow = 400 * time.Millisecond
	// settle is how long a condition that must become true is polled.
	settle = 5 * time.Second
)

// dial connects to network/addr within dialTimeout or ctx.
func dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: dialTimeout}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err // net's error names the network and address
	}
	return c, nil
}

// readAll reads until EOF within d; an error other than EOF (a reset, the
// deadline) is returned with what was read.
func readAll(c net.Conn, d time.Duration) ([]byte, error) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	if err != nil {
		return b, fmt.Errorf("reading the reply (got %d bytes): %w", len(b), err)
	}
	return b, nil
}

// exchange is the seed's client: connect, send req, read the reply until the
// server closes.
func exchange(ctx context.Context, network, addr string, req []byte) ([]byte, error) {
	c, err := dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write(req); err != nil {
		return nil, fmt.Errorf("sending %d bytes: %w", len(req), err)
	}
	return readAll(c, replyTimeout)
}

// expectReply runs exchange and compares the reply with want.
func expectReply(ctx context.Context, network, addr string, req, want []byte) error {
	got, err := exchange(ctx, network, addr, req)
	if err != nil {
		return fmt.Errorf("request %s: %w", quote(req), err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("request %s: reply %s, want %s", quote(req), quote(got), quote(want))
	}
	return nil
}

// roundTrips runs the seed's exchange n times ("hello world\n" -> "HELLO
// WORLD").
func roundTrips(ctx context.Context, network, addr string, n int) error {
	for i := range n {
		if err := expectReply(ctx, network, addr, []byte("hello world\n"), []byte("HELLO WORLD")); err != nil {
			return fmt.Errorf("round trip %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// reset closes c with an RST instead of a FIN (SO_LINGER 0) when it is TCP.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// expectNoReply watches c for d: it must neither send data nor fail with
// anything but the deadline. It returns refused=true when the server closed
// the connection without data (an orderly refusal), and an error when data
// arrived.
func expectNoReply(c net.Conn, d time.Duration) (refused bool, err error) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, rerr := c.Read(buf[:])
	_ = c.SetReadDeadline(time.Time{})
	switch {
	case n > 0:
		return false, fmt.Errorf("got %s", quote(buf[:n]))
	case errors.Is(rerr, os.ErrDeadlineExceeded):
		return false, nil
	case errors.Is(rerr, io.EOF):
		return true, nil
	default:
		return true, nil // reset: not served either
	}
}

// expectEOF reads from c and requires an orderly close with no data.
func expectEOF(c net.Conn, d time.Duration) error {
	_ = c.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, err := c.Read(buf[:])
	switch {
	case n > 0:
		return fmt.Errorf("got data %s, want an orderly close with no data", quote(buf[:n]))
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("connection reset, want an orderly close (FIN): %w", err)
	case err == nil:
		return errors.New("empty read without EOF")
	default:
		return fmt.Errorf("want an orderly close: %w", err)
	}
}

// quote shows bytes for a failure message, shortening long ones.
func quote(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%q... (%d bytes)", b[:48], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// eventually polls cond every few milliseconds until it holds or d passes.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// openFDs counts the process's open descriptors, or returns -1 where
// /proc/self/fd does not exist.
func openFDs() int {
	if runtime.GOOS != "linux" {
		return -1
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// fdsBackTo waits until the open-descriptor count is at most base+slack
// and returns nil, or an error naming the excess.
func fdsBackTo(base, slack int) error {
	if base < 0 {
		return nil
	}
	var n int
	if eventually(settle, func() bool { n = openFDs(); return n <= base+slack }) {
		return nil
	}
	return fmt.Errorf("open descriptors: %d, was %d before (%d leaked)", n, base, n-base)
}

// seedPattern returns n bytes of lower-case letters and digits (no
// whitespace), and the seed's reply to it.
func seedPattern(n int) (line, upper []byte) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	line = make([]byte, n)
	for i := range line {
		line[i] = alphabet[i%len(alphabet)]
	}
	upper = []byte(strings.ToUpper(string(line)))
	return line, upper
}
