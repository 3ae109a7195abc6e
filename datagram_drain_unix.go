//go:build linux || freebsd || netbsd || openbsd || dragonfly

package socketserver

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// readQueued reads one datagram that pc's socket has already received,
// without waiting and without a deadline (a deadline that a busy machine
// lets pass before the read begins would end a drain with datagrams still
// queued). ok is false when none is queued or pc has no descriptor to read
// that way, in which case a short deadline is the fallback.
func readQueued(pc net.PacketConn, buf []byte) (n int, addr net.Addr, ok bool) {
	sc, isConn := pc.(syscall.Conn)
	if !isConn {
		return readQueuedDeadline(pc, buf)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return readQueuedDeadline(pc, buf)
	}
	_ = pc.SetReadDeadline(time.Time{})
	var from unix.Sockaddr
	var rerr error
	for range 3 { // a signal may interrupt the call
		err = rc.Read(func(fd uintptr) bool {
			n, from, rerr = unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
			return true
		})
		if !errors.Is(rerr, unix.EINTR) {
			break
		}
	}
	if err != nil || rerr != nil {
		return 0, nil, false
	}
	return n, packetSockaddr(from), true
}

// packetSockaddr is the net.Addr of a datagram's sender; nil for a Unix
// sender without a path.
func packetSockaddr(sa unix.Sockaddr) net.Addr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.UDPAddr{IP: net.IP(append([]byte(nil), sa.Addr[:]...)).To16(), Port: sa.Port}
	case *unix.SockaddrInet6:
		a := &net.UDPAddr{IP: net.IP(append([]byte(nil), sa.Addr[:]...)), Port: sa.Port}
		if sa.ZoneId != 0 {
			a.Zone = strconv.Itoa(int(sa.ZoneId))
		}
		return a
	case *unix.SockaddrUnix:
		if sa.Name != "" {
			return &net.UnixAddr{Name: sa.Name, Net: "unixgram"}
		}
	}
	return nil
}
