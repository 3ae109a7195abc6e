package socketserver

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// A Stream's default-size read buffer is lent to it only while it has
// bytes to read. An idle connection (nothing to read, the handler blocked
// in R) holds no buffer: its pollReader gives the buffer back to the pool
// and waits for readability without one, and takes a buffer again (perhaps
// another one) when bytes arrive. gnet's loop holds no buffer for an idle
// connection either; a goroutine per connection then costs its stack and a
// few small structs, not 8 KiB more.
//
// R stays an ordinary *bufio.Reader of DefaultReadBufferSize bytes: a
// buffer is installed in it by assigning a pooled template Reader, which
// only happens inside R's own call to Read with its whole (so empty)
// buffer, before any byte is stored.

// readBuf is one pooled read buffer with a bufio.Reader template whose
// buffer it is, so that installing it in a Stream's R is one assignment.
type readBuf struct {
	tmpl bufio.Reader
	buf  []byte // tmpl's buffer, to recognise R's reads into it
}

var readBufPool = sync.Pool{New: func() any { return newReadBuf() }}

// putReadBuf pools rb, which must not keep its last reader alive.
func putReadBuf(rb *readBuf) {
	rb.tmpl.Reset(nil)
	readBufPool.Put(rb)
}

func newReadBuf() *readBuf {
	rb := &readBuf{tmpl: *bufio.NewReaderSize(nil, DefaultReadBufferSize)}
	// bufio keeps its buffer to itself; one read shows it.
	var rec bufRecorder
	rb.tmpl.Reset(&rec)
	_, _ = rb.tmpl.Peek(1)
	rb.buf = rec.p
	rb.tmpl.Reset(nil)
	return rb
}

// bufRecorder remembers the buffer it is asked to read into.
type bufRecorder struct{ p []byte }

func (r *bufRecorder) Read(p []byte) (int, error) {
	r.p = p
	return 0, io.EOF
}

// pollReader is the reader under a Stream's default-size R.
type pollReader struct {
	br   *bufio.Reader   // the Stream's R; its buffer is cur's
	cur  *readBuf        // nil while waiting for readability
	rd   io.Reader       // the connection (with its timeout, if any)
	raw  syscall.RawConn // nil when the connection has no descriptor to poll
	conn net.Conn
	dl   *deadlines // the Stream's; its per-operation timeout is renewed here

	fn   func(uintptr) bool // readRaw, made once
	n    int                // readRaw's result
	rerr error
}

// start makes br read from rd through p, with a pooled buffer.
func (p *pollReader) start(br *bufio.Reader, conn net.Conn, rd io.Reader, dl *deadlines) {
	*p = pollReader{br: br, rd: rd, conn: conn, dl: dl}
	switch c := conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		if rc, err := c.(syscall.Conn).SyscallConn(); err == nil && canPollRead {
			p.raw = rc
		}
	}
	p.cur = readBufPool.Get().(*readBuf)
	p.install()
}

// stop gives the buffer back; br must not be used after it.
func (p *pollReader) stop() {
	*p.br = bufio.Reader{}
	if p.cur != nil {
		putReadBuf(p.cur)
		p.cur = nil
	}
}

// install makes cur's buffer br's, empty, reading from p.
func (p *pollReader) install() {
	p.cur.tmpl.Reset(p)
	*p.br = p.cur.tmpl
}

// Read reads from the connection. A read into br's whole buffer (br is
// empty) that would block gives the buffer back while it waits.
func (p *pollReader) Read(b []byte) (int, error) {
	if p.raw == nil || p.cur == nil || len(b) == 0 || len(b) != len(p.cur.buf) || &b[0] != &p.cur.buf[0] {
		return p.rd.Read(b)
	}
	p.dl.beforeRead()
	had := p.cur
	if p.fn == nil {
		p.fn = p.readRaw // once per connection: RawConn.Read keeps it
	}
	err := p.raw.Read(p.fn)
	if p.cur == nil { // the wait failed: deadline or close
		p.cur = readBufPool.Get().(*readBuf)
	}
	if p.cur != had {
		p.install() // before br stores what was read, at its start
	}
	n, rerr := p.n, p.rerr
	p.rerr = nil
	switch {
	case err != nil:
		var oe *net.OpError
		if errors.As(err, &oe) {
			err = oe.Err
		}
		return 0, p.opError(err)
	case rerr != nil:
		return 0, p.opError(os.NewSyscallError("read", rerr))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readRaw is the RawConn callback of Read: one non-blocking read into
// cur's buffer; when it would block, the buffer goes back to the pool and
// readRaw asks to wait for readability, then runs again with a new one.
func (p *pollReader) readRaw(fd uintptr) bool {
	if p.cur == nil {
		p.cur = readBufPool.Get().(*readBuf)
	}
	p.n, p.rerr = readFD(fd, p.cur.buf)
	if p.rerr == syscall.EAGAIN {
		putReadBuf(p.cur)
		p.cur = nil
		return false
	}
	return true
}

// opError is the error the connection's own Read would have returned.
func (p *pollReader) opError(err error) error {
	la := p.conn.LocalAddr()
	return &net.OpError{Op: "read", Net: la.Network(), Source: la, Addr: p.conn.RemoteAddr(), Err: err}
}
