//go:build !linux

package main

import "net"

// listenQueue cannot read the accept queue on this system.
func listenQueue(ln net.Listener) (queued, max int, ok bool) { return 0, 0, false }
