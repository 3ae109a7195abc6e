package socketserver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// handleDatagram is HandleRequest on a datagram network, like Python's
// handle_request on a UDPServer: it waits for one datagram on the socket
// that Activate made, at most Timeout (or until ctx is done), and hands it
// to the Strategy. A Shutdown that begins meanwhile ends the wait with
// ErrServerClosed.
func (s *Server) handleDatagram(ctx context.Context) error {
	st, err := s.datagramStrategy()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.beginAccept(nil) {
		return ErrServerClosed
	}
	defer s.endAccept(nil)
	if testHookHandleRequest != nil {
		testHookHandleRequest(s)
	}
	pc := s.PacketConn()
	if pc == nil && s.inShutdown.Load() { // Close took the socket after beginAccept
		return ErrServerClosed
	}
	if pc == nil {
		return errors.New("socketserver: handle request: no datagram socket (call Listen or Activate; one given to ServePacket is not HandleRequest's)")
	}
	deadline, ctxDeadline := s.requestDeadline(ctx)
	_ = pc.SetReadDeadline(deadline)
	// When ctx ends or Shutdown begins, a past deadline wakes the read;
	// wait for a wake-up that has started before clearing the deadline.
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stopShutdown := context.AfterFunc(s.stopping, cancel)
	defer stopShutdown()
	woken := make(chan struct{})
	stop := context.AfterFunc(wctx, func() {
		defer close(woken)
		_ = pc.SetReadDeadline(past)
	})
	l := newPacketLoop(s, st, pc)
	buf := getBuf(l.size)
	n, addr, err := pc.ReadFrom(*buf)
	if !stop() {
		<-woken
	}
	_ = pc.SetReadDeadline(time.Time{})
	if err != nil {
		putBuf(buf)
		return s.handleDatagramError(ctx, err, ctxDeadline)
	}
	l.dispatch(buf, n, addr)
	return nil
}

// requestDeadline is when HandleRequest stops waiting: the earlier of ctx's
// deadline and Timeout from now (the zero time for neither), and whether
// it is ctx's.
func (s *Server) requestDeadline(ctx context.Context) (time.Time, bool) {
	deadline, hasDeadline := ctx.Deadline()
	ctxDeadline := hasDeadline
	if s.Timeout > 0 {
		if t := time.Now().Add(s.Timeout); !hasDeadline || t.Before(deadline) {
			deadline, ctxDeadline = t, false
		}
	}
	return deadline, ctxDeadline
}

// handleDatagramError turns a failed read of HandleRequest into its result.
func (s *Server) handleDatagramError(ctx context.Context, err error, ctxDeadline bool) error {
	switch {
	case s.inShutdown.Load():
		return ErrServerClosed
	case !errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("socketserver: read datagram: %w", err)
	case ctx.Err() != nil:
		return ctx.Err()
	case ctxDeadline:
		return context.DeadlineExceeded
	}
	if s.HandleTimeout != nil {
		s.HandleTimeout()
	}
	return ErrTimeout
}
