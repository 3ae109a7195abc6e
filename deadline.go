package socketserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// This file holds a Stream's deadlines. Two kinds combine: Python's
// per-operation timeout (StreamHandler.Timeout, renewed before every read
// and write) and the Server's per-request limits (ReadTimeout, WriteTimeout,
// IdleTimeout), which are set once per phase of a request. A connection's
// deadline is the earlier of the two.

// deadlines tracks the deadlines a Stream has set on its connection.
type deadlines struct {
	conn net.Conn
	op   time.Duration // per-operation timeout; zero means none

	read, write     time.Time // the current phase's limits; zero means none
	readOn, writeOn bool      // conn has a read or write deadline set (op == 0)
	stale           bool      // someone else (Shutdown) set the read deadline
}

// past is a deadline that has passed: it wakes a blocked read at once.
var past = time.Unix(1, 0)

// after returns now+d, or the zero time (no deadline) for d <= 0.
func after(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// setRead makes t the read limit of the current phase.
func (d *deadlines) setRead(t time.Time) {
	d.read = t
	if d.op == 0 && (d.stale || d.readOn || !t.IsZero()) {
		_ = d.conn.SetReadDeadline(t)
		d.readOn, d.stale = !t.IsZero(), false
	}
}

// setWrite makes t the write limit of the current phase.
func (d *deadlines) setWrite(t time.Time) {
	d.write = t
	if d.op == 0 && (d.writeOn || !t.IsZero()) {
		_ = d.conn.SetWriteDeadline(t)
		d.writeOn = !t.IsZero()
	}
}

// earliest returns the earlier of now+op and limit (zero meaning none).
func (d *deadlines) earliest(limit time.Time) time.Time {
	t := time.Now().Add(d.op)
	if !limit.IsZero() && limit.Before(t) {
		return limit
	}
	return t
}

// beforeRead renews the per-operation read deadline, if there is one.
func (d *deadlines) beforeRead() {
	if d.op > 0 {
		_ = d.conn.SetReadDeadline(d.earliest(d.read))
	}
}

// beforeWrite renews the per-operation write deadline, if there is one.
func (d *deadlines) beforeWrite() {
	if d.op > 0 {
		_ = d.conn.SetWriteDeadline(d.earliest(d.write))
	}
}

// limitErr names the limit that err, a read or write error, ran into:
// limit (one of ErrReadTimeout, ErrWriteTimeout, ErrIdleTimeout) when
// err is a deadline and the phase's limit t has passed; err otherwise
// (a per-operation timeout stays Python's plain time-out).
func limitErr(err, limit error, d time.Duration, t time.Time) error {
	if err == nil || t.IsZero() || !errors.Is(err, os.ErrDeadlineExceeded) || time.Now().Before(t) {
		return err
	}
	return fmt.Errorf("%w of %v exceeded: %w", limit, d, err)
}

// deadlineConn renews the per-operation deadline before every read and
// write: Python's socket timeout, which bounds each blocking operation.
type deadlineConn struct {
	net.Conn
	d *deadlines
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	c.d.beforeRead()
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.d.beforeWrite()
	return c.Conn.Write(p)
}

// Lingering: a server that closes a connection the client is still
// writing to (a line cut by a limit, a keep-alive connection closed by
// Shutdown while its next request is on the way) would make the kernel
// answer with a reset, which may destroy the reply the client has not yet
// read. Like net/http's closeWriteAndWait, such a connection is
// half-closed first (FIN) and what the client still sends is read and
// discarded until it closes too, for at most lingerTime and lingerBytes.
const (
	lingerTime  = 250 * time.Millisecond
	lingerBytes = 64 << 10
)

// lingerClose half-closes c and discards its input until EOF, an error,
// lingerTime or lingerBytes. The server closes c afterwards.
func lingerClose(c net.Conn) {
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	if c.SetReadDeadline(time.Now().Add(lingerTime)) != nil {
		return
	}
	var buf [1024]byte
	for n := 0; n < lingerBytes; {
		m, err := c.Read(buf[:])
		n += m
		if err != nil {
			return
		}
	}
}
