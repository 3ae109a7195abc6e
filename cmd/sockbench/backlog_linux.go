package main

import (
	"net"

	"golang.org/x/sys/unix"
)

// listenQueue returns the connections waiting in ln's accept queue and the
// queue's limit (the effective backlog), from TCP_INFO: for a listening
// socket Linux reports them as tcpi_unacked and tcpi_sacked.
func listenQueue(ln net.Listener) (queued, max int, ok bool) {
	tl, isTCP := ln.(*net.TCPListener)
	if !isTCP {
		return 0, 0, false
	}
	rc, err := tl.SyscallConn()
	if err != nil {
		return 0, 0, false
	}
	var info *unix.TCPInfo
	var ierr error
	if err := rc.Control(func(fd uintptr) {
		info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil || ierr != nil {
		return 0, 0, false
	}
	return int(info.Unacked), int(info.Sacked), true
}
