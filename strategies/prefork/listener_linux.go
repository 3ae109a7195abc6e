//go:build linux

package prefork

import (
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Supported reports whether the strategy runs on this system.
const Supported = true

// listenerFile returns a close-on-exec duplicate of the listening socket
// of l (or of raw, the server's own, when l is a wrapper without a
// descriptor), checking SO_REUSEPORT on it when reuse is set.
func listenerFile(l, raw net.Listener, reuse bool) (*os.File, error) {
	rc, err := rawConn(l)
	if err != nil {
		if rc, err = rawConn(raw); err != nil {
			return nil, err
		}
	}
	nfd, reusePort := -1, 0
	var opErr error
	if err := rc.Control(func(fd uintptr) {
		if reuse {
			if reusePort, opErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT); opErr != nil {
				return
			}
		}
		nfd, opErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, fmt.Errorf("prefork: listener descriptor: %w", err)
	}
	if opErr != nil {
		return nil, fmt.Errorf("prefork: listener descriptor: %w", opErr)
	}
	f := os.NewFile(uintptr(nfd), "listener")
	if reuse && reusePort == 0 {
		f.Close()
		return nil, ErrNoReusePort
	}
	return f, nil
}

// rawConn returns l's descriptor access, or an error when l (a wrapper)
// has none.
func rawConn(l net.Listener) (syscall.RawConn, error) {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("prefork: listener %T has no descriptor to share with workers", l)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("prefork: listener descriptor: %w", err)
	}
	return rc, nil
}
