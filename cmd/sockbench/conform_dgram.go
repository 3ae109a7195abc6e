package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// runConformDatagram is conform --network udp|unixgram: the datagram
// checks against the server at addr (or the Unix path).
func runConformDatagram(ctx context.Context, network, addr, unixPath string, timeout time.Duration, stdout, stderr io.Writer) int {
	target := addr
	switch {
	case network == "unixgram" && unixPath == "":
		fmt.Fprintln(stderr, "sockbench conform: --network unixgram needs --unix PATH")
		return 2
	case network == "unixgram":
		target = unixPath
	case !isDatagramNetwork(network):
		fmt.Fprintf(stderr, "sockbench conform: --network %q: want udp, udp4, udp6 or unixgram (streams need no --network)\n", network)
		return 2
	case addr == "" || unixPath != "":
		fmt.Fprintln(stderr, "sockbench conform: --network udp needs --addr HOST:PORT (and no --unix)")
		return 2
	}
	if timeout <= 0 {
		fmt.Fprintln(stderr, "sockbench conform: --timeout must be positive")
		return 2
	}
	// One datagram first: with nothing answering, every check would fail
	// for the same reason; say it once.
	if err := probeDatagram(ctx, network, target, timeout); err != nil {
		fmt.Fprintf(stderr, "sockbench conform: no server to check: %v\n", err)
		return 3
	}
	passed, failed := 0, 0
	for _, r := range blackbox.CheckDatagramAddr(ctx, network, target, blackbox.AddrOptions{Timeout: timeout}) {
		fmt.Fprintln(stdout, r)
		if r.Pass {
			passed++
		} else {
			failed++
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1
	}
	return 0
}

// probeDatagram sends one datagram and waits for any reply.
func probeDatagram(ctx context.Context, network, addr string, timeout time.Duration) error {
	c, err := blackbox.DialDatagram(network, addr, "auto")
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, min(timeout, 5*time.Second))
	defer cancel()
	_, err = c.Exchange(ctx, []byte("probe\n"))
	return err
}
