package socketserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"syscall"
	"time"
)

// This file holds what a Server does to a Unix socket's file: its mode and
// group, removing a stale one before bind, and removing its own on close.

// setupSocketFile gives the socket file that bind has just created its
// mode and group (before listen: no client can connect yet) and returns
// what identifies it, so that only this file is ever removed.
func (s *Server) setupSocketFile() (os.FileInfo, error) {
	if s.UnixMode != 0 {
		if err := os.Chmod(s.Addr, s.UnixMode.Perm()); err != nil {
			return nil, fmt.Errorf("socket file mode: %w", err)
		}
	}
	if s.UnixGroup != "" {
		gid, err := lookupGroup(s.UnixGroup)
		if err != nil {
			return nil, err
		}
		if err := os.Lchown(s.Addr, -1, gid); err != nil {
			return nil, fmt.Errorf("socket file group: %w", err)
		}
	}
	return os.Lstat(s.Addr)
}

// lookupGroup returns the id of group, a name or a numeric id.
func lookupGroup(group string) (int, error) {
	g, err := user.LookupGroup(group)
	if err != nil {
		if g, err = user.LookupGroupId(group); err != nil {
			return 0, fmt.Errorf("socket file group %q: %w", group, err)
		}
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return 0, fmt.Errorf("socket file group %q: id %q: %w", group, g.Gid, err)
	}
	return gid, nil
}

// removeOwnSocket removes path if it still is the socket file created
// (see setupSocketFile): a file that has replaced it stays.
func removeOwnSocket(path string, created os.FileInfo) {
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&os.ModeSocket != 0 && os.SameFile(fi, created) {
		_ = os.Remove(path)
	}
}

// removeStaleSocket removes path if it is a socket nobody listens on (a
// connection to it over network, "unix" or "unixgram", is refused).
// Anything else is left for bind to report.
func removeStaleSocket(network, path string) error {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return nil
	}
	c, err := net.DialTimeout(network, path, time.Second)
	if err == nil {
		c.Close()
		return nil // someone listens: bind fails with "address already in use"
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing stale socket: %w", err)
	}
	return nil
}
