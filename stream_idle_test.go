package socketserver_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

// pause is how long a client idles with the handler blocked in a read: long
// enough for the handler to have parked (a shorter pause only tests less).
const pause = 20 * time.Millisecond

// upperLines answers every line upper-cased, as handlers.UpperLines does,
// after checking that R looks as Python's rbufsize says.
func upperLines(size int) *socketserver.StreamHandler {
	return &socketserver.StreamHandler{
		ReadBufferSize: size,
		Serve: func(ctx context.Context, s *socketserver.Stream) error {
			want := max(size, 16)
			if size == 0 {
				want = socketserver.DefaultReadBufferSize
			}
			if got := s.R.Size(); got != want {
				return fmt.Errorf("R.Size() = %d, want %d", got, want)
			}
			for {
				line, err := s.ReadLine()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				if _, err := s.W.Write([]byte(strings.ToUpper(string(line)))); err != nil {
					return err
				}
			}
		},
	}
}

func serveIdle(t *testing.T, h socketserver.Handler) (addr string, errs <-chan error) {
	t.Helper()
	errc := make(chan error, 100)
	srv := &socketserver.Server{
		Handler:     h,
		Strategy:    goroutine.New(),
		HandleError: func(_ *socketserver.Request, err error) { errc <- err },
	}
	return start(t, srv), errc
}

// TestStreamIdleThenSend checks that a connection that idles, with the
// handler blocked in a read, gets exactly the answers it would get at once:
// whatever R does with its buffer while it waits is invisible.
func TestStreamIdleThenSend(t *testing.T) {
	long := strings.Repeat("y", 3*socketserver.DefaultReadBufferSize+5)
	tests := []struct {
		name   string
		size   int      // ReadBufferSize
		pieces []string // sent with a pause before each
	}{
		{"one line", 0, []string{"hello world with tcp\n"}},
		{"lines", 0, []string{"a\n", "bb\nccc\n", "d\n"}},
		{"line split across pauses", 0, []string{"hel", "lo\n"}},
		{"line longer than the buffer", 0, []string{long[:9000], long[9000:] + "\n", "z\n"}},
		{"exactly one buffer", 0, []string{strings.Repeat("q", socketserver.DefaultReadBufferSize-1) + "\n"}},
		{"last line without newline", 0, []string{"a\n", "tail"}},
		{"small buffer", 16, []string{"a\n", long + "\n"}},
		{"large buffer", 100000, []string{"a\n", long + "\n", long[:50] + "\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, errs := serveIdle(t, upperLines(tt.size))
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go func() {
				for _, p := range tt.pieces {
					time.Sleep(pause)
					if _, err := io.WriteString(c, p); err != nil {
						return
					}
				}
				c.(*net.TCPConn).CloseWrite()
			}()
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.ToUpper(strings.Join(tt.pieces, ""))
			if string(got) != want {
				t.Fatalf("got %d bytes %.40q..., want %d bytes %.40q...", len(got), got, len(want), want)
			}
			select {
			case err := <-errs:
				t.Fatalf("handler error: %v", err)
			default:
			}
		})
	}
}

// TestStreamIdleConnectionsInterleaved keeps many connections idle at once
// and wakes them in turn, so that buffers given back by idle readers are
// taken by others: every connection must still read only its own bytes.
func TestStreamIdleConnectionsInterleaved(t *testing.T) {
	const conns, rounds = 20, 3
	addr, errs := serveIdle(t, upperLines(0))
	cs := make([]net.Conn, conns)
	rs := make([]*bufio.Reader, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		cs[i], rs[i] = c, bufio.NewReader(c)
	}
	var got, want []string
	for round := range rounds {
		time.Sleep(pause)
		for i := conns - 1; i >= 0; i-- { // reverse order: another reader's buffer
			msg := fmt.Sprintf("conn %d round %d %s\n", i, round, strings.Repeat("p", i*100))
			if _, err := io.WriteString(cs[i], msg); err != nil {
				t.Fatal(err)
			}
			want = append(want, strings.ToUpper(msg))
		}
		for i := conns - 1; i >= 0; i-- {
			line, err := rs[i].ReadString('\n')
			if err != nil {
				t.Fatalf("conn %d round %d: %v", i, round, err)
			}
			got = append(got, line)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("answers (-want +got):\n%s", diff)
	}
	select {
	case err := <-errs:
		t.Fatalf("handler error: %v", err)
	default:
	}
}

// TestStreamIdleReadErrors checks that a read that fails while the
// connection idles fails as the connection's own Read does.
func TestStreamIdleReadErrors(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		client  func(c *net.TCPConn) // after the pause
		check   func(err error) error
	}{
		{"end of input", 0, func(c *net.TCPConn) { c.CloseWrite() }, func(err error) error {
			if err != io.EOF {
				return fmt.Errorf("got %v, want io.EOF itself", err)
			}
			return nil
		}},
		{"timeout", 30 * time.Millisecond, func(*net.TCPConn) {}, func(err error) error {
			var ne net.Error
			var oe *net.OpError
			if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() ||
				!errors.As(err, &oe) || oe.Op != "read" {
				return fmt.Errorf("got %#v, want a read *net.OpError that times out", err)
			}
			return nil
		}},
		{"reset", 0, func(c *net.TCPConn) { c.SetLinger(0); c.Close() }, func(err error) error {
			var oe *net.OpError
			if !errors.As(err, &oe) || oe.Op != "read" || !errors.Is(err, syscall.ECONNRESET) {
				return fmt.Errorf("got %#v, want a read *net.OpError for ECONNRESET", err)
			}
			return nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errc := make(chan error, 1)
			addr, _ := serveIdle(t, &socketserver.StreamHandler{
				Timeout: tt.timeout,
				Serve: func(ctx context.Context, s *socketserver.Stream) error {
					_, err := s.R.ReadByte()
					errc <- err
					// The reader stays usable after the error.
					if _, err := s.R.Peek(1); err == nil {
						return errors.New("Peek after a failed read returned data")
					}
					return nil
				},
			})
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			time.Sleep(pause)
			tt.client(c.(*net.TCPConn))
			select {
			case err := <-errc:
				if cerr := tt.check(err); cerr != nil {
					t.Fatal(cerr)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the handler's read did not return")
			}
		})
	}
}

// TestStreamUnreadAfterIdle checks bufio's unread operations across an
// idle wait: what was read before the wait can still be unread after it.
func TestStreamUnreadAfterIdle(t *testing.T) {
	got := make(chan string, 1)
	addr, _ := serveIdle(t, &socketserver.StreamHandler{
		Serve: func(ctx context.Context, s *socketserver.Stream) error {
			var b strings.Builder
			for range 2 {
				r, _, err := s.R.ReadRune() // waits: the client pauses first
				if err != nil {
					return err
				}
				if err := s.R.UnreadRune(); err != nil {
					return err
				}
				line, err := s.ReadLine()
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, "%c|%s", r, line)
			}
			got <- b.String()
			return nil
		},
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range []string{"é1\n", "ü2\n"} {
		time.Sleep(pause)
		io.WriteString(c, p)
	}
	select {
	case s := <-got:
		if want := "é|é1\nü|ü2\n"; s != want {
			t.Fatalf("got %q, want %q", s, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("handler did not finish")
	}
}
