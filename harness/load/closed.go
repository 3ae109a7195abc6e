package load

import (
	"bufio"
	"time"
)

// bigRequest is the size above which a closed-loop request is written by a
// helper goroutine while the reply is read: a server that echoes as it
// reads would otherwise block on a full socket buffer while we still write.
const bigRequest = 64 << 10

// runClosed is the closed loop, one request in flight: for well-behaved
// workers in Closed mode and for slow workers in every keep-alive mode.
func (w *worker) runClosed() {
	proto := w.r.cfg.Protocol
	req := proto.Request()
	var br *bufio.Reader
	for {
		c, ok := w.connect()
		if !ok {
			return
		}
		br = newReader(br, c, len(req))
		stage, err := w.closedSession(c, br, proto, req)
		c.close()
		if err == nil || !w.fail(stage, err) {
			return
		}
	}
}

// closedSession loops requests on c until an error (returned with the
// stage that failed) or the end of the run (nil). It does not allocate per
// request for requests up to bigRequest bytes.
func (w *worker) closedSession(c *guardedConn, br *bufio.Reader, proto Protocol, req []byte) (string, error) {
	timeout := w.r.cfg.ReplyTimeout
	if w.slow {
		timeout += time.Duration(len(req)) * w.r.cfg.SlowDelay
	}
	var werr chan error
	if !w.slow {
		werr = bigWriter(req)
	}
	for {
		t0 := time.Now()
		if !w.hold(1) { // the request on its way (emulated RTT)
			return "", nil
		}
		if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
			return "write", err
		}
		if stage, err := w.roundTrip(c, br, proto, req, werr); err != nil {
			return stage, err
		}
		if !w.hold(1) || !w.ok(time.Since(t0)) { // the reply on its way back
			return "", nil
		}
	}
}

// bigWriter returns the channel roundTrip needs for requests above
// bigRequest, nil for others.
func bigWriter(req []byte) chan error {
	if len(req) > bigRequest {
		return make(chan error, 1)
	}
	return nil
}

// roundTrip writes req (byte by byte for a slow worker; from a helper
// goroutine when werr is not nil) and reads its reply. It returns the stage
// that failed and the error, or "", nil. It does not allocate when werr is
// nil and the reply is correct.
func (w *worker) roundTrip(c *guardedConn, br *bufio.Reader, proto Protocol, req []byte, werr chan error) (string, error) {
	var err error
	switch {
	case w.slow:
		err = w.writeSlow(c, req)
	case werr != nil:
		go func() {
			_, err := c.Write(req)
			werr <- err
		}()
	default:
		_, err = c.Write(req)
	}
	if err != nil {
		return "write", err
	}
	err = proto.ReadReply(br, req)
	if werr != nil {
		if err != nil {
			_ = c.Conn.Close() // unblock the writer
		}
		if e := <-werr; e != nil && err == nil {
			return "write", e
		}
	}
	if err != nil {
		return "reply", err
	}
	return "", nil
}
