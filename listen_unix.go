//go:build linux || freebsd || netbsd || openbsd || dragonfly

package socketserver

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// socketFD is a socket that is bound but not yet listening: the state
// between Python's server_bind and server_activate.
type socketFD struct {
	fd      int
	network string
}

func (f *socketFD) close() error {
	if err := unix.Close(f.fd); err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

// Bind creates the server's socket, sets SO_REUSEADDR / SO_REUSEPORT exactly
// when AllowReuseAddress / AllowReusePort ask, and binds it to Addr, like
// Python's server_bind. ListenAddr then reports the bound address (with a
// port 0 resolved). On failure the socket is closed: no descriptor leaks.
func (s *Server) Bind() error {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	if s.fd != nil || s.ln != nil {
		return errors.New("socketserver: bind: already bound")
	}
	network := s.network()
	family, sa, err := sockaddr(network, s.Addr)
	if err != nil {
		return &net.OpError{Op: "bind", Net: network, Err: err}
	}
	if family == unix.AF_UNIX && s.RemoveStaleSocket {
		if err := removeStaleSocket(network, s.Addr); err != nil {
			return &net.OpError{Op: "bind", Net: network, Addr: staticAddr{network, s.Addr}, Err: err}
		}
	}
	sotype := unix.SOCK_STREAM
	if isDatagramNetwork(network) {
		sotype = unix.SOCK_DGRAM
	}
	fd, err := unix.Socket(family, sotype|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return &net.OpError{Op: "socket", Net: network, Err: os.NewSyscallError("socket", err)}
	}
	fail := func(op string, err error) error {
		unix.Close(fd)
		return &net.OpError{Op: "bind", Net: network, Addr: staticAddr{network, s.Addr}, Err: os.NewSyscallError(op, err)}
	}
	if s.AllowReuseAddress {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return fail("setsockopt", err)
		}
	}
	if s.AllowReusePort {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
			return fail("setsockopt", err)
		}
	}
	if family == unix.AF_INET6 {
		v6only := 0
		if network == "tcp6" || network == "udp6" {
			v6only = 1
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only); err != nil {
			return fail("setsockopt", err)
		}
	}
	if err := unix.Bind(fd, sa); err != nil {
		return fail("bind", err)
	}
	if family == unix.AF_UNIX {
		fi, err := s.setupSocketFile()
		if err != nil {
			unix.Close(fd)
			_ = os.Remove(s.Addr)
			return &net.OpError{Op: "bind", Net: network, Addr: staticAddr{network, s.Addr}, Err: err}
		}
		s.sockFile = fi
	}
	got, err := unix.Getsockname(fd)
	if err != nil {
		return fail("getsockname", err)
	}
	s.fd = &socketFD{fd: fd, network: network}
	s.boundAddr = netAddr(got)
	if isDatagramNetwork(network) {
		s.boundAddr = packetAddr(s.boundAddr)
	}
	return nil
}

// Activate starts listening on the bound socket with a backlog of
// RequestQueueSize, like Python's server_activate, and makes the listener
// that ListenAndServe serves. On failure the socket is closed.
func (s *Server) Activate() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	if s.fd == nil {
		return errors.New("socketserver: activate: not bound (call Bind first)")
	}
	fd := s.fd
	s.fd = nil
	if isDatagramNetwork(fd.network) {
		return s.activatePacketLocked(fd.fd) // no listen, no backlog
	}
	backlog := s.RequestQueueSize
	if backlog <= 0 {
		backlog = DefaultRequestQueueSize
	}
	if err := unix.Listen(fd.fd, backlog); err != nil {
		fd.close()
		return &net.OpError{Op: "listen", Net: fd.network, Addr: s.boundAddr, Err: os.NewSyscallError("listen", err)}
	}
	f := os.NewFile(uintptr(fd.fd), "socketserver-listener")
	ln, err := net.FileListener(f) // dups the descriptor
	f.Close()
	if err != nil {
		return fmt.Errorf("socketserver: activate: %w", err)
	}
	if ul, ok := ln.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false) // closeListenersLocked removes only our own file
	}
	s.ln = ln
	return nil
}

// sockaddr resolves addr for network into a socket family and address.
func sockaddr(network, addr string) (int, unix.Sockaddr, error) {
	network = streamNetwork(network)
	switch network {
	case "unix":
		if addr == "" {
			return 0, nil, errors.New("empty unix socket path")
		}
		return unix.AF_UNIX, &unix.SockaddrUnix{Name: addr}, nil
	case "tcp", "tcp4", "tcp6":
	default:
		return 0, nil, fmt.Errorf("unsupported network %q (want tcp, tcp4, tcp6, unix, udp, udp4, udp6 or unixgram)", network)
	}
	ta, err := net.ResolveTCPAddr(network, addr)
	if err != nil {
		return 0, nil, err
	}
	ip := ta.IP
	switch {
	case network == "tcp4" || (ip != nil && ip.To4() != nil && network != "tcp6"):
		sa := &unix.SockaddrInet4{Port: ta.Port}
		if ip != nil {
			copy(sa.Addr[:], ip.To4())
		}
		return unix.AF_INET, sa, nil
	case ip == nil && network == "tcp" && !supportsIPv6():
		return unix.AF_INET, &unix.SockaddrInet4{Port: ta.Port}, nil
	default:
		sa := &unix.SockaddrInet6{Port: ta.Port}
		if ip != nil {
			copy(sa.Addr[:], ip.To16())
		}
		return unix.AF_INET6, sa, nil
	}
}

func supportsIPv6() bool {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

func netAddr(sa unix.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]).To16(), Port: sa.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]), Port: sa.Port}
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: sa.Name, Net: "unix"}
	}
	return nil
}

// staticAddr names an address that was never resolved, for errors.
type staticAddr struct{ network, addr string }

func (a staticAddr) Network() string { return a.network }
func (a staticAddr) String() string  { return a.addr }
