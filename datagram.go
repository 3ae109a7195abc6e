package socketserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// This file is the datagram half of the Server: Python's UDPServer and
// UnixDatagramServer. There is no accept: each datagram read from the
// bound socket is one request (data, socket, client address), verified,
// executed by the Strategy through the same Execute seam as a connection,
// run through the DatagramHandler and reported. Nothing is closed per
// request; the socket is shared by every request, as in Python.

// DefaultMaxPacketSize is the largest datagram a Server reads when
// MaxPacketSize is zero: Python's max_packet_size. A longer datagram is
// truncated to its first MaxPacketSize bytes, silently, as recvfrom does.
const DefaultMaxPacketSize = 8192

// ErrStreamOnly is returned (wrapped) by ServePacket and HandleRequest on a
// datagram socket when the Strategy cannot execute datagrams: it owns
// accepting ([ListenerStrategy]) or says it serves streams only
// ([StreamOnlyStrategy]).
var ErrStreamOnly = errors.New("socketserver: strategy serves streams only")

// ErrNoReplyAddress is returned (wrapped) by Datagram.Reply when the sender
// has no address to reply to: a Unix datagram client that did not bind a
// path of its own.
var ErrNoReplyAddress = errors.New("socketserver: datagram sender has no address to reply to (a unixgram client must bind a path)")

// A StreamOnlyStrategy is a Strategy that executes connections but not
// datagrams, such as one that passes each connection to a child process.
// ServePacket refuses it with ErrStreamOnly instead of executing datagrams
// through its Execute.
type StreamOnlyStrategy interface {
	Strategy
	// StreamOnly is a marker; it is never called.
	StreamOnly()
}

// A Datagram is one request of a datagram server as its handler sees it:
// Python's self.request, which is (data, socket), with client_address and
// server.
type Datagram struct {
	// Data is the datagram, truncated to the server's MaxPacketSize. It is
	// valid until the handler returns; copy it to keep it.
	Data []byte
	// Conn is the server's socket, shared by every request (Python's
	// self.request[1]). The handler must not close it.
	Conn net.PacketConn
	// ClientAddr is the sender's address (Python's client_address); nil
	// for a Unix datagram client that did not bind a path.
	ClientAddr net.Addr
	// Server is the server that read the datagram.
	Server *Server
}

// Reply sends b to the datagram's sender as one datagram, like Python's
// socket.sendto(b, client_address). An empty b sends an empty datagram. It
// fails with ErrNoReplyAddress when the sender has no address.
func (d *Datagram) Reply(b []byte) error {
	if d.ClientAddr == nil {
		return ErrNoReplyAddress
	}
	if _, err := d.Conn.WriteTo(b, d.ClientAddr); err != nil {
		return fmt.Errorf("socketserver: reply to %s: %w", d.ClientAddr, err)
	}
	return nil
}

// A DatagramHandler serves one datagram, like Python's BaseRequestHandler
// on a UDPServer. The server calls ServeDatagram once per datagram, in
// whatever goroutine the Strategy chooses, so it must be safe for
// concurrent use. ctx is cancelled when the server is closed with Close. A
// non-nil error or a panic is reported to [Server.HandleError] (with a
// Request whose Datagram is set) and the server keeps serving.
type DatagramHandler interface {
	ServeDatagram(ctx context.Context, d *Datagram) error
}

// DatagramHandlerFunc adapts an ordinary function to DatagramHandler.
type DatagramHandlerFunc func(ctx context.Context, d *Datagram) error

// ServeDatagram calls f(ctx, d).
func (f DatagramHandlerFunc) ServeDatagram(ctx context.Context, d *Datagram) error {
	return f(ctx, d)
}

// isDatagramNetwork reports whether network is one a Server serves
// datagrams on.
func isDatagramNetwork(network string) bool {
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
		return true
	}
	return false
}

// streamNetwork maps a datagram network to the stream network whose
// addresses it shares ("udp4" to "tcp4", "unixgram" to "unix").
func streamNetwork(network string) string {
	switch network {
	case "unixgram":
		return "unix"
	case "udp", "udp4", "udp6":
		return strings.Replace(network, "udp", "tcp", 1)
	}
	return network
}

// packetAddr turns a bound address resolved as a stream one into its
// datagram form.
func packetAddr(a net.Addr) net.Addr {
	switch a := a.(type) {
	case *net.TCPAddr:
		return &net.UDPAddr{IP: a.IP, Port: a.Port, Zone: a.Zone}
	case *net.UnixAddr:
		return &net.UnixAddr{Name: a.Name, Net: "unixgram"}
	}
	return a
}

// datagramState is the Server's datagram socket between Activate and
// ServePacket; guarded by Server.mu.
type datagramState struct {
	pc net.PacketConn // activated, not yet served by ServePacket
}

// activatePacketLocked makes the bound datagram socket fd the server's
// PacketConn: a datagram socket has nothing to listen for.
func (s *Server) activatePacketLocked(fd int) error {
	f := os.NewFile(uintptr(fd), "socketserver-packet")
	pc, err := net.FilePacketConn(f) // dups the descriptor
	f.Close()
	if err != nil {
		return fmt.Errorf("socketserver: activate: %w", err)
	}
	s.dg.pc = pc
	return nil
}

// closeIdlePacket closes the activated datagram socket that no ServePacket
// has taken, and returns err or the close's error. Shutdown calls it once
// the strategy has served every datagram (their replies use the socket),
// Close at once.
func (s *Server) closeIdlePacket(err error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closeIdlePacketLocked(err)
}

// closeIdlePacketLocked is closeIdlePacket with s.mu held.
func (s *Server) closeIdlePacketLocked(err error) error {
	if s.dg.pc == nil {
		return err
	}
	if cerr := s.dg.pc.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
		err = cerr
	}
	s.dg.pc = nil
	return err
}

// PacketConn returns the datagram socket created by Activate on a datagram
// network, or nil. Pass it to ServePacket; the server owns it.
func (s *Server) PacketConn() net.PacketConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dg.pc
}

// listenAndServePacket is ListenAndServe on a datagram network.
func (s *Server) listenAndServePacket() error {
	s.mu.Lock()
	pc := s.dg.pc
	s.mu.Unlock()
	if pc == nil {
		if err := s.Listen(); err != nil {
			return err
		}
		if pc = s.PacketConn(); pc == nil {
			return ErrServerClosed
		}
	}
	return s.ServePacket(pc)
}

// datagramStrategy returns the strategy that executes datagrams, or an
// error wrapping ErrStreamOnly.
func (s *Server) datagramStrategy() (Strategy, error) {
	st := s.strategy()
	switch st.(type) {
	case ListenerStrategy, StreamOnlyStrategy:
		return nil, fmt.Errorf("socketserver: strategy %T cannot execute datagrams: %w", st, ErrStreamOnly)
	}
	if s.DatagramHandler == nil {
		return nil, errors.New("socketserver: server has no DatagramHandler")
	}
	if err := checkStrategy(st); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Server) maxPacketSize() int {
	if s.MaxPacketSize <= 0 {
		return DefaultMaxPacketSize
	}
	return s.MaxPacketSize
}

// temporaryRead reports whether a datagram read error is worth retrying.
func temporaryRead(err error) bool {
	var t interface{ Temporary() bool }
	return isTemporary(err) || (errors.As(err, &t) && t.Temporary())
}

// backoff waits the next delay after a temporary error, as the accept loop
// does, and returns it; it returns early when the server is closed.
func (s *Server) backoff(delay time.Duration, err error) time.Duration {
	if delay == 0 {
		delay = 5 * time.Millisecond
	} else if delay *= 2; delay > time.Second {
		delay = time.Second
	}
	s.logger().Warn("socketserver: datagram read error; retrying", "err", err, "delay", delay)
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.ctx.Done():
	}
	return delay
}

// inflight counts the datagrams a packet loop has handed to the strategy
// and not yet seen served, so that the loop keeps its socket open for
// their replies.
type inflight struct {
	mu   sync.Mutex
	n    int
	zero chan struct{} // closed when n drops to zero; nil when nobody waits
}

func (f *inflight) add() {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
}

func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n--; f.n == 0 && f.zero != nil {
		close(f.zero)
		f.zero = nil
	}
}

// wait returns when the count is zero or ctx is done.
func (f *inflight) wait(ctx context.Context) {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return
	}
	if f.zero == nil {
		f.zero = make(chan struct{})
	}
	zero := f.zero
	f.mu.Unlock()
	select {
	case <-zero:
	case <-ctx.Done():
	}
}

// bufPool holds read buffers of DefaultMaxPacketSize bytes; other sizes
// are allocated per datagram.
var bufPool = sync.Pool{New: func() any { b := make([]byte, DefaultMaxPacketSize); return &b }}

func getBuf(size int) *[]byte {
	if size == DefaultMaxPacketSize {
		return bufPool.Get().(*[]byte)
	}
	b := make([]byte, size)
	return &b
}

func putBuf(b *[]byte) {
	if len(*b) == DefaultMaxPacketSize {
		bufPool.Put(b)
	}
}
