package handlers

import (
	"context"
	"errors"
	"io"
	"log"
	"net"

	"github.com/gosocketserver/socketserver"
)

// Upper is the seed's StreamRequestHandler: it reads one line (no length
// limit unless maxLine > 0), strips ASCII whitespace, and writes it back
// upper-cased (ASCII only) with no newline; the server then half-closes and
// closes. Later lines are ignored, as in Python. If logger is not nil each
// request is logged like the seed prints it ("127.0.0.1 wrote:" and the
// bytes' Python repr).
func Upper(maxLine int, logger *log.Logger) socketserver.Handler {
	return upper(maxLine, Work{}, logger)
}

// upper is Upper doing w's work between reading the line and replying
// (the spec "upper:delay=10ms": one connection per request, I/O-bound).
func upper(maxLine int, w Work, logger *log.Logger) socketserver.Handler {
	return &socketserver.StreamHandler{
		MaxLineSize: maxLine,
		Serve: func(ctx context.Context, s *socketserver.Stream) error {
			line, err := s.ReadLine()
			if err != nil && !errors.Is(err, io.EOF) {
				return err
			}
			data := Strip(line)
			logRequest(logger, "wrote", s.ClientAddr, data)
			if err := w.do(ctx, data); err != nil {
				return err
			}
			_, err = s.W.Write(UpperInPlace(data))
			return err
		},
	}
}

// UpperRecv is the seed's BaseRequestHandler: a single read of up to 1024
// bytes (whatever arrived first: TCP does not promise the whole message),
// stripped, and sent back upper-cased.
func UpperRecv(logger *log.Logger) socketserver.Handler {
	return socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		var buf [1024]byte
		n, err := r.Conn.Read(buf[:])
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		data := Strip(buf[:n])
		logRequest(logger, "received", r.ClientAddr, data)
		_, err = r.Conn.Write(UpperInPlace(data))
		return err
	})
}

// logRequest prints the seed server's two lines in one write, so that
// concurrent handlers do not interleave them.
func logRequest(logger *log.Logger, verb string, addr net.Addr, data []byte) {
	if logger == nil {
		return
	}
	host := ""
	if addr != nil { // an unbound unixgram sender has none
		host = addr.String()
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if verb == "received" {
		logger.Printf("Received from %s:\n%s", host, PyRepr(data))
		return
	}
	logger.Printf("%s wrote:\n%s", host, PyRepr(data))
}
