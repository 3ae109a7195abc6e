package socketserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/gosocketserver/socketserver/internal/pybytes"
)

// DefaultReadBufferSize is the read buffer of a StreamHandler whose
// ReadBufferSize is zero: Python's io.DEFAULT_BUFFER_SIZE (rbufsize=-1).
const DefaultReadBufferSize = 8192

// A StreamHandler is a Handler that gives Serve a buffered reader and writer
// over the connection, like Python's StreamRequestHandler with rfile and
// wfile. The zero values of its fields are Python's defaults, except Nagle.
// A StreamHandler is safe for concurrent use by many connections.
type StreamHandler struct {
	// Serve handles one connection (Python's handle).
	Serve func(ctx context.Context, s *Stream) error
	// Setup, if set, runs before Serve; an error skips Serve and Finish.
	Setup func(ctx context.Context, s *Stream) error
	// Finish, if set, runs after Serve, even when Serve failed or panicked.
	Finish func(ctx context.Context, s *Stream) error

	// ReadBufferSize is the read buffer size; zero means
	// DefaultReadBufferSize (Python's rbufsize=-1).
	ReadBufferSize int
	// WriteBufferSize is the write buffer size; zero means unbuffered:
	// every Write goes to the connection at once (Python's wbufsize=0).
	// Buffered output is flushed when Serve returns.
	WriteBufferSize int
	// Timeout bounds every read and write on the connection (Python's
	// timeout); zero means none.
	Timeout time.Duration
	// Nagle enables Nagle's algorithm on TCP connections. Python's default
	// is enabled (disable_nagle_algorithm=False); Go's, and this zero
	// value's, is disabled (TCP_NODELAY), which we keep.
	Nagle bool
	// MaxLineSize, when positive, makes Stream.ReadLine fail with
	// ErrLineTooLong on lines of more bytes, their newline not counted.
	// Zero means the Server's MaxLineSize, whose zero means unlimited, as
	// in Python.
	MaxLineSize int
}

// A Stream is one connection as a StreamHandler's Serve sees it.
type Stream struct {
	*Request
	// R reads from the connection (Python's rfile). With the default
	// buffer size it holds no buffer while it waits for the client (see
	// pollreader.go); the one thing that shows is that UnreadByte and
	// UnreadRune may fail right after a read that waited and then failed
	// with nothing read, where they would unread the byte before it.
	R *bufio.Reader
	// W writes to the connection (Python's wfile).
	W *Writer

	maxLine int
	line    []byte // ReadLine's buffer for lines longer than R's buffer

	conn    *Conn   // nil when not served by a Server
	srv     *Server // the limits' source; nil for none
	dl      deadlines
	served  bool // ReadLine has returned a line
	drained bool // Shutdown closed the connection between requests
	linger  bool // half-close and discard input before the close

	// One allocation per connection holds what R and W are made of.
	r  bufio.Reader
	pr pollReader
	w  Writer
}

// Handle implements Handler: it sets up the stream, runs Setup, Serve and
// Finish, and flushes the writer (errors flushing are returned). The
// server's ReadTimeout, WriteTimeout, IdleTimeout and MaxLineSize apply to
// the Stream (see Stream.ReadLine). A connection ended by one of those
// limits, or closed because the server is shutting down, is half-closed
// before Handle returns, and what the client still sends is discarded for
// a moment, so that it sees an orderly close rather than a reset.
func (h *StreamHandler) Handle(ctx context.Context, r *Request) (err error) {
	s := &Stream{Request: r, maxLine: h.MaxLineSize}
	s.dl = deadlines{conn: r.Conn, op: h.Timeout}
	if srv := r.Server; srv != nil {
		s.srv = srv
		if s.maxLine <= 0 {
			s.maxLine = srv.MaxLineSize
		}
	}
	if c, ok := ctx.Value(connKey{}).(*Conn); ok && c.rwc == r.Conn {
		s.conn = c
	}
	var rw io.ReadWriter = r.Conn
	if h.Timeout > 0 {
		rw = &deadlineConn{Conn: r.Conn, d: &s.dl}
	}
	if h.Nagle {
		if tc, ok := r.Conn.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(false)
		}
	}
	s.R = &s.r
	if h.ReadBufferSize <= 0 || h.ReadBufferSize == DefaultReadBufferSize {
		s.pr.start(&s.r, r.Conn, rw, &s.dl)
		defer s.pr.stop()
	} else {
		s.r = *bufio.NewReaderSize(rw, h.ReadBufferSize)
	}
	s.w = Writer{w: rw, s: s}
	if h.WriteBufferSize > 0 {
		s.w.bw = bufio.NewWriterSize(rw, h.WriteBufferSize)
	}
	s.W = &s.w
	err = h.run(ctx, s)
	if s.linger {
		lingerClose(r.Conn)
	}
	return err
}

// run is Python's setup, handle and finish on s.
func (h *StreamHandler) run(ctx context.Context, s *Stream) (err error) {
	if h.Setup != nil {
		if err := h.Setup(ctx, s); err != nil {
			return err
		}
	}
	defer func() {
		// Python's finish: flush wfile, then the user's finish.
		if ferr := s.W.Flush(); ferr != nil && err == nil {
			err = ferr
		}
		if h.Finish != nil {
			if ferr := h.Finish(ctx, s); ferr != nil {
				err = errors.Join(err, ferr)
			}
		}
	}()
	if h.Serve == nil {
		return errors.New("socketserver: StreamHandler has no Serve function")
	}
	return h.Serve(ctx, s)
}

// ReadLine reads one line like Python's rfile.readline(): up to and
// including the next '\n', or what remains before EOF. At EOF with nothing
// read it returns (nil, io.EOF). The returned slice is valid only until the
// next read from the Stream.
//
// ReadLine applies the server's per-request limits, modelled on
// net/http.Server's: the first byte of the line must arrive within
// IdleTimeout (ReadTimeout when zero; the error matches ErrIdleTimeout),
// the whole line within ReadTimeout of its first byte (ErrReadTimeout),
// and after it is read, writes of the reply have WriteTimeout
// (ErrWriteTimeout, from W). With MaxLineSize set (the StreamHandler's, or
// else the Server's), a line of more bytes than that, its newline not
// counted, returns ErrLineTooLong (wrapped) and the rest of that line is
// left unread: "abcde\n" and "abcde" before EOF are both within a limit
// of 5. When the server is shutting down, ReadLine waiting for the next
// line returns io.EOF instead, as if the client had closed: the handler
// ends and the connection is closed in order.
func (s *Stream) ReadLine() ([]byte, error) {
	if err := s.awaitRequest(); err != nil {
		return nil, err
	}
	line, err := pybytes.ReadLine(s.R, &s.line, s.maxLine)
	s.dl.setWrite(after(s.writeTimeout()))
	switch {
	case err == nil:
		s.served = true
	case errors.Is(err, pybytes.ErrLineTooLong):
		s.linger = true
		return nil, s.tooLong()
	case errors.Is(err, io.EOF):
	default:
		err = limitErr(err, ErrReadTimeout, s.readTimeout(), s.dl.read)
		s.linger = s.linger || errors.Is(err, ErrReadTimeout)
	}
	return line, err
}

// shutdownGrace is how long a connection that has not sent its first
// request yet (one that waited in a pool's queue) may take to send it once
// the server is shutting down.
const shutdownGrace = 100 * time.Millisecond

// awaitRequest starts the next request: unless its first byte is already
// buffered it waits for it (see waitFirstByte), then gives the request
// its ReadTimeout.
func (s *Stream) awaitRequest() error {
	if s.drained {
		return io.EOF
	}
	if s.R.Buffered() == 0 {
		if err := s.waitFirstByte(); err != nil {
			return err
		}
	}
	s.dl.setRead(after(s.readTimeout()))
	return nil
}

// readTimeout, writeTimeout and idleTimeout are the server's limits (zero
// for none, or when no Server serves the Stream).
func (s *Stream) readTimeout() time.Duration {
	if s.srv == nil {
		return 0
	}
	return s.srv.ReadTimeout
}

func (s *Stream) writeTimeout() time.Duration {
	if s.srv == nil {
		return 0
	}
	return s.srv.WriteTimeout
}

// idleTimeout is the server's IdleTimeout, or its ReadTimeout when zero.
func (s *Stream) idleTimeout() time.Duration {
	if s.srv == nil {
		return 0
	}
	if s.srv.IdleTimeout > 0 {
		return s.srv.IdleTimeout
	}
	return s.srv.ReadTimeout
}

// waitFirstByte waits, holding no buffer, for the first byte of a request
// within IdleTimeout. Registered with the Conn as idle, the wait is ended
// by Shutdown, which closes a connection between requests: only one that
// has not sent its first request yet gets shutdownGrace to do so.
func (s *Stream) waitFirstByte() error {
	s.dl.setWrite(time.Time{}) // the last reply is written
	s.dl.setRead(after(s.idleTimeout()))
	if s.conn == nil || s.conn.beginIdle() {
		_, err := s.R.Peek(1)
		woken := s.conn != nil && s.conn.endIdle()
		s.dl.stale = s.dl.stale || woken
		if err == nil || !woken {
			err = limitErr(err, ErrIdleTimeout, s.idleTimeout(), s.dl.read)
			s.linger = s.linger || errors.Is(err, ErrIdleTimeout)
			return err
		}
	}
	if !s.served {
		s.dl.setRead(time.Now().Add(shutdownGrace))
		if _, err := s.R.Peek(1); err == nil {
			return nil
		}
	}
	s.drained, s.linger = true, true
	return io.EOF
}

func (s *Stream) tooLong() error {
	return &LineTooLongError{Limit: s.maxLine}
}

// A LineTooLongError is returned by Stream.ReadLine for a line longer than
// the limit; it matches ErrLineTooLong with errors.Is.
type LineTooLongError struct{ Limit int }

func (e *LineTooLongError) Error() string {
	return fmt.Sprintf("socketserver: line longer than the limit of %d bytes", e.Limit)
}

// Is reports whether target is ErrLineTooLong.
func (e *LineTooLongError) Is(target error) bool { return target == ErrLineTooLong }

// Writer is a Stream's write side (Python's wfile). Unbuffered (the
// default), every Write goes to the connection at once; buffered, output
// goes out on Flush, when the buffer fills, and when Serve returns.
type Writer struct {
	w  io.Writer
	bw *bufio.Writer
	s  *Stream // for the WriteTimeout; nil for none
}

// Write writes p, all of it or an error, like Python's wfile.write. An
// error caused by the server's WriteTimeout matches ErrWriteTimeout.
func (w *Writer) Write(p []byte) (n int, err error) {
	if w.bw != nil {
		n, err = w.bw.Write(p)
	} else {
		n, err = w.w.Write(p)
	}
	return n, w.check(err)
}

// WriteString writes s.
func (w *Writer) WriteString(s string) (n int, err error) {
	if w.bw != nil {
		n, err = w.bw.WriteString(s)
	} else {
		n, err = io.WriteString(w.w, s)
	}
	return n, w.check(err)
}

// Flush sends any buffered output; it is a no-op when unbuffered.
func (w *Writer) Flush() error {
	if w.bw != nil {
		return w.check(w.bw.Flush())
	}
	return nil
}

// check names the WriteTimeout in err when that is what it is.
func (w *Writer) check(err error) error {
	if err == nil || w.s == nil {
		return err
	}
	return limitErr(err, ErrWriteTimeout, w.s.writeTimeout(), w.s.dl.write)
}

// Buffered returns the number of bytes written but not yet sent.
func (w *Writer) Buffered() int {
	if w.bw != nil {
		return w.bw.Buffered()
	}
	return 0
}
