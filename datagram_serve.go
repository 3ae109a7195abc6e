package socketserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// This file is the datagram pipeline and its read loops: ServePacket and
// HandleRequest on a datagram socket.

// drainLimit bounds how many datagrams ServePacket reads after Shutdown
// began: what the socket had received is served, a sender that never stops
// does not keep Shutdown waiting for ever.
const drainLimit = 1 << 16

// drainWait is how long a drain read waits, where a socket cannot be read
// without waiting, for a datagram the socket has not received yet.
const drainWait = 50 * time.Millisecond

// ServePacket reads datagrams from pc and executes each with the Strategy
// until Shutdown or Close, then returns ErrServerClosed; it is Serve for a
// datagram socket (UDPServer.serve_forever). Each datagram, truncated to
// MaxPacketSize, is verified with VerifyDatagram and served by the
// DatagramHandler. Shutdown loses no received datagram: ServePacket first
// serves every datagram the socket had queued when Shutdown began, then
// waits until the datagrams it handed to the strategy have been served
// (their replies use pc), and closes pc. Close stops it at once. Temporary
// read errors are logged and retried with a backoff, other read errors end
// ServePacket and are returned. ServePacket closes pc when it returns.
//
// A [ListenerStrategy] or [StreamOnlyStrategy] cannot execute datagrams:
// ServePacket returns an error wrapping ErrStreamOnly at once.
func (s *Server) ServePacket(pc net.PacketConn) error {
	s.init()
	if pc == nil {
		return errors.New("socketserver: serve packet: nil socket (call Listen on a datagram network, then pass PacketConn())")
	}
	defer pc.Close()
	st, err := s.datagramStrategy()
	if err != nil {
		return err
	}
	if !s.beginAccept(nil) {
		return ErrServerClosed
	}
	defer s.endAccept(nil)
	s.mu.Lock()
	if s.dg.pc == pc {
		s.dg.pc = nil // ours now: closed when ServePacket returns
	}
	s.mu.Unlock()
	stopClose := context.AfterFunc(s.ctx, func() { _ = pc.Close() })
	defer stopClose()
	woken := make(chan struct{})
	stopWake := context.AfterFunc(s.stopping, func() {
		defer close(woken)
		_ = pc.SetReadDeadline(past)
	})
	l := newPacketLoop(s, st, pc)
	err = l.supervise()
	if !stopWake() {
		<-woken // a late wake-up must not cut the drain short
	}
	if s.ctx.Err() == nil && errors.Is(err, ErrServerClosed) {
		l.drain()
		l.flight.wait(s.ctx)
	}
	return err
}

// A packetLoop reads one datagram socket and hands each datagram to the
// pipeline.
type packetLoop struct {
	srv    *Server
	st     Strategy
	pc     net.PacketConn
	ctx    context.Context // handlers' context: the server's, marked as this server's
	size   int
	flight inflight
}

func newPacketLoop(s *Server, st Strategy, pc net.PacketConn) *packetLoop {
	// The context carries a Conn of this server so that Shutdown called
	// from a datagram handler knows not to wait for itself.
	ctx := context.WithValue(s.ctx, connKey{}, &Conn{srv: s})
	return &packetLoop{srv: s, st: st, pc: pc, ctx: ctx, size: s.maxPacketSize()}
}

// supervise runs the read loop in a goroutine of its own and starts it
// again if a handler that a serial strategy ran in it called
// runtime.Goexit, as superviseAcceptLoop does for connections.
func (l *packetLoop) supervise() error {
	for {
		done := make(chan error, 1)
		go func() {
			returned := false
			defer func() {
				if !returned {
					done <- errAcceptLoopExited
				}
			}()
			err := l.readLoop()
			returned = true
			done <- err
		}()
		if err := <-done; err != errAcceptLoopExited {
			return err
		}
	}
}

// readLoop is ServePacket's loop.
func (l *packetLoop) readLoop() error {
	s := l.srv
	var delay time.Duration
	canPoll := s.ServiceActions != nil
	for {
		if canPoll {
			_ = l.pc.SetReadDeadline(time.Now().Add(s.pollInterval()))
		}
		buf := getBuf(l.size)
		n, addr, err := l.pc.ReadFrom(*buf)
		if err != nil {
			putBuf(buf)
			switch {
			case s.inShutdown.Load():
				return ErrServerClosed
			case canPoll && errors.Is(err, os.ErrDeadlineExceeded):
				s.ServiceActions()
				continue
			case temporaryRead(err):
				delay = s.backoff(delay, err)
				continue
			}
			return fmt.Errorf("socketserver: read datagram: %w", err)
		}
		delay = 0
		l.dispatch(buf, n, addr)
		if canPoll {
			s.ServiceActions()
		}
	}
}

// drain serves what the socket holds once Shutdown has begun: it reads
// queued datagrams without waiting until none is left.
func (l *packetLoop) drain() {
	for range drainLimit {
		if l.srv.ctx.Err() != nil {
			return
		}
		buf := getBuf(l.size)
		n, addr, ok := readQueued(l.pc, *buf)
		if !ok {
			putBuf(buf)
			return
		}
		l.dispatch(buf, n, addr)
	}
}

// readQueuedDeadline is readQueued for a socket without a descriptor: a
// read with a short deadline.
func readQueuedDeadline(pc net.PacketConn, buf []byte) (int, net.Addr, bool) {
	_ = pc.SetReadDeadline(time.Now().Add(drainWait))
	n, addr, err := pc.ReadFrom(buf)
	return n, addr, err == nil
}

// A dgramRequest is one datagram on its way through the pipeline.
type dgramRequest struct {
	l    *packetLoop
	d    Datagram
	req  Request
	buf  *[]byte
	done atomic.Bool // served, or refused
}

// dispatch is the datagram pipeline: verify, count, execute, serve,
// report. It runs in the read loop.
func (l *packetLoop) dispatch(buf *[]byte, n int, addr net.Addr) {
	s := l.srv
	r := &dgramRequest{l: l, buf: buf}
	if ua, ok := addr.(*net.UnixAddr); ok && ua == nil {
		addr = nil // an unbound Unix sender: no address, not a typed nil
	}
	r.d = Datagram{Data: (*buf)[:n], Conn: l.pc, ClientAddr: addr, Server: s}
	r.req = Request{ClientAddr: addr, Server: s, Datagram: &r.d}
	if s.VerifyDatagram != nil && !s.VerifyDatagram(l.ctx, &r.d) {
		putBuf(buf)
		return
	}
	l.flight.add()
	err := l.st.Execute(s.ctx, r.serve)
	if err == nil {
		return
	}
	if r.done.Swap(true) {
		s.reportError(&r.req, fmt.Errorf("socketserver: strategy %T returned an error after serving the datagram: %w", l.st, err))
		return
	}
	l.flight.done()
	putBuf(buf)
	if s.ctx.Err() == nil {
		s.reportError(&r.req, fmt.Errorf("socketserver: datagram not served: %w", err))
	}
}

// serve runs the DatagramHandler on r once; it is what the strategy
// executes.
func (r *dgramRequest) serve() {
	if r.done.Swap(true) {
		r.l.srv.reportError(&r.req, fmt.Errorf("socketserver: datagram served a second time by strategy %T", r.l.st))
		return
	}
	defer r.l.flight.done()
	defer putBuf(r.buf)
	s := r.l.srv
	if s.ctx.Err() != nil { // closed while queued
		return
	}
	err := s.runDatagram(r.l.ctx, &r.req)
	if err == nil {
		return
	}
	var pe *PanicError
	if s.ctx.Err() == nil || errors.As(err, &pe) {
		s.reportError(&r.req, err)
	}
}

// runDatagram runs the DatagramHandler, turning a panic into a *PanicError
// and reporting a runtime.Goexit (after which it never returns), as
// runHandler does for connections.
func (s *Server) runDatagram(ctx context.Context, r *Request) (err error) {
	returned := false
	defer func() {
		if v := recover(); v != nil {
			err = errors.Join(err, &PanicError{Value: v, Stack: debug.Stack()})
		} else if !returned {
			s.reportError(r, fmt.Errorf("%w (the server goes on)", ErrHandlerGoexit))
		}
	}()
	err = s.DatagramHandler.ServeDatagram(ctx, r.Datagram)
	returned = true
	return err
}
