//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package load

import (
	"errors"
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// isAlive peeks at c without blocking: open means nothing to read yet
// (EAGAIN) or unread data; a peer close (EOF) or an error means closed.
func isAlive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := false
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, err := unix.Recvfrom(int(fd), buf[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		alive = n > 0 || errors.Is(err, unix.EAGAIN)
		return true // never wait for readiness
	})
	return err == nil && alive
}
