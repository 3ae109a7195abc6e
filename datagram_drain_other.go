//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package socketserver

import "net"

// readQueued reads one datagram that pc's socket has already received:
// here with a short deadline.
func readQueued(pc net.PacketConn, buf []byte) (int, net.Addr, bool) {
	return readQueuedDeadline(pc, buf)
}
