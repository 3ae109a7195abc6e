package eventloop

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// readBufferSize is each loop's read buffer: one read per readiness, of
// at most this much, whatever the connection.
const readBufferSize = 64 << 10

// A loop is one goroutine with one epoll descriptor and the connections
// it serves. Everything in it but the inbox is touched only by that
// goroutine; other goroutines (the engine, other loops, offload workers)
// post functions to the inbox and wake the loop through its eventfd.
//
// Readiness is level-triggered: a loop reads once per readiness, and the
// kernel reports a descriptor again while it has more, so no connection
// can starve the others and no event is lost if the loop does not drain a
// socket. Interest follows what a connection can use: EPOLLIN unless it is
// paused or closing, EPOLLOUT only while output is queued.
type loop struct {
	e      *engine
	id     int
	epfd   int
	wakefd int
	buf    []byte
	events []unix.EpollEvent
	conns  []*conn // by descriptor
	live   int
	given  atomic.Int64 // connections given to this loop, ever

	mu    sync.Mutex
	inbox []func()
	woken atomic.Bool

	accepting bool // should watch the listener
	watching  bool // the listener is in the epoll set
	retryAt   time.Time
	delay     time.Duration
	draining  bool
	closed    bool
}

func newLoop(e *engine, id int) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("eventloop: epoll_create1: %w", err)
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		_ = unix.Close(epfd)
		return nil, fmt.Errorf("eventloop: eventfd: %w", err)
	}
	lp := &loop{e: e, id: id, epfd: epfd, wakefd: wakefd,
		buf: make([]byte, readBufferSize), events: make([]unix.EpollEvent, 128)}
	if err := lp.ctl(unix.EPOLL_CTL_ADD, wakefd, unix.EPOLLIN); err != nil {
		lp.closeFDs()
		return nil, err
	}
	return lp, nil
}

func (lp *loop) ctl(op, fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if err := unix.EpollCtl(lp.epfd, op, fd, &ev); err != nil {
		return fmt.Errorf("eventloop: epoll_ctl: %w", err)
	}
	return nil
}

func (lp *loop) closeFDs() {
	if lp.closed {
		return
	}
	lp.closed = true
	_ = unix.Close(lp.wakefd)
	_ = unix.Close(lp.epfd)
}

// post runs f on the loop's goroutine, soon.
func (lp *loop) post(f func()) {
	lp.mu.Lock()
	lp.inbox = append(lp.inbox, f)
	lp.mu.Unlock()
	if !lp.woken.Swap(true) {
		var one = [8]byte{1}
		_, _ = unix.Write(lp.wakefd, one[:])
	}
}

// wakeup empties the eventfd and runs what was posted, in order.
func (lp *loop) wakeup() {
	var b [8]byte
	_, _ = unix.Read(lp.wakefd, b[:])
	lp.woken.Store(false)
	lp.mu.Lock()
	fs := lp.inbox
	lp.inbox = nil
	lp.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// run is the loop: wait for readiness, serve what is ready, until the
// drain has closed every connection.
func (lp *loop) run() {
	if lp.e.s.LockThread {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	defer lp.closeFDs()
	busy := false // the last wait returned events: look again without blocking
	for !(lp.draining && lp.live == 0) {
		n, err := lp.wait(busy)
		busy = n > 0
		if err != nil && err != unix.EINTR {
			lp.e.p.ReportError(fmt.Errorf("eventloop: loop %d: epoll_wait: %w", lp.id, err))
			lp.abort()
			return
		}
		for i := range n {
			ev := lp.events[i]
			switch fd := int(ev.Fd); {
			case fd == lp.wakefd:
				lp.wakeup()
			case lp.watching && fd == lp.e.lfd:
				lp.accept()
			case fd < len(lp.conns) && lp.conns[fd] != nil:
				lp.ready(lp.conns[fd], ev.Events)
			}
		}
		lp.retryAccept()
	}
}

// wait waits for readiness. After a wait that returned events (busy), it
// first looks without blocking, as a raw system call that the Go scheduler
// does not see (gnet's trick: a blocking epoll_wait makes the runtime hand
// the loop's P to another thread, which costs more than the call); only
// when nothing is ready does it yield and then block.
func (lp *loop) wait(busy bool) (int, error) {
	if busy {
		n, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(lp.epfd),
			uintptr(unsafe.Pointer(&lp.events[0])), uintptr(len(lp.events)), 0, 0, 0)
		if errno != 0 {
			return 0, errno
		}
		if n > 0 {
			return int(n), nil
		}
		runtime.Gosched()
	}
	return unix.EpollWait(lp.epfd, lp.events, lp.timeout())
}

// timeout is how long epoll_wait may sleep: until the accept back-off
// ends, or for ever.
func (lp *loop) timeout() int {
	if !lp.accepting || lp.watching {
		return -1
	}
	return max(1, int(time.Until(lp.retryAt).Milliseconds())+1)
}

func (lp *loop) startAccept() {
	lp.accepting = true
	lp.retryAccept()
}

func (lp *loop) stopAccept() {
	lp.accepting = false
	if lp.watching {
		_ = lp.ctl(unix.EPOLL_CTL_DEL, lp.e.lfd, 0)
		lp.watching = false
	}
}

// retryAccept watches the listener again once the back-off is over. Every
// loop watches it with EPOLLEXCLUSIVE, so a new connection wakes one loop,
// not all of them.
func (lp *loop) retryAccept() {
	if !lp.accepting || lp.watching || time.Now().Before(lp.retryAt) {
		return
	}
	if err := lp.ctl(unix.EPOLL_CTL_ADD, lp.e.lfd, unix.EPOLLIN|unix.EPOLLEXCLUSIVE); err != nil {
		lp.e.p.ReportError(err)
		lp.accepting = false
		return
	}
	lp.watching = true
}

// accept takes up to a batch of connections from the listener, admits
// each through the server's pipeline and places it on a loop.
func (lp *loop) accept() {
	for range 32 {
		fd, sa, err := unix.Accept4(lp.e.lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch {
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR || err == unix.ECONNABORTED:
			continue
		case err != nil && temporary(err):
			lp.delay = lp.e.backoff(fmt.Errorf("accept4: %w", err), lp.delay)
			lp.retryAt = time.Now().Add(lp.delay)
			_ = lp.ctl(unix.EPOLL_CTL_DEL, lp.e.lfd, 0)
			lp.watching = false
			return
		case err != nil:
			lp.e.p.ReportError(fmt.Errorf("eventloop: accept4: %w", err))
			lp.stopAccept()
			return
		}
		lp.delay = 0
		own := newFDConn(fd, sa, lp.e.l.Addr())
		c := lp.e.p.Admit(own)
		if c == nil { // refused: Admit shut it down; now it is closed
			own.release()
			_ = own.Close()
			continue
		}
		lp.e.noteConn(c)
		lp.e.place(lp, c, fd, own)
	}
}

// drain starts the end of a graceful shutdown: a connection with nothing
// pending gets one last read (a request already in its socket is
// answered) and is closed; the others are closed once answered.
func (lp *loop) drain() {
	lp.draining = true
	for _, c := range lp.conns {
		if c == nil || c.finished {
			continue
		}
		if c.idle() && !c.closing {
			lp.read(c)
		}
		if !c.finished {
			lp.settle(c)
		}
	}
}

// abort closes every connection now (the server was closed); one whose
// message is with a worker is closed when the worker is done.
func (lp *loop) abort() {
	lp.stopAccept()
	lp.draining = true
	for _, c := range lp.conns {
		if c == nil || c.finished {
			continue
		}
		c.closing, c.out = true, nil
		if c.err == nil {
			c.err = errAborted
		}
		if !c.busy {
			lp.finish(c)
		}
	}
}
