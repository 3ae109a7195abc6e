package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"syscall"
	"time"

	socketserver "github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// serveStatsHTTP serves the statistics read returns (serveStats's, the
// control channel's) over HTTP at addr (serveproto's StatsHandler), with
// this process's CPU time and the connections srv accepted, counting the connections srv accepts through its
// VerifyRequest hook (which must be unset) and reading this process's CPU
// time at each request. It prints the bound address on stderr and returns
// the function that stops the endpoint. Call it before srv serves.
func serveStatsHTTP(addr string, srv *socketserver.Server, read func() serveproto.Stats, stderr io.Writer) (stop func(), err error) {
	if srv.VerifyRequest != nil {
		return nil, fmt.Errorf("--stats-addr: the server already verifies requests")
	}
	var accepted atomic.Int64
	srv.VerifyRequest = func(context.Context, net.Conn) bool {
		accepted.Add(1)
		return true
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--stats-addr: %w", err)
	}
	hs := &http.Server{
		Handler: serveproto.StatsHandler(func() serveproto.Stats {
			st := read()
			st.CPU, st.Accepted = processCPUSeconds(), accepted.Load()
			return st
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = hs.Serve(ln) }()
	fmt.Fprintf(stderr, "sockbench serve: stats at http://%s%s\n", ln.Addr(), serveproto.StatsPath)
	return func() { _ = hs.Close() }, nil
}

// processCPUSeconds returns this process's user+system CPU seconds so
// far, or 0 if they cannot be read.
func processCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
