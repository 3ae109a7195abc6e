package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// runChurn is the seed's client in a loop: dial, send the line, read to
// EOF, check, close. Latency runs from the start of the dial to EOF. With
// an emulated RTT the dial comes after three one-way legs (SYN, SYN-ACK,
// and the ACK that carries the request, written at once), and EOF is seen
// one leg after it arrives.
func (w *worker) runChurn() {
	req, want := w.r.churnReq, w.r.churnWant
	buf := make([]byte, len(want)+512)
	for {
		t0 := time.Now()
		if !w.hold(3) {
			return
		}
		c, err := w.dial()
		w.report(err)
		if err != nil {
			if !w.fail("dial", err) {
				return
			}
			continue
		}
		stage, err := w.churnExchange(c, req, want, buf)
		c.close()
		if err != nil {
			if !w.fail(stage, err) {
				return
			}
			continue
		}
		if !w.hold(1) || !w.ok(time.Since(t0)) {
			return
		}
	}
}

// churnExchange sends req on c and checks that the server answers exactly
// want and closes.
func (w *worker) churnExchange(c *guardedConn, req, want, buf []byte) (string, error) {
	timeout := w.r.cfg.ReplyTimeout
	if w.slow {
		timeout += time.Duration(len(req)) * w.r.cfg.SlowDelay
	}
	if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "write", err
	}
	var err error
	if w.slow {
		err = w.writeSlow(c, req)
	} else {
		_, err = c.Write(req)
	}
	if err != nil {
		return "write", err
	}
	n := 0
	for {
		m, err := c.Read(buf[n:])
		n += m
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if n == 0 {
				return "reply", err
			}
			return "reply", fmt.Errorf("%w after %s: %w", ErrMissingReply, quote(buf[:n]), err)
		}
		if n == len(buf) {
			return "reply", fmt.Errorf("%w: more than %d bytes, want %s", ErrWrongReply, n, quote(want))
		}
	}
	if !bytes.Equal(buf[:n], want) {
		if n == 0 {
			return "reply", fmt.Errorf("%w: connection closed with no reply", ErrMissingReply)
		}
		return "reply", fmt.Errorf("%w: got %s, want %s", ErrWrongReply, quote(buf[:n]), quote(want))
	}
	return "", nil
}
