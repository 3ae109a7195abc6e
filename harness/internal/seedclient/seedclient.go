// Package seedclient is the client side of the seed's protocol shared by
// the conformance suite (package harness) and the black-box checker
// (package blackbox): dialling, exchanges, silent holders, and the bounds
// they wait with. It imports neither testing nor goleak.
package seedclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Bounds used by the checks. They are generous: a check fails on them only
// when something is wrong, never because a busy machine was slow.
const (
	// DialTimeout bounds one connection attempt (SYN retries after a full
	// backlog take 1 s, 3 s ...).
	DialTimeout = 15 * time.Second
	// ReplyTimeout bounds waiting for a reply that must come.
	ReplyTimeout = 15 * time.Second
	// StarveWindow is how long a client that must not be served is watched.
	StarveWindow = 400 * time.Millisecond
	// Settle is how long a condition that must become true is polled.
	Settle = 5 * time.Second
)

// Dial connects to network/addr within DialTimeout or ctx.
func Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := net.Dialer{Timeout: DialTimeout}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err // net's error names the network and address
	}
	return c, nil
}

// ReadAll reads until EOF within d; an error other than EOF (a reset, the
// deadline) is returned with what was read.
func ReadAll(c net.Conn, d time.Duration) ([]byte, error) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c)
	if err != nil {
		return b, fmt.Errorf("reading the reply (got %d bytes): %w", len(b), err)
	}
	return b, nil
}

// Exchange is the seed's client: connect, send req, read the reply until the
// server closes.
func Exchange(ctx context.Context, network, addr string, req []byte) ([]byte, error) {
	c, err := Dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write(req); err != nil {
		return nil, fmt.Errorf("sending %d bytes: %w", len(req), err)
	}
	return ReadAll(c, ReplyTimeout)
}

// ExpectReply runs Exchange and compares the reply with want.
func ExpectReply(ctx context.Context, network, addr string, req, want []byte) error {
	got, err := Exchange(ctx, network, addr, req)
	if err != nil {
		return fmt.Errorf("request %s: %w", Quote(req), err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("request %s: reply %s, want %s", Quote(req), Quote(got), Quote(want))
	}
	return nil
}

// RoundTrips runs the seed's exchange n times ("hello world\n" -> "HELLO
// WORLD").
func RoundTrips(ctx context.Context, network, addr string, n int) error {
	for i := range n {
		if err := ExpectReply(ctx, network, addr, []byte("hello world\n"), []byte("HELLO WORLD")); err != nil {
			return fmt.Errorf("round trip %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// Reset closes c with an RST instead of a FIN (SO_LINGER 0) when it is TCP.
func Reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// ExpectNoReply watches c for d: it must neither send data nor fail with
// anything but the deadline. It returns refused=true when the server closed
// the connection without data (an orderly refusal), and an error when data
// arrived.
func ExpectNoReply(c net.Conn, d time.Duration) (refused bool, err error) {
	_ = c.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, rerr := c.Read(buf[:])
	_ = c.SetReadDeadline(time.Time{})
	switch {
	case n > 0:
		return false, fmt.Errorf("got %s", Quote(buf[:n]))
	case errors.Is(rerr, os.ErrDeadlineExceeded):
		return false, nil
	case errors.Is(rerr, io.EOF):
		return true, nil
	default:
		return true, nil // reset: not served either
	}
}

// ExpectEOF reads from c and requires an orderly close with no data.
func ExpectEOF(c net.Conn, d time.Duration) error {
	_ = c.SetReadDeadline(time.Now().Add(d))
	var buf [64]byte
	n, err := c.Read(buf[:])
	switch {
	case n > 0:
		return fmt.Errorf("got data %s, want an orderly close with no data", Quote(buf[:n]))
	case errors.Is(err, io.EOF):
		return nil
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("connection Reset, want an orderly close (FIN): %w", err)
	case err == nil:
		return errors.New("empty read without EOF")
	default:
		return fmt.Errorf("want an orderly close: %w", err)
	}
}

// Quote shows bytes for a failure message, shortening long ones.
func Quote(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%q... (%d bytes)", b[:48], len(b))
	}
	return fmt.Sprintf("%q", b)
}

// Eventually polls cond every few milliseconds until it holds or d passes.
func Eventually(d time.Duration, cond func() bool) bool {
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

// SeedPattern returns n bytes of lower-case letters and digits (no
// whitespace), and the seed's reply to it.
func SeedPattern(n int) (line, upper []byte) {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	line = make([]byte, n)
	for i := range line {
		line[i] = alphabet[i%len(alphabet)]
	}
	upper = []byte(strings.ToUpper(string(line)))
	return line, upper
}

// ConcurrentRoundTrips runs n seed clients at once and reports the first
// failure.
func ConcurrentRoundTrips(ctx context.Context, addr string, n int) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { errs[i] = RoundTrips(ctx, "tcp", addr, 1) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Holder is a client that connected and sends nothing until released.
type Holder struct{ c net.Conn }

// HoldAll connects k silent clients.
func HoldAll(ctx context.Context, network, addr string, k int) ([]Holder, error) {
	hs := make([]Holder, 0, k)
	for i := range k {
		c, err := Dial(ctx, network, addr)
		if err != nil {
			ReleaseAll(hs)
			return nil, fmt.Errorf("connecting silent client %d of %d: %w", i+1, k, err)
		}
		hs = append(hs, Holder{c})
	}
	return hs, nil
}

// ReleaseAll closes every holder.
func ReleaseAll(hs []Holder) {
	for _, h := range hs {
		h.c.Close()
	}
}

// ReleaseAndCheck sends each holder's line and checks its reply.
func ReleaseAndCheck(hs []Holder) error {
	for i, h := range hs {
		if _, err := h.c.Write([]byte("held\n")); err != nil {
			return fmt.Errorf("Holder %d: %w", i+1, err)
		}
	}
	for i, h := range hs {
		got, err := ReadAll(h.c, ReplyTimeout)
		if err != nil {
			return fmt.Errorf("Holder %d: %w", i+1, err)
		}
		if string(got) != "HELD" {
			return fmt.Errorf("Holder %d: reply %q, want %q", i+1, got, "HELD")
		}
	}
	return nil
}

// ReadFull reads len(b) bytes from c.
func ReadFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
