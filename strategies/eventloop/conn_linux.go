package eventloop

import (
	"errors"
	"fmt"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver"
	"golang.org/x/sys/unix"
)

// errAborted ends the connections of a server that was closed.
var errAborted = errors.New("eventloop: server closed")

// A conn is one connection on a loop: its descriptor, the input of a
// partial message (nil when none), the output the socket did not take
// (nil when none), and the handler's session.
type conn struct {
	lp   *loop
	fd   int
	own  *fdConn // the Request's Conn when the loop accepted it, else nil (fd is then a duplicate the loop closes)
	sc   *socketserver.Conn
	sess *socketserver.MessageSession

	in     []byte
	out    []byte
	events uint32 // the interest registered with epoll

	eof      bool // the client half-closed
	stalled  bool // c.in holds whole messages that wait for the output queue to drain
	closing  bool // no more input is wanted: close once the output is sent
	finished bool
	err      error // why it ends; reported unless nil

	// With Offload: a worker has the session and in while busy; input
	// arriving meanwhile waits in more, replies in jobOut.
	busy     bool
	detached bool // out of the epoll set while a worker has it (client gone)
	more     []byte
	jobOut   []byte
	jobEOF   bool
}

// idle reports whether c is between requests: nothing read and not
// answered, nothing to send, nothing with a worker.
func (c *conn) idle() bool { return !c.busy && len(c.in) == 0 && len(c.out) == 0 && len(c.more) == 0 }

// add starts serving an admitted connection on this loop.
func (lp *loop) add(sc *socketserver.Conn, fd int, own *fdConn) {
	lp.given.Add(1)
	if fd >= len(lp.conns) {
		grown := make([]*conn, max(fd+1, 2*len(lp.conns), 64))
		copy(grown, lp.conns)
		lp.conns = grown
	}
	c := &conn{lp: lp, fd: fd, own: own, sc: sc}
	c.sess = lp.e.h.NewSession(sc.Context(), sc.Request(), c)
	if lp.e.pool != nil {
		c.sess.SetPause(c.jobFull)
	} else {
		c.sess.SetPause(c.full)
	}
	lp.conns[fd] = c
	lp.live++
	if err := lp.ctl(unix.EPOLL_CTL_ADD, fd, unix.EPOLLIN); err != nil {
		c.err = err
		lp.finish(c)
		return
	}
	c.events = unix.EPOLLIN
	if err := c.open(); err != nil {
		c.closing, c.err = true, err
	}
	if sc.Context().Err() != nil {
		c.closing, c.err = true, errAborted
	}
	lp.settle(c)
}

// ready serves one readiness event of c.
func (lp *loop) ready(c *conn, events uint32) {
	if events&(unix.EPOLLHUP|unix.EPOLLERR) != 0 && c.busy {
		// The client is gone while a worker has the message: stop
		// hearing about it (level-triggered HUP would spin) until the
		// worker is done.
		_ = lp.ctl(unix.EPOLL_CTL_DEL, c.fd, 0)
		c.detached, c.closing = true, true
		return
	}
	if events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 && len(c.out) > 0 {
		lp.flush(c)
		if c.finished {
			return
		}
		lp.resume(c)
	}
	if events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR) != 0 && !c.closing {
		lp.read(c)
	}
	if !c.finished {
		lp.settle(c)
	}
}

// read does one read into the loop's buffer and feeds what came.
func (lp *loop) read(c *conn) {
	n, err := unix.Read(c.fd, lp.buf)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return
	case err != nil:
		c.closing, c.err = true, fmt.Errorf("read: %w", err)
		return
	case n == 0:
		c.eof = true
	}
	if lp.e.pool != nil {
		lp.offloadInput(c, lp.buf[:n])
		return
	}
	lp.process(c, lp.buf[:n])
}

// process feeds the session what c kept from before (c.in) followed by
// data, and keeps what it did not take: a partial message, or the
// messages after the one that filled the output queue (c.stalled: they
// are fed once the client has read enough).
func (lp *loop) process(c *conn, data []byte) {
	kept := len(c.in) > 0
	if kept {
		c.in = append(c.in, data...)
		data = c.in
	}
	used, ferr := c.feed(data, c.eof)
	rest := data[used:]
	c.stalled = false
	switch {
	case ferr != nil || c.sess.Done():
		c.in, c.closing = nil, true
		if c.err == nil {
			c.err = ferr
		}
		return
	case len(rest) > 0 && c.full():
		c.stalled = true
	case c.eof:
		c.in, c.closing = nil, true
		return
	}
	switch {
	case len(rest) == 0:
		c.in = nil // no per-connection buffer between messages
	case kept:
		c.in = c.in[:copy(c.in, rest)]
	default:
		c.in = append([]byte(nil), rest...)
	}
}

// full reports whether c has more output queued than the bound allows.
func (c *conn) full() bool { return len(c.out) > c.lp.e.s.maxQueued() }

// jobFull is full for c's worker: whether its replies so far exceed the
// bound. Only the worker may call it, while c is busy.
func (c *conn) jobFull() bool { return len(c.jobOut) > c.lp.e.s.maxQueued() }

// resume feeds the messages that waited for the output queue to drain.
func (lp *loop) resume(c *conn) {
	if !c.stalled || c.full() || c.closing || c.busy {
		return
	}
	if lp.e.pool != nil {
		lp.submit(c)
		return
	}
	lp.process(c, nil)
}

// feed runs the session on data, turning a handler's panic into a
// *socketserver.PanicError.
func (c *conn) feed(data []byte, atEOF bool) (n int, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &socketserver.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return c.sess.Feed(data, atEOF)
}

func (c *conn) open() (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &socketserver.PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return c.sess.Open()
}

func (c *conn) end(err error) (out error) {
	out = err
	defer func() {
		if v := recover(); v != nil {
			out = errors.Join(err, &socketserver.PanicError{Value: v, Stack: debug.Stack()})
		}
	}()
	c.sess.End(err)
	return out
}

// Write is the session's writer. On the loop it writes straight to the
// socket and queues what the socket does not take; a worker's replies
// are gathered in jobOut for the loop to send.
func (c *conn) Write(p []byte) (int, error) {
	if c.busy {
		c.jobOut = append(c.jobOut, p...)
		return len(p), nil
	}
	return c.send(p)
}

func (c *conn) send(p []byte) (int, error) {
	if c.err != nil && c.closing {
		return 0, c.err
	}
	n := len(p)
	for len(c.out) == 0 && len(p) > 0 {
		m, err := unix.Write(c.fd, p)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			break
		}
		if err != nil {
			c.closing, c.err = true, fmt.Errorf("write: %w", err)
			return n - len(p), c.err
		}
		p = p[m:]
	}
	c.out = append(c.out, p...)
	return n, nil
}

// flush sends queued output until the socket is full.
func (lp *loop) flush(c *conn) {
	for len(c.out) > 0 {
		m, err := unix.Write(c.fd, c.out)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			return
		}
		if err != nil {
			c.out = nil
			c.closing = true
			if c.err == nil {
				c.err = fmt.Errorf("write: %w", err)
			}
			lp.finish(c)
			return
		}
		c.out = c.out[m:]
	}
	c.out = nil // no per-connection buffer once all is sent
}

// settle finishes c when it is done, and otherwise registers the interest
// it can use: reading unless closing or over the queue bound
// (back-pressure), writing while output is queued.
func (lp *loop) settle(c *conn) {
	if lp.draining && c.idle() {
		c.closing = true
	}
	if c.closing && !c.busy && len(c.out) == 0 {
		lp.finish(c)
		return
	}
	var want uint32
	if !c.closing && !c.eof && !c.stalled && !c.full() && len(c.more) <= lp.e.s.maxQueued() {
		want |= unix.EPOLLIN
	}
	if len(c.out) > 0 {
		want |= unix.EPOLLOUT
	}
	if want != c.events && !c.detached {
		if err := lp.ctl(unix.EPOLL_CTL_MOD, c.fd, want); err != nil {
			c.closing, c.out, c.err = true, nil, err
			if !c.busy {
				lp.finish(c)
			}
			return
		}
		c.events = want
	}
}

// finish ends c: out of the epoll set and the loop, the handler's Close
// hook, then the server's pipeline reports c.err (unless nil, or the
// server was closed) and half-closes and closes the connection.
func (lp *loop) finish(c *conn) {
	if c.finished {
		return
	}
	c.finished = true
	if !c.detached && c.own == nil {
		// A duplicate: the listener's connection still holds the socket,
		// so closing fd would not take it out of the epoll set. The loop's
		// own descriptor leaves the set when Finish closes it.
		_ = unix.EpollCtl(lp.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	}
	lp.conns[c.fd] = nil
	lp.live--
	err := c.end(c.err) // the Close hook sees why, errAborted included
	if errors.Is(err, errAborted) {
		err = nil // the server was closed: nothing to report
	}
	if c.own != nil {
		c.own.release()
	}
	c.sc.Finish(err)
	if c.own == nil {
		_ = unix.Close(c.fd)
	}
}

// An fdConn is the net.Conn of a connection the loop accepted, as the
// server's pipeline sees it: addresses, and Close and CloseWrite, which
// are safe from any goroutine. While a loop serves the descriptor, Close
// only shuts the socket down (the loop then sees the end and finishes the
// connection); it closes the descriptor once the loop has let go, so that
// its number cannot be reused under the loop. Read and Write are the
// loop's: they fail.
type fdConn struct {
	mu           sync.Mutex
	fd           int
	owned        bool // a loop may use fd
	closed       bool
	laddr, raddr net.Addr
}

// errLoopOwned is what fdConn's Read, Write and deadlines return.
var errLoopOwned = fmt.Errorf("eventloop: the connection's I/O belongs to its loop: %w", errors.ErrUnsupported)

func newFDConn(fd int, sa unix.Sockaddr, laddr net.Addr) *fdConn {
	c := &fdConn{fd: fd, owned: true, laddr: laddr}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		c.raddr = &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1) // Go's default
	case *unix.SockaddrInet6:
		c.raddr = &net.TCPAddr{IP: append(net.IP(nil), a.Addr[:]...), Port: a.Port}
		_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	case *unix.SockaddrUnix:
		c.raddr = &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return c
}

// release tells c that no loop uses the descriptor any more.
func (c *fdConn) release() {
	c.mu.Lock()
	c.owned = false
	c.mu.Unlock()
}

func (c *fdConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return net.ErrClosed
	case c.owned:
		return unix.Shutdown(c.fd, unix.SHUT_RDWR)
	}
	c.closed = true
	return unix.Close(c.fd)
}

func (c *fdConn) CloseWrite() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return net.ErrClosed
	}
	return unix.Shutdown(c.fd, unix.SHUT_WR)
}

func (c *fdConn) Read([]byte) (int, error)         { return 0, errLoopOwned }
func (c *fdConn) Write([]byte) (int, error)        { return 0, errLoopOwned }
func (c *fdConn) SetDeadline(time.Time) error      { return errLoopOwned }
func (c *fdConn) SetReadDeadline(time.Time) error  { return errLoopOwned }
func (c *fdConn) SetWriteDeadline(time.Time) error { return errLoopOwned }
func (c *fdConn) LocalAddr() net.Addr              { return c.laddr }
func (c *fdConn) RemoteAddr() net.Addr             { return c.raddr }
