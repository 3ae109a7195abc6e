//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package load

import "net"

// isAlive cannot peek here without blocking: every idle connection that
// opened counts as alive.
func isAlive(net.Conn) bool { return true }
