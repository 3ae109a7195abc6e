package eventloop

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gosocketserver/socketserver"
	"golang.org/x/sys/unix"
)

// An engine is one listener served by the strategy's loops: it starts
// them, spreads accepted connections over them round-robin, and stops
// them in order: accepting first, then (once every loop has stopped
// accepting) the drain.
type engine struct {
	s     *Strategy
	h     *socketserver.MessageHandler
	p     *socketserver.Pipeline
	l     net.Listener
	lfd   int // a duplicate of the listener's descriptor, or -1: accept through l
	loops []*loop
	next  atomic.Uint64 // round-robin counter
	pool  *pool         // nil without Offload
	log   *slog.Logger

	srvCtx  atomic.Pointer[context.Context] // a connection's context: done on Close
	running sync.WaitGroup                  // the loops
	done    chan struct{}                   // closed when every loop has returned
}

func newEngine(s *Strategy, h *socketserver.MessageHandler, l net.Listener, p *socketserver.Pipeline) (*engine, error) {
	e := &engine{s: s, h: h, p: p, l: l, lfd: -1, done: make(chan struct{}), log: p.Server().ErrorLog}
	if e.log == nil {
		e.log = slog.Default()
	}
	if fd, err := dupFD(l); err == nil {
		e.lfd = fd
	}
	for i := range s.loops() {
		lp, err := newLoop(e, i)
		if err != nil {
			e.release()
			return nil, err
		}
		e.loops = append(e.loops, lp)
	}
	if s.Offload > 0 {
		e.pool = newPool(s.Offload)
	}
	return e, nil
}

// release closes what newEngine opened when the engine never ran.
func (e *engine) release() {
	for _, lp := range e.loops {
		lp.closeFDs()
	}
	if e.lfd >= 0 {
		_ = unix.Close(e.lfd)
	}
}

// dupFD returns a duplicate (close-on-exec) of the descriptor of x, a
// listener or connection that exposes it. The loops own the duplicate, so
// that the server closing x cannot hand its number to another file while
// a loop still uses it.
func dupFD(x any) (int, error) {
	sc, ok := x.(syscall.Conn)
	if !ok {
		return -1, fmt.Errorf("eventloop: %T has no descriptor: %w", x, errors.ErrUnsupported)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd := -1
	var derr error
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, err
	}
	return fd, derr
}

// serve runs the loops until ctx is done, then stops accepting, starts
// the drain and returns; the loops finish in the background.
func (e *engine) serve(ctx context.Context) error {
	for _, lp := range e.loops {
		e.running.Add(1)
		go func() {
			defer e.running.Done()
			lp.run()
		}()
	}
	go func() {
		e.running.Wait()
		if e.pool != nil {
			e.pool.stop()
		}
		close(e.done)
	}()
	var acceptor sync.WaitGroup
	if e.lfd >= 0 {
		for _, lp := range e.loops {
			lp.post(lp.startAccept)
		}
	} else {
		acceptor.Go(func() { e.acceptLoop(ctx) })
	}
	<-ctx.Done()
	if e.lfd >= 0 {
		var acks sync.WaitGroup
		for _, lp := range e.loops {
			acks.Add(1)
			lp.post(func() { lp.stopAccept(); acks.Done() })
		}
		acks.Wait()
		_ = unix.Close(e.lfd)
	}
	acceptor.Wait() // returns once the server has closed l
	for _, lp := range e.loops {
		lp.post(lp.drain)
	}
	return nil
}

// acceptLoop accepts through l for a listener that hides its descriptor
// (a wrapper): each connection that exposes its own is served on a loop,
// any other by the message handler's read loop in a goroutine.
func (e *engine) acceptLoop(ctx context.Context) {
	var delay time.Duration
	for {
		rwc, err := e.l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if !temporary(err) {
				e.p.ReportError(fmt.Errorf("eventloop: accept: %w", err))
				<-ctx.Done()
				return
			}
			delay = e.backoff(err, delay)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		delay = 0
		c := e.p.Admit(rwc)
		if c == nil {
			continue
		}
		e.noteConn(c)
		fd, err := dupFD(rwc)
		if err != nil {
			if gerr := e.s.g.Go(c.Serve); gerr != nil {
				c.Finish(gerr)
			}
			continue
		}
		e.place(nil, c, fd, nil)
	}
}

// backoff logs a temporary accept error and returns the next delay: 5 ms
// doubling to 1 s, as the server's own accept loop does.
func (e *engine) backoff(err error, delay time.Duration) time.Duration {
	if delay == 0 {
		delay = 5 * time.Millisecond
	} else if delay *= 2; delay > time.Second {
		delay = time.Second
	}
	e.log.Warn("eventloop: accept error; retrying", "err", err, "delay", delay)
	return delay
}

// temporary reports whether an accept error is worth retrying.
func temporary(err error) bool {
	for _, errno := range []syscall.Errno{unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM,
		unix.ECONNABORTED, unix.ECONNRESET, unix.EINTR, unix.EAGAIN, unix.EPROTO, unix.EPERM} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// noteConn remembers the context of the first admitted connection: it is
// the server's, done once the server is closed.
func (e *engine) noteConn(c *socketserver.Conn) {
	if e.srvCtx.Load() == nil {
		ctx := c.Context()
		e.srvCtx.CompareAndSwap(nil, &ctx)
	}
}

// serverClosed reports whether the server was closed with Close.
func (e *engine) serverClosed() bool {
	ctx := e.srvCtx.Load()
	return ctx != nil && (*ctx).Err() != nil
}

// place gives an admitted connection to the next loop, round-robin: from
// is the loop that accepted it (nil for the acceptor goroutine), which
// adds it at once when it is its own turn.
func (e *engine) place(from *loop, c *socketserver.Conn, fd int, own *fdConn) {
	lp := e.loops[int(e.next.Add(1)-1)%len(e.loops)]
	if lp == from {
		lp.add(c, fd, own)
		return
	}
	lp.post(func() { lp.add(c, fd, own) })
}

// abort makes every loop close its connections now.
func (e *engine) abort() {
	for _, lp := range e.loops {
		lp.post(lp.abort)
	}
}

// wait waits until every loop has returned, or ctx is done.
func (e *engine) wait(ctx context.Context) error {
	select {
	case <-e.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *engine) balance() []int64 {
	out := make([]int64, len(e.loops))
	for i, lp := range e.loops {
		out[i] = lp.given.Load()
	}
	return out
}
