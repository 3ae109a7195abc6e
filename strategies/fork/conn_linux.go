//go:build linux

package fork

import (
	"fmt"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// Supported reports whether the strategy runs on this system.
const Supported = true

// connFile returns a duplicate of conn's descriptor (close-on-exec, so
// that only the child it is handed to inherits it), as an *os.File.
func connFile(conn net.Conn) (*os.File, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("fork: connection %T has no descriptor to pass to a child", conn)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("fork: connection descriptor: %w", err)
	}
	nfd := -1
	var dupErr error
	if err := rc.Control(func(fd uintptr) {
		nfd, dupErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil {
		return nil, fmt.Errorf("fork: connection descriptor: %w", err)
	}
	if dupErr != nil {
		return nil, fmt.Errorf("fork: duplicate the connection descriptor: %w", dupErr)
	}
	return os.NewFile(uintptr(nfd), "conn"), nil
}
