package handlers_test

import (
	"bytes"
	"context"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
)

// serveDatagram serves h on a fresh unixgram socket and returns a client
// socket bound to a path of its own, and the server's address.
func serveDatagram(t *testing.T, h socketserver.DatagramHandler) (net.PacketConn, net.Addr) {
	t.Helper()
	dir, err := os.MkdirTemp("", "hd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	srv := &socketserver.Server{Network: "unixgram", Addr: filepath.Join(dir, "s"), DatagramHandler: h}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	c, err := net.ListenPacket("unixgram", filepath.Join(dir, "c"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		<-done
	})
	return c, srv.ListenAddr()
}

func TestDatagramHandlers(t *testing.T) {
	tests := []struct {
		spec, send, want string
	}{
		{"dgram-upper", " hello world\n", "HELLO WORLD"},
		{"dgram-upper", "two\nlines\n", "TWO\nLINES"},
		{"dgram-upper", "", ""},
		{"dgram-stream-upper", " hello world\nsecond\n", "HELLO WORLD"},
		{"dgram-stream-upper", "", ""},
		{"dgram-stream-upper", "   \n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.spec+"/"+strings.TrimSpace(tt.send), func(t *testing.T) {
			logged := &lockedBuffer{}
			h, err := handlers.NewDatagram(tt.spec, log.New(logged, "", 0))
			if err != nil {
				t.Fatal(err)
			}
			c, addr := serveDatagram(t, h)
			if _, err := c.WriteTo([]byte(tt.send), addr); err != nil {
				t.Fatal(err)
			}
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 100)
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(buf[:n]); got != tt.want {
				t.Errorf("reply %q, want %q", got, tt.want)
			}
			if !strings.Contains(logged.String(), "wrote:") {
				t.Errorf("log %q has no request line", logged.String())
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer that handlers may write while the test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestNewDatagramErrors(t *testing.T) {
	if diff := cmp.Diff([]string{"dgram-stream-upper", "dgram-upper"}, handlers.DatagramNames()); diff != "" {
		t.Errorf("DatagramNames (-want +got):\n%s", diff)
	}
	for _, spec := range []string{"upper", "dgram-upper:x=1", "nope"} {
		if _, err := handlers.NewDatagram(spec, nil); err == nil {
			t.Errorf("NewDatagram(%q) succeeded", spec)
		}
	}
}
