package handlers

import (
	"log"

	"github.com/gosocketserver/socketserver"
)

// The seed protocols and the work handlers as message handlers: the same
// bytes on the wire as Upper, UpperLines and Echo, but served one message
// at a time, so that they run under an event loop as well as under every
// other strategy (a *socketserver.MessageHandler is also a Handler).

// answered marks, in MessageConn.State, a connection of UpperMessage that
// got its reply.
type answered struct{}

// UpperMessage is Upper as a message handler: the first line (its '\n'
// kept, or what arrived before end of input) is stripped, upper-cased and
// sent back without a newline, and the connection is closed after the
// reply. Empty input gets an empty reply, logged as b” like Upper does.
// maxLine > 0 limits the line, newline included.
func UpperMessage(maxLine int, logger *log.Logger) *socketserver.MessageHandler {
	h := &socketserver.MessageHandler{
		MaxMessageSize: maxLine,
		Message: func(c *socketserver.MessageConn, msg []byte) error {
			c.CloseAfterReply()
			data := Strip(msg)
			if logger != nil {
				c.State = answered{}
				logRequest(logger, "wrote", c.RemoteAddr(), data)
			}
			_, err := c.Write(UpperInPlace(data))
			return err
		},
	}
	if logger != nil {
		h.Close = func(c *socketserver.MessageConn, err error) {
			if _, ok := c.State.(answered); !ok && err == nil {
				logRequest(logger, "wrote", c.RemoteAddr(), nil)
			}
		}
	}
	return h
}

// UpperLinesMessage is UpperLines as a message handler: every line is
// answered upper-cased with its newline (a last line without one is
// answered without), in one write per reply, after paying w.
func UpperLinesMessage(maxLine int, w Work) *socketserver.MessageHandler {
	return &socketserver.MessageHandler{
		MaxMessageSize: maxLine,
		Message: func(c *socketserver.MessageConn, msg []byte) error {
			if err := w.do(c.Context(), msg); err != nil {
				return err
			}
			_, err := c.Write(UpperInPlace(msg))
			return err
		},
	}
}

// EchoMessage is Echo as a message handler: whatever arrives is written
// back, bufSize bytes at a time at most (0 means 32 KiB).
func EchoMessage(bufSize int) *socketserver.MessageHandler {
	if bufSize <= 0 {
		bufSize = 32 << 10
	}
	return &socketserver.MessageHandler{
		Split: func(data []byte, atEOF bool) (int, []byte, error) {
			n := min(len(data), bufSize)
			if n == 0 {
				return 0, nil, nil
			}
			return n, data[:n], nil
		},
		Message: func(c *socketserver.MessageConn, msg []byte) error {
			_, err := c.Write(msg)
			return err
		},
	}
}
