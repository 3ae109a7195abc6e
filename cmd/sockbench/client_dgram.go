package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// runDatagramClient is client --network udp|unixgram: the docs' UDP
// client, one datagram out and one back.
func runDatagramClient(ctx context.Context, network, addr, unixPath, data string, timeout time.Duration, stdout, stderr io.Writer) int {
	if !isDatagramNetwork(network) {
		fmt.Fprintf(stderr, "sockbench client: --network %q: want udp, udp4, udp6 or unixgram\n", network)
		return 2
	}
	target := addr
	if network == "unixgram" {
		if unixPath == "" {
			fmt.Fprintln(stderr, "sockbench client: --network unixgram needs --unix PATH")
			return 2
		}
		target = unixPath
	}
	c, err := blackbox.DialDatagram(network, target, "auto")
	if err != nil {
		fmt.Fprintf(stderr, "sockbench client: %v\n", err)
		return 1
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	received, err := c.Exchange(ctx, []byte(data+"\n"))
	if err != nil {
		fmt.Fprintf(stderr, "sockbench client: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Sent:     %s\n", data)
	fmt.Fprintf(stdout, "Received: %s\n", received)
	return 0
}
