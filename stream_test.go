package socketserver_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
)

// TestWriteBuffering is CPython's test_write: with the default
// WriteBufferSize of zero, each Write reaches the client before the handler
// returns; with a buffer, nothing does until Flush or the end of Serve.
func TestWriteBuffering(t *testing.T) {
	for _, tt := range []struct {
		name    string
		bufSize int
		early   bool // first write visible before the handler returns
	}{{"unbuffered", 0, true}, {"buffered", 4096, false}} {
		t.Run(tt.name, func(t *testing.T) {
			proceed := make(chan struct{})
			srv := &socketserver.Server{Handler: &socketserver.StreamHandler{
				WriteBufferSize: tt.bufSize,
				Serve: func(ctx context.Context, s *socketserver.Stream) error {
					if _, err := s.W.WriteString("first\n"); err != nil {
						return err
					}
					<-proceed
					_, err := s.W.WriteString("second\n")
					return err
				},
			}}
			addr := start(t, srv)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			r := bufio.NewReader(c)
			// Waiting for a line that must come may take long on a loaded
			// machine; waiting for one that must not, 200ms shows it.
			wait := 200 * time.Millisecond
			if tt.early {
				wait = 5 * time.Second
			}
			c.SetReadDeadline(time.Now().Add(wait))
			line, err := r.ReadString('\n')
			gotEarly := err == nil && line == "first\n"
			close(proceed)
			if gotEarly != tt.early {
				t.Fatalf("first line visible before the handler returned: %v, want %v (read %q, %v)", gotEarly, tt.early, line, err)
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			want := "second\n"
			if !tt.early {
				want = "first\nsecond\n"
			}
			if string(rest) != want {
				t.Fatalf("rest %q, want %q (flushed on finish)", rest, want)
			}
		})
	}
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("x", 100000)
	tests := []struct {
		name    string
		input   string
		maxLine int
		want    []string // lines ReadLine returns, then EOF
		wantErr error
	}{
		{"lines", "a\nbb\n", 0, []string{"a\n", "bb\n"}, nil},
		{"no trailing newline", "a\nlast", 0, []string{"a\n", "last"}, nil},
		{"longer than the buffer", long + "\n", 0, []string{long + "\n"}, nil},
		{"within limit", "abc\n", 4, []string{"abc\n"}, nil},
		{"over limit", "abcdef\n", 4, nil, socketserver.ErrLineTooLong},
		{"over limit across buffers", long + "\n", 50000, nil, socketserver.ErrLineTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				lines []string
				err   error
			}
			res := make(chan result, 1)
			srv := &socketserver.Server{Handler: &socketserver.StreamHandler{
				MaxLineSize:    tt.maxLine,
				ReadBufferSize: 16,
				Serve: func(ctx context.Context, s *socketserver.Stream) error {
					var r result
					for {
						line, err := s.ReadLine()
						if errors.Is(err, io.EOF) {
							break
						}
						if err != nil {
							r.err = err
							break
						}
						r.lines = append(r.lines, string(line))
					}
					res <- r
					return nil
				},
			}}
			addr := start(t, srv)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			go func() {
				io.WriteString(c, tt.input)
				c.(*net.TCPConn).CloseWrite()
			}()
			r := <-res
			if !errors.Is(r.err, tt.wantErr) {
				t.Fatalf("error %v, want %v", r.err, tt.wantErr)
			}
			if len(r.lines) != len(tt.want) {
				t.Fatalf("got %d lines, want %d", len(r.lines), len(tt.want))
			}
			for i := range r.lines {
				if r.lines[i] != tt.want[i] {
					t.Fatalf("line %d: %.20q..., want %.20q...", i, r.lines[i], tt.want[i])
				}
			}
		})
	}
}

func TestStreamTimeout(t *testing.T) {
	errc := make(chan error, 1)
	srv := &socketserver.Server{
		Handler: &socketserver.StreamHandler{
			Timeout: 50 * time.Millisecond,
			Serve: func(ctx context.Context, s *socketserver.Stream) error {
				_, err := s.ReadLine()
				errc <- err
				return err
			},
		},
		HandleError: func(*socketserver.Request, error) {},
	}
	addr := start(t, srv)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("silent client: %v, want a deadline error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("per-connection timeout did not fire")
	}
}

func TestNagleOption(t *testing.T) {
	for _, nagle := range []bool{false, true} {
		var noDelay atomic.Int32
		srv := &socketserver.Server{Handler: &socketserver.StreamHandler{
			Nagle: nagle,
			Serve: func(ctx context.Context, s *socketserver.Stream) error {
				sc, _ := s.Conn.(syscall.Conn).SyscallConn()
				sc.Control(func(fd uintptr) {
					v, _ := syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
					noDelay.Store(int32(v))
				})
				return nil
			},
		}}
		addr := start(t, srv)
		exchange(t, "tcp", addr, "")
		srv.Close()
		if got := noDelay.Load() == 0; got != nagle {
			t.Errorf("Nagle=%v: TCP_NODELAY=%d", nagle, noDelay.Load())
		}
	}
}
