package handlers

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"time"

	"github.com/gosocketserver/socketserver"
)

// Work is the cost a line handler pays for each request before answering.
type Work struct {
	// Rounds of SHA-256 over the line (CPU-bound work); 0 for none.
	Rounds int
	// Delay to wait, like a call to a database (I/O-bound work); 0 for none.
	// The wait ends early when the server is closed.
	Delay time.Duration
}

// UpperLines is the keep-alive line protocol: it reads lines until EOF and
// answers each with the same line upper-cased (ASCII only), newline kept,
// in one write per reply, paying w for each. Any line-based load tool can
// drive it. maxLine > 0 limits line length.
func UpperLines(maxLine int, w Work) socketserver.Handler {
	return &socketserver.StreamHandler{
		MaxLineSize: maxLine,
		Serve: func(ctx context.Context, s *socketserver.Stream) error {
			for {
				line, err := s.ReadLine()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				if err := w.do(ctx, line); err != nil {
					return err
				}
				if _, err := s.W.Write(UpperInPlace(line)); err != nil {
					return err
				}
			}
		},
	}
}

func (w Work) do(ctx context.Context, line []byte) error {
	if w.Rounds > 0 {
		sum := sha256.Sum256(line)
		for i := 1; i < w.Rounds; i++ {
			sum = sha256.Sum256(sum[:]) // not inlinable: the work cannot be elided
		}
	}
	if w.Delay > 0 {
		t := time.NewTimer(w.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Echo writes back every byte it reads until EOF, bufSize bytes at a time
// at most (0 means 32 KiB).
func Echo(bufSize int) socketserver.Handler {
	if bufSize <= 0 {
		bufSize = 32 << 10
	}
	return socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		buf := make([]byte, bufSize)
		for {
			n, err := r.Conn.Read(buf)
			if n > 0 {
				if _, werr := r.Conn.Write(buf[:n]); werr != nil {
					return werr
				}
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
}
