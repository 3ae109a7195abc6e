package socketserver_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
)

// split runs a split function over input the way a MessageSession does,
// delivered in pieces of at most step bytes, and returns the messages.
func split(t *testing.T, f bufio.SplitFunc, input string, step int) ([]string, error) {
	t.Helper()
	var got []string
	h := &socketserver.MessageHandler{Split: f, Message: func(_ *socketserver.MessageConn, msg []byte) error {
		got = append(got, string(msg))
		return nil
	}}
	s := h.NewSession(context.Background(), &socketserver.Request{}, io.Discard)
	var pending []byte
	for i := 0; i <= len(input); i += step {
		end := min(i+step, len(input))
		pending = append(pending, input[i:end]...)
		n, err := s.Feed(pending, end == len(input))
		pending = pending[n:]
		if err != nil {
			return got, err
		}
		if end == len(input) {
			break
		}
	}
	return got, nil
}

func TestSplitFunctions(t *testing.T) {
	tests := []struct {
		name    string
		split   bufio.SplitFunc
		input   string
		want    []string
		wantErr error
	}{
		{"lines keep newline", socketserver.Lines, "a\nbb\n\nc", []string{"a\n", "bb\n", "\n", "c"}, nil},
		{"lines empty", socketserver.Lines, "", nil, nil},
		{"lines CR kept", socketserver.Lines, "x\r\n", []string{"x\r\n"}, nil},
		{"fixed", socketserver.FixedSize(3), "abcdefghi", []string{"abc", "def", "ghi"}, nil},
		{"fixed short at EOF", socketserver.FixedSize(3), "abcde", []string{"abc"}, io.ErrUnexpectedEOF},
		{"length-prefixed", socketserver.LengthPrefixed, "\x00\x00\x00\x02hi\x00\x00\x00\x00\x00\x00\x00\x03abc", []string{"hi", "", "abc"}, nil},
		{"length-prefixed cut", socketserver.LengthPrefixed, "\x00\x00\x00\x05abc", nil, io.ErrUnexpectedEOF},
		{"chunks", socketserver.Chunks, "abc", nil, nil}, // checked separately: depends on the pieces
	}
	for _, tt := range tests {
		if tt.name == "chunks" {
			continue
		}
		for _, step := range []int{1, 2, 1 << 20} {
			got, err := split(t, tt.split, tt.input, step)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s (pieces of %d): error %v, want %v", tt.name, step, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (pieces of %d): messages (-want +got):\n%s", tt.name, step, diff)
			}
		}
	}
	got, err := split(t, socketserver.Chunks, "abcde", 2)
	if err != nil || strings.Join(got, "") != "abcde" || len(got) != 3 {
		t.Errorf("chunks of 2: %q, %v", got, err)
	}
}

func TestFeedLimitsAndStops(t *testing.T) {
	var got []string
	h := &socketserver.MessageHandler{MaxMessageSize: 4, Message: func(c *socketserver.MessageConn, msg []byte) error {
		got = append(got, string(msg))
		if string(msg) == "end\n" {
			c.CloseAfterReply()
		}
		return nil
	}}
	s := h.NewSession(context.Background(), &socketserver.Request{}, io.Discard)
	n, err := s.Feed([]byte("ab\nend\nnot delivered\n"), false)
	if err != nil || n != 7 || !s.Done() {
		t.Fatalf("Feed = %d, %v, done %v; want 7, nil, true", n, err, s.Done())
	}
	if diff := cmp.Diff([]string{"ab\n", "end\n"}, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	s = h.NewSession(context.Background(), &socketserver.Request{}, io.Discard)
	if _, err := s.Feed([]byte("abcde"), false); !errors.Is(err, socketserver.ErrMessageTooLong) {
		t.Errorf("a partial message over the limit: %v, want ErrMessageTooLong", err)
	}
	s = h.NewSession(context.Background(), &socketserver.Request{}, io.Discard)
	if _, err := s.Feed([]byte("abcd\n"), false); !errors.Is(err, socketserver.ErrMessageTooLong) {
		t.Errorf("a whole message over the limit: %v, want ErrMessageTooLong", err)
	}
	stuck := &socketserver.MessageHandler{Split: func([]byte, bool) (int, []byte, error) { return 0, []byte{}, nil }}
	if _, err := stuck.NewSession(context.Background(), &socketserver.Request{}, io.Discard).Feed([]byte("x"), false); !errors.Is(err, socketserver.ErrNoProgress) {
		t.Errorf("a split function that does not advance: %v, want ErrNoProgress", err)
	}
	final := &socketserver.MessageHandler{Split: func(data []byte, _ bool) (int, []byte, error) {
		return len(data), data, bufio.ErrFinalToken
	}}
	s = final.NewSession(context.Background(), &socketserver.Request{}, io.Discard)
	if n, err := s.Feed([]byte("all"), false); n != 3 || err != nil || !s.Done() {
		t.Errorf("ErrFinalToken: %d, %v, done %v; want 3, nil, true", n, err, s.Done())
	}
}

func TestFeedPause(t *testing.T) {
	var got []string
	h := &socketserver.MessageHandler{Message: func(_ *socketserver.MessageConn, msg []byte) error {
		got = append(got, string(msg))
		return nil
	}}
	s := h.NewSession(context.Background(), &socketserver.Request{}, io.Discard)
	s.SetPause(func() bool { return len(got) >= 2 })
	n, err := s.Feed([]byte("a\nb\nc\n"), false)
	if n != 4 || err != nil || len(got) != 2 {
		t.Fatalf("paused Feed = %d, %v after %q; want 4, nil after two messages", n, err, got)
	}
}

// pipeRequest returns a Request over one end of a loopback TCP pair and
// the other end.
func pipeRequest(t *testing.T) (*socketserver.Request, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return &socketserver.Request{Conn: server, ClientAddr: server.RemoteAddr()}, client
}

// TestMessageHandlerAdapter: as a Handler, a message handler reads the
// connection, answers each line, sees the tail at EOF, and runs its hooks.
func TestMessageHandlerAdapter(t *testing.T) {
	var closed []error
	h := &socketserver.MessageHandler{
		Open: func(c *socketserver.MessageConn) error { c.State = 0; return nil },
		Message: func(c *socketserver.MessageConn, msg []byte) error {
			c.State = c.State.(int) + 1
			_, err := c.Write(bytes.ToUpper(msg))
			return err
		},
		Close: func(c *socketserver.MessageConn, err error) { closed = append(closed, err) },
	}
	r, client := pipeRequest(t)
	long := strings.Repeat("x", 3*socketserver.DefaultMessageBufferSize)
	go func() {
		io.WriteString(client, "a\n"+long+"\ntail")
		client.(*net.TCPConn).CloseWrite()
	}()
	errc := make(chan error, 1)
	go func() { errc <- h.Handle(context.Background(), r); r.Conn.Close() }()
	got, err := io.ReadAll(client)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if want := "A\n" + strings.ToUpper(long) + "\nTAIL"; string(got) != want {
		t.Fatalf("reply of %d bytes, want %d", len(got), len(want))
	}
	if diff := cmp.Diff([]error{nil}, closed, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("Close hook (-want +got):\n%s", diff)
	}
}

// TestMessageHandlerAdapterErrors: a read error ends Handle with it (after
// the messages that arrived before it), and a panic reaches the Close hook
// as a *PanicError before going on.
func TestMessageHandlerAdapterErrors(t *testing.T) {
	var got []string
	var closeErr error
	h := &socketserver.MessageHandler{
		Message: func(_ *socketserver.MessageConn, msg []byte) error {
			if string(msg) == "panic\n" {
				panic("boom")
			}
			got = append(got, string(msg))
			return nil
		},
		Close: func(_ *socketserver.MessageConn, err error) { closeErr = err },
	}
	r := &socketserver.Request{Conn: readerConn{iotest.TimeoutReader(strings.NewReader("one\ntwo\n"))}}
	if err := h.Handle(context.Background(), r); !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("Handle over a failing reader: %v, want its error", err)
	}
	if diff := cmp.Diff([]string{"one\n", "two\n"}, got); diff != "" {
		t.Errorf("messages before the error (-want +got):\n%s", diff)
	}
	r = &socketserver.Request{Conn: readerConn{strings.NewReader("panic\n")}}
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Errorf("recovered %v, want the handler's panic", v)
			}
		}()
		_ = h.Handle(context.Background(), r)
	}()
	var pe *socketserver.PanicError
	if !errors.As(closeErr, &pe) || pe.Value != "boom" {
		t.Errorf("Close hook after a panic got %v, want a *PanicError", closeErr)
	}
}

// readerConn is a net.Conn that reads from r and discards writes.
type readerConn struct{ r io.Reader }

func (c readerConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c readerConn) Write(p []byte) (int, error)      { return len(p), nil }
func (readerConn) Close() error                       { return nil }
func (readerConn) LocalAddr() net.Addr                { return nil }
func (readerConn) RemoteAddr() net.Addr               { return nil }
func (readerConn) SetDeadline(t time.Time) error      { return nil }
func (readerConn) SetReadDeadline(t time.Time) error  { return nil }
func (readerConn) SetWriteDeadline(t time.Time) error { return nil }
