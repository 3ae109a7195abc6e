package socketserver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"github.com/gosocketserver/socketserver/strategies/pool"
	stsync "github.com/gosocketserver/socketserver/strategies/sync"
)

// dgramWait bounds every wait of these tests for a reply or a server.
const dgramWait = 10 * time.Second

// dgramStrategies are the strategies that execute datagrams.
var dgramStrategies = []struct {
	name string
	make func() socketserver.Strategy
}{
	{"nil", func() socketserver.Strategy { return nil }},
	{"sync", func() socketserver.Strategy { return stsync.New() }},
	{"goroutine", func() socketserver.Strategy { return goroutine.New() }},
	{"pool", func() socketserver.Strategy { return pool.New(4, 8) }},
}

// shortDir is a fresh directory with a short path (a Unix socket path has
// at most 107 bytes), removed when the test ends.
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// startDgram binds srv (on a free loopback port, or a fresh socket path
// for unixgram), serves it, and shuts it down when the test ends, checking
// that ServePacket returned ErrServerClosed.
func startDgram(t *testing.T, srv *socketserver.Server) net.Addr {
	t.Helper()
	if srv.Network == "" {
		srv.Network = "udp"
	}
	if srv.Addr == "" {
		srv.Addr = "127.0.0.1:0"
		if srv.Network == "unixgram" {
			srv.Addr = filepath.Join(shortDir(t), "s")
		}
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	addr := srv.ListenAddr()
	done := make(chan error, 1)
	go func() { done <- srv.ServePacket(srv.PacketConn()) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dgramWait)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
			srv.Close()
		}
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			t.Errorf("ServePacket returned %v, want ErrServerClosed", err)
		}
	})
	return addr
}

// dgramClient is a client socket for network: a free loopback port, or a
// bound path of its own for unixgram (an unbound one gets no reply).
func dgramClient(t *testing.T, network string) net.PacketConn {
	t.Helper()
	var c net.PacketConn
	var err error
	if network == "unixgram" {
		c, err = net.ListenPacket("unixgram", filepath.Join(shortDir(t), "c"))
	} else {
		c, err = net.ListenPacket("udp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// dgramExchange sends msg to addr from c and returns the reply.
func dgramExchange(t *testing.T, c net.PacketConn, addr net.Addr, msg []byte) []byte {
	t.Helper()
	if _, err := c.WriteTo(msg, addr); err != nil {
		t.Fatalf("send: %v", err)
	}
	return receive(t, c)
}

// receive reads one datagram from c, failing after dgramWait.
func receive(t *testing.T, c net.PacketConn) []byte {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(dgramWait))
	buf := make([]byte, 65536)
	n, _, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return buf[:n]
}

// upperDatagram is the docs' UDPServer example: reply with the data
// stripped and upper-cased.
var upperDatagram = socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
	return d.Reply(bytes.ToUpper(bytes.TrimSpace(d.Data)))
})

// lenDatagram replies with the length of the datagram it read.
var lenDatagram = socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
	return d.Reply([]byte(strconv.Itoa(len(d.Data))))
})

func TestDatagramTruncation(t *testing.T) {
	tests := []struct {
		network string
		max     int
		send    int
		want    string
	}{
		{"udp", 0, 10000, "8192"},
		{"udp", 0, 8192, "8192"},
		{"udp", 0, 0, "0"},
		{"udp", 100, 101, "100"},
		{"unixgram", 0, 10000, "8192"},
		{"unixgram", 0, 12, "12"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/max=%d/send=%d", tt.network, tt.max, tt.send), func(t *testing.T) {
			srv := &socketserver.Server{Network: tt.network, DatagramHandler: lenDatagram, MaxPacketSize: tt.max}
			addr := startDgram(t, srv)
			c := dgramClient(t, tt.network)
			if got := string(dgramExchange(t, c, addr, make([]byte, tt.send))); got != tt.want {
				t.Errorf("server read %s bytes, want %s", got, tt.want)
			}
		})
	}
}

func TestDatagramStreamHandler(t *testing.T) {
	lineUpper := &socketserver.DatagramStreamHandler{Serve: func(_ context.Context, s *socketserver.DatagramStream) error {
		s.W.Write(bytes.ToUpper(bytes.TrimSpace(s.ReadLine())))
		return nil
	}}
	silent := &socketserver.DatagramStreamHandler{Serve: func(context.Context, *socketserver.DatagramStream) error { return nil }}
	failing := &socketserver.DatagramStreamHandler{Serve: func(_ context.Context, s *socketserver.DatagramStream) error {
		s.W.WriteString("partial")
		return errors.New("boom")
	}}
	tests := []struct {
		name    string
		h       socketserver.DatagramHandler
		send    string
		want    string
		wantErr bool
	}{
		{"one line", lineUpper, " hello world \nsecond line\n", "HELLO WORLD", false},
		{"no newline", lineUpper, "abc", "ABC", false},
		{"empty datagram", lineUpper, "", "", false},
		{"nothing written sends an empty reply", silent, "x", "", false},
		{"reply sent even when Serve fails", failing, "x", "partial", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := make(chan error, 1)
			srv := &socketserver.Server{DatagramHandler: tt.h, HandleError: func(_ *socketserver.Request, err error) { errs <- err }}
			addr := startDgram(t, srv)
			c := dgramClient(t, "udp")
			if got := string(dgramExchange(t, c, addr, []byte(tt.send))); got != tt.want {
				t.Errorf("reply %q, want %q", got, tt.want)
			}
			if tt.wantErr {
				select {
				case <-errs:
				case <-time.After(dgramWait):
					t.Error("Serve's error was not reported")
				}
			}
		})
	}
}

func TestDatagramReadLine(t *testing.T) {
	var got [][]byte
	h := &socketserver.DatagramStreamHandler{Serve: func(_ context.Context, s *socketserver.DatagramStream) error {
		for range 5 {
			got = append(got, bytes.Clone(s.ReadLine()))
		}
		return nil
	}}
	d := &socketserver.Datagram{Data: []byte("a\nbc\n\nd"), Conn: discardConn{}, ClientAddr: &net.UDPAddr{}}
	if err := h.ServeDatagram(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	want := [][]byte{[]byte("a\n"), []byte("bc\n"), []byte("\n"), []byte("d"), {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

// discardConn is a PacketConn whose writes go nowhere.
type discardConn struct{ net.PacketConn }

func (discardConn) WriteTo(b []byte, _ net.Addr) (int, error) { return len(b), nil }

func TestDatagramManyClientsUnderEveryStrategy(t *testing.T) {
	const clients, rounds = 8, 5
	for _, network := range []string{"udp", "unixgram"} {
		for _, st := range dgramStrategies {
			t.Run(network+"/"+st.name, func(t *testing.T) {
				srv := &socketserver.Server{Network: network, DatagramHandler: upperDatagram, Strategy: st.make()}
				addr := startDgram(t, srv)
				var wg sync.WaitGroup
				for i := range clients {
					c := dgramClient(t, network)
					wg.Add(1)
					go func() {
						defer wg.Done()
						for r := range rounds {
							msg := fmt.Sprintf(" client %d round %d ", i, r)
							if _, err := c.WriteTo([]byte(msg), addr); err != nil {
								t.Errorf("send: %v", err)
								return
							}
							_ = c.SetReadDeadline(time.Now().Add(dgramWait))
							buf := make([]byte, 100)
							n, _, err := c.ReadFrom(buf)
							if err != nil {
								t.Errorf("client %d: %v", i, err)
								return
							}
							if want := fmt.Sprintf("CLIENT %d ROUND %d", i, r); string(buf[:n]) != want {
								t.Errorf("client %d got %q, want %q", i, buf[:n], want)
							}
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}

func TestDatagramBurstAnsweredInFull(t *testing.T) {
	const burst = 64 // well within the default socket buffers
	for _, st := range dgramStrategies {
		t.Run(st.name, func(t *testing.T) {
			srv := &socketserver.Server{DatagramHandler: upperDatagram, Strategy: st.make()}
			addr := startDgram(t, srv)
			c := dgramClient(t, "udp")
			for i := range burst {
				if _, err := c.WriteTo([]byte(fmt.Sprintf("m%d", i)), addr); err != nil {
					t.Fatal(err)
				}
			}
			got := map[string]bool{}
			for range burst {
				got[string(receive(t, c))] = true
			}
			for i := range burst {
				if !got[fmt.Sprintf("M%d", i)] {
					t.Errorf("no reply to m%d", i)
				}
			}
		})
	}
}

func TestDatagramVanishedClient(t *testing.T) {
	for _, network := range []string{"udp", "unixgram"} {
		t.Run(network, func(t *testing.T) {
			var reported atomic.Int32
			release := make(chan struct{})
			srv := &socketserver.Server{Network: network, Strategy: goroutine.New(),
				HandleError: func(*socketserver.Request, error) { reported.Add(1) },
				DatagramHandler: socketserver.DatagramHandlerFunc(func(ctx context.Context, d *socketserver.Datagram) error {
					if string(d.Data) == "wait" {
						<-release // the client goes away meanwhile
					}
					return d.Reply(d.Data)
				})}
			addr := startDgram(t, srv)
			gone := dgramClient(t, network)
			if _, err := gone.WriteTo([]byte("wait"), addr); err != nil {
				t.Fatal(err)
			}
			gone.Close()
			close(release)
			c := dgramClient(t, network)
			if got := string(dgramExchange(t, c, addr, []byte("next"))); got != "next" {
				t.Errorf("after a vanished client: reply %q, want %q", got, "next")
			}
			if network == "unixgram" {
				// The vanished client's path is gone: the reply fails,
				// reported once, and the server goes on.
				waitFor(t, func() bool { return reported.Load() == 1 })
			}
		})
	}
}

// waitFor polls cond until it holds, failing after dgramWait.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(dgramWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestDatagramUnboundUnixClientIsReported(t *testing.T) {
	errs := make(chan error, 1)
	srv := &socketserver.Server{Network: "unixgram", DatagramHandler: upperDatagram,
		HandleError: func(_ *socketserver.Request, err error) { errs <- err }}
	addr := startDgram(t, srv)
	c, err := net.DialUnix("unixgram", nil, addr.(*net.UnixAddr)) // no path of its own
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !errors.Is(err, socketserver.ErrNoReplyAddress) {
			t.Errorf("reported %v, want ErrNoReplyAddress", err)
		}
	case <-time.After(dgramWait):
		t.Fatal("the failed reply was not reported")
	}
}

// TestDatagramShutdownLosesNothing queues datagrams behind a handler that
// blocks, starts Shutdown, and checks that every one was served.
func TestDatagramShutdownLosesNothing(t *testing.T) {
	const queued = 8 // below net.unix.max_dgram_qlen (10): a fuller queue blocks the sender
	for _, st := range dgramStrategies {
		t.Run(st.name, func(t *testing.T) {
			var served atomic.Int32
			started := make(chan struct{}, 1)
			release := make(chan struct{})
			srv := &socketserver.Server{Network: "unixgram", Addr: filepath.Join(shortDir(t), "s"), Strategy: st.make(),
				DatagramHandler: socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
					if string(d.Data) == "first" {
						started <- struct{}{}
						<-release
					}
					served.Add(1)
					return d.Reply(d.Data)
				})}
			if st.name == "pool" {
				srv.Strategy = pool.New(1, 0) // the read loop blocks behind the one worker
			}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.ServePacket(srv.PacketConn()) }()
			c := dgramClient(t, "unixgram")
			_ = c.SetWriteDeadline(time.Now().Add(dgramWait))
			if _, err := c.WriteTo([]byte("first"), srv.ListenAddr()); err != nil {
				t.Fatal(err)
			}
			<-started
			for i := range queued { // a unixgram send queues at the receiver before it returns
				if _, err := c.WriteTo([]byte(fmt.Sprint(i)), srv.ListenAddr()); err != nil {
					t.Fatal(err)
				}
			}
			shut := make(chan error, 1)
			go func() { shut <- srv.Shutdown(context.Background()) }()
			time.Sleep(5 * time.Millisecond) // let Shutdown begin (nothing is asserted about it)
			close(release)
			select {
			case err := <-shut:
				if err != nil {
					t.Errorf("Shutdown: %v", err)
				}
			case <-time.After(dgramWait):
				srv.Close()
				t.Fatal("Shutdown did not return")
			}
			if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
				t.Errorf("ServePacket: %v", err)
			}
			if got := served.Load(); got != queued+1 {
				t.Errorf("served %d datagrams, want %d", got, queued+1)
			}
			for range queued + 1 {
				receive(t, c) // every reply was sent before the socket closed
			}
		})
	}
}
