package socketserver

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"sync"
)

// This file is the message-level handler contract, Python's
// asyncio.Protocol (data_received) in the shape of this package: a split
// function cuts messages out of the byte stream, and a callback answers each
// one. A MessageHandler is also an ordinary Handler (a read loop over the
// connection), so the same value runs under every strategy; a strategy that
// does the connection's I/O itself, such as an event loop, drives it through
// a MessageSession instead.

// ErrMessageTooLong is returned (wrapped) when a message, or the part of one
// received so far, is longer than the MessageHandler's MaxMessageSize.
var ErrMessageTooLong = errors.New("socketserver: message too long")

// ErrNoProgress is returned when a split function returns a message
// without consuming any input, which would deliver it forever.
var ErrNoProgress = errors.New("socketserver: split function returned a message without advancing")

// DefaultMessageBufferSize is the read buffer the MessageHandler adapter
// starts with, as large as a StreamHandler's; it grows for longer messages.
const DefaultMessageBufferSize = DefaultReadBufferSize

// A MessageHandler serves a connection one message at a time. Split cuts
// the messages out of the input (Lines when nil), Message answers each,
// and Open and Close, if set, run when the connection starts and ends.
// The fields must not change once the handler serves connections; a
// MessageHandler is safe for concurrent use by many connections, whose
// state lives in their MessageConn.
//
// As a Handler, it reads the connection into a pooled buffer and writes
// each reply straight to it, so it runs under any Strategy. An event-loop
// strategy detects a *MessageHandler and drives it with NewSession.
type MessageHandler struct {
	// Split cuts the next message out of the input, with the contract of
	// bufio.SplitFunc: (0, nil, nil) asks for more input, a token is one
	// message, bufio.ErrFinalToken delivers its token and then ends the
	// connection, any other error ends it with that error. Nil means Lines.
	Split bufio.SplitFunc
	// MaxMessageSize, when positive, ends the connection with
	// ErrMessageTooLong as soon as a message, or the part of one received
	// so far, is longer. Zero means unlimited, like Python's readline.
	MaxMessageSize int
	// Open, if set, runs before the first message; an error ends the
	// connection (Close still runs).
	Open func(c *MessageConn) error
	// Message answers one message. msg is valid only during the call and
	// may be modified in place. An error ends the connection.
	Message func(c *MessageConn, msg []byte) error
	// Close, if set, runs once when the connection ends, with nil at end
	// of input or after CloseAfterReply, or the error that ended it.
	Close func(c *MessageConn, err error)
}

// A MessageFormer is a Handler that also has a message-handler form that
// answers byte for byte alike, so that a strategy that runs only message
// handlers (the event loop) can serve it while every other strategy runs
// the Handler itself; the handlers package's seed protocols are such
// handlers. A *MessageHandler is its own message form.
type MessageFormer interface {
	// MessageForm returns the message form, or nil if there is none.
	MessageForm() *MessageHandler
}

// MessageForm returns h: a message handler is its own message form.
func (h *MessageHandler) MessageForm() *MessageHandler { return h }

// A MessageConn is one connection as a MessageHandler sees it.
type MessageConn struct {
	// State is the handler's per-connection state, free for it to set (in
	// Open, say) and read in every later call.
	State any

	req        *Request
	ctx        context.Context
	w          io.Writer
	closeAfter bool
}

// Write sends p to the client, all of it or an error. Under an event loop
// it returns before the bytes are on the wire: what the socket does not
// take at once is queued and sent in order.
func (c *MessageConn) Write(p []byte) (int, error) { return c.w.Write(p) }

// Request returns the connection's Request (its Conn is for addresses and
// options: a strategy doing its own I/O does not read or write through it).
func (c *MessageConn) Request() *Request { return c.req }

// RemoteAddr returns the client's address.
func (c *MessageConn) RemoteAddr() net.Addr { return c.req.ClientAddr }

// Context returns the connection's context, cancelled when the server is
// closed with Close.
func (c *MessageConn) Context() context.Context { return c.ctx }

// CloseAfterReply ends the connection once the current message's reply is
// sent: no further message is delivered, and the server half-closes and
// closes it.
func (c *MessageConn) CloseAfterReply() { c.closeAfter = true }

// Lines is the split function of Python's readline: each message is a
// line with its '\n', and what remains at end of input is a last message.
func Lines(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// Chunks is the split function of a byte stream without messages, for
// echo: whatever has arrived is one message.
func Chunks(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if len(data) == 0 {
		return 0, nil, nil
	}
	return len(data), data, nil
}

// FixedSize returns a split function whose messages are n bytes each
// (n >= 1); input that ends inside one is io.ErrUnexpectedEOF.
func FixedSize(n int) bufio.SplitFunc {
	return func(data []byte, atEOF bool) (int, []byte, error) {
		switch {
		case len(data) >= n:
			return n, data[:n], nil
		case atEOF && len(data) > 0:
			return 0, nil, fmt.Errorf("socketserver: %d of a %d-byte message: %w", len(data), n, io.ErrUnexpectedEOF)
		}
		return 0, nil, nil
	}
}

// LengthPrefixed is the split function of messages that start with their
// length as a 4-byte big-endian number; the message is what follows the
// prefix. Input that ends inside one is io.ErrUnexpectedEOF.
func LengthPrefixed(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if len(data) >= 4 {
		n := int(data[0])<<24 | int(data[1])<<16 | int(data[2])<<8 | int(data[3])
		if len(data)-4 >= n {
			return 4 + n, data[4 : 4+n], nil
		}
	}
	if atEOF && len(data) > 0 {
		return 0, nil, fmt.Errorf("socketserver: %d bytes of a length-prefixed message: %w", len(data), io.ErrUnexpectedEOF)
	}
	return 0, nil, nil
}

// A MessageSession runs one connection of a MessageHandler for a strategy
// that reads and writes the connection itself (an event loop): the
// strategy calls Open, then Feed with the input as it arrives, and End
// exactly once. A session is used by one goroutine at a time.
type MessageSession struct {
	h     *MessageHandler
	split bufio.SplitFunc
	conn  MessageConn
	pause func() bool
	done  bool
	ended bool
}

// NewSession starts a session of h on r, whose replies go to w.
func (h *MessageHandler) NewSession(ctx context.Context, r *Request, w io.Writer) *MessageSession {
	s := &MessageSession{h: h, split: h.Split}
	if s.split == nil {
		s.split = Lines
	}
	s.conn = MessageConn{req: r, ctx: ctx, w: w}
	return s
}

// Conn returns the session's MessageConn.
func (s *MessageSession) Conn() *MessageConn { return &s.conn }

// SetPause makes Feed check pause before each message and stop, leaving
// the rest of its input unconsumed, while pause returns true: a strategy
// bounding the replies it queues for a client that does not read
// (back-pressure) stops there and feeds the rest once they are sent.
func (s *MessageSession) SetPause(pause func() bool) { s.pause = pause }

// Open runs the handler's Open hook, if any.
func (s *MessageSession) Open() error {
	if s.h.Open == nil {
		return nil
	}
	return s.h.Open(&s.conn)
}

// Done reports whether the connection is over for the handler: the
// handler asked to close after its reply, or the split function ended the
// input. Feed delivers nothing more once it is.
func (s *MessageSession) Done() bool { return s.done || s.conn.closeAfter }

// Feed delivers every whole message at the start of data, in order, and
// returns how many bytes they took; the caller keeps the rest and feeds it
// again, with more input after it. atEOF says no more input will come. It
// stops early, with the bytes consumed so far, when the handler fails (its
// error is returned) or Done becomes true, and fails with
// ErrMessageTooLong when what is left is a partial message longer than the
// limit; see also SetPause. A panic in the handler is not recovered.
func (s *MessageSession) Feed(data []byte, atEOF bool) (int, error) {
	consumed := 0
	for !s.Done() {
		if s.pause != nil && s.pause() {
			return consumed, nil
		}
		rest := data[consumed:]
		if len(rest) == 0 && !atEOF {
			break
		}
		adv, msg, err := s.split(rest, atEOF)
		final := errors.Is(err, bufio.ErrFinalToken)
		if err != nil && !final {
			return consumed, err
		}
		if adv < 0 || adv > len(rest) {
			return consumed, fmt.Errorf("socketserver: split function advanced %d of %d bytes", adv, len(rest))
		}
		if adv == 0 && !final {
			if msg != nil {
				return consumed, ErrNoProgress
			}
			break
		}
		consumed += adv
		if max := s.h.MaxMessageSize; max > 0 && len(msg) > max {
			return consumed, fmt.Errorf("%w: %d bytes, limit %d", ErrMessageTooLong, len(msg), max)
		}
		if msg != nil && s.h.Message != nil {
			if err := s.h.Message(&s.conn, msg); err != nil {
				return consumed, err
			}
		}
		if final {
			s.done = true
		}
	}
	if max := s.h.MaxMessageSize; max > 0 && !s.Done() && len(data)-consumed > max {
		return consumed, fmt.Errorf("%w: more than %d bytes without the end of a message", ErrMessageTooLong, max)
	}
	return consumed, nil
}

// End runs the handler's Close hook, if any, with the reason the
// connection ended; only its first call does anything.
func (s *MessageSession) End(err error) {
	if s.ended {
		return
	}
	s.ended = true
	if s.h.Close != nil {
		s.h.Close(&s.conn, err)
	}
}

var messageBufPool = sync.Pool{New: func() any {
	b := make([]byte, DefaultMessageBufferSize)
	return &b
}}

// Handle implements Handler: it reads r.Conn into a pooled buffer and
// feeds a session until end of input, the handler's request to close, or
// an error, which it returns. The Close hook sees the same error, or a
// *PanicError when the handler panicked (the panic then goes on to the
// server, which reports it).
func (h *MessageHandler) Handle(ctx context.Context, r *Request) (err error) {
	s := h.NewSession(ctx, r, r.Conn)
	defer func() {
		if v := recover(); v != nil {
			s.End(&PanicError{Value: v, Stack: debug.Stack()})
			panic(v)
		}
		s.End(err)
	}()
	if err := s.Open(); err != nil {
		return err
	}
	bp := messageBufPool.Get().(*[]byte)
	defer messageBufPool.Put(bp)
	return s.readLoop(r.Conn, bp)
}

// readLoop is Handle's loop: buf[start:end] is input not yet consumed.
// The buffer *bp grows for a long message and goes back to the pool at its
// default size.
func (s *MessageSession) readLoop(rd io.Reader, bp *[]byte) error {
	buf := *bp // a grown copy replaces buf, never *bp
	start, end, eof := 0, 0, false
	for {
		n, err := s.Feed(buf[start:end], eof)
		start += n
		if err != nil || s.Done() || eof {
			return err
		}
		if start == end {
			start, end = 0, 0
		} else if end == len(buf) && start > 0 {
			end = copy(buf, buf[start:end])
			start = 0
		}
		if end == len(buf) {
			grown := make([]byte, 2*len(buf))
			copy(grown, buf[:end])
			buf = grown
		}
		m, rerr := rd.Read(buf[end:])
		end += m
		switch {
		case errors.Is(rerr, io.EOF):
			eof = true
		case rerr != nil:
			if m > 0 { // deliver what arrived before the error
				if _, ferr := s.Feed(buf[start:end], false); ferr != nil {
					return ferr
				}
			}
			return rerr
		}
	}
}
