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
	// ErrLineTooLong on longer lines. Zero means unlimited, as in Python.
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

	// One allocation per connection holds what R and W are made of.
	r  bufio.Reader
	pr pollReader
	w  Writer
}

// Handle implements Handler: it sets up the stream, runs Setup, Serve and
// Finish, and flushes the writer (errors flushing are returned).
func (h *StreamHandler) Handle(ctx context.Context, r *Request) (err error) {
	var rw io.ReadWriter = r.Conn
	if h.Timeout > 0 {
		rw = &timeoutConn{Conn: r.Conn, d: h.Timeout}
	}
	if h.Nagle {
		if tc, ok := r.Conn.(*net.TCPConn); ok {
			_ = tc.SetNoDelay(false)
		}
	}
	s := &Stream{Request: r, maxLine: h.MaxLineSize}
	s.R = &s.r
	if h.ReadBufferSize <= 0 || h.ReadBufferSize == DefaultReadBufferSize {
		s.pr.start(&s.r, r.Conn, rw, h.Timeout)
		defer s.pr.stop()
	} else {
		s.r = *bufio.NewReaderSize(rw, h.ReadBufferSize)
	}
	s.w.w = rw
	if h.WriteBufferSize > 0 {
		s.w.bw = bufio.NewWriterSize(rw, h.WriteBufferSize)
	}
	s.W = &s.w
	return h.run(ctx, s)
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
// next read from the Stream. With MaxLineSize set, a longer line returns
// ErrLineTooLong (wrapped) and the rest of that line is left unread.
func (s *Stream) ReadLine() ([]byte, error) {
	line, err := pybytes.ReadLine(s.R, &s.line, s.maxLine)
	if errors.Is(err, pybytes.ErrLineTooLong) {
		return nil, s.tooLong()
	}
	return line, err
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
}

// Write writes p, all of it or an error, like Python's wfile.write.
func (w *Writer) Write(p []byte) (int, error) {
	if w.bw != nil {
		return w.bw.Write(p)
	}
	return w.w.Write(p)
}

// WriteString writes s.
func (w *Writer) WriteString(s string) (int, error) {
	if w.bw != nil {
		return w.bw.WriteString(s)
	}
	return io.WriteString(w.w, s)
}

// Flush sends any buffered output; it is a no-op when unbuffered.
func (w *Writer) Flush() error {
	if w.bw != nil {
		return w.bw.Flush()
	}
	return nil
}

// Buffered returns the number of bytes written but not yet sent.
func (w *Writer) Buffered() int {
	if w.bw != nil {
		return w.bw.Buffered()
	}
	return 0
}

// timeoutConn sets a deadline before every read and write: Python's
// socket timeout, which bounds each blocking operation.
type timeoutConn struct {
	net.Conn
	d time.Duration
}

func (c *timeoutConn) Read(p []byte) (int, error) {
	_ = c.Conn.SetReadDeadline(time.Now().Add(c.d))
	return c.Conn.Read(p)
}

func (c *timeoutConn) Write(p []byte) (int, error) {
	_ = c.Conn.SetWriteDeadline(time.Now().Add(c.d))
	return c.Conn.Write(p)
}
