package pybytes_test

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
)

// TestStreamReadLineAgrees runs lineCases through socketserver's
// Stream.ReadLine, which today has its own copy of ReadLine's logic (the
// root package imports only the standard library): the two must answer
// alike until the Stream uses ReadLine.
func TestStreamReadLineAgrees(t *testing.T) {
	for _, tt := range lineCases {
		t.Run(tt.name, func(t *testing.T) {
			var got []lineResult
			h := &socketserver.StreamHandler{
				ReadBufferSize: 16,
				MaxLineSize:    tt.max,
				Serve: func(_ context.Context, s *socketserver.Stream) error {
					got = collectLines(s.ReadLine, func(err error) bool { return errors.Is(err, socketserver.ErrLineTooLong) })
					return nil
				},
			}
			if err := h.Handle(context.Background(), &socketserver.Request{Conn: readerConn{r: caseReader(tt.in, tt.failWith)}}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Stream.ReadLine results (-want +got):\n%s", diff)
			}
		})
	}
}

// readerConn is a net.Conn that reads from r, discards writes and
// accepts every deadline.
type readerConn struct{ r io.Reader }

func (c readerConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c readerConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c readerConn) Close() error                     { return nil }
func (c readerConn) LocalAddr() net.Addr              { return pipeAddr{} }
func (c readerConn) RemoteAddr() net.Addr             { return pipeAddr{} }
func (c readerConn) SetDeadline(time.Time) error      { return nil }
func (c readerConn) SetReadDeadline(time.Time) error  { return nil }
func (c readerConn) SetWriteDeadline(time.Time) error { return nil }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
