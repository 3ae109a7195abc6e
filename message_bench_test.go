package socketserver_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/pybytes"
)

// benchLines is 64 request lines of the load generator's default size.
var benchLines = bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog, 0123456789 times\n"), 64)

// BenchmarkLines frames one line per operation with the Lines split
// function.
func BenchmarkLines(b *testing.B) {
	data := benchLines
	for b.Loop() {
		adv, tok, err := socketserver.Lines(data, false)
		if err != nil || tok == nil {
			b.Fatal("no line", err)
		}
		data = data[adv:]
		if len(data) == 0 {
			data = benchLines
		}
	}
}

// BenchmarkMessageFeed runs the message adapter over one line per
// operation: framing, the handler's callback (upper-casing, as the
// upperlines handler does) and its write, to io.Discard.
func BenchmarkMessageFeed(b *testing.B) {
	h := &socketserver.MessageHandler{
		Message: func(c *socketserver.MessageConn, msg []byte) error {
			_, err := c.Write(pybytes.UpperInPlace(msg))
			return err
		},
	}
	buf := bytes.Clone(benchLines)
	s := h.NewSession(context.Background(), &socketserver.Request{}, io.Discard)
	n := 0
	for b.Loop() {
		if n == 0 {
			copy(buf, benchLines)
		}
		line := buf[n*len(buf)/64 : (n+1)*len(buf)/64]
		if _, err := s.Feed(line, false); err != nil {
			b.Fatal(err)
		}
		n = (n + 1) % 64
	}
}
