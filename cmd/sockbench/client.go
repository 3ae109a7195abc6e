package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

func init() {
	register(&command{
		name:    "client",
		summary: "send one line and print the reply (the seed's client)",
		usage: `Usage: sockbench client [flags] WORDS...

Connect, send WORDS joined by spaces plus a newline, receive the reply and
print both, exactly like the seed's Python client:

  Sent:     hello world with TCP
  Received: HELLO WORLD WITH TCP

Like the seed it does one receive of up to 1024 bytes (TCP may deliver less);
--read-all reads until the server closes instead.

Flags:
  --addr HOST:PORT   server address (default "localhost:9999")
  --unix PATH        connect to a Unix stream socket instead
  --timeout D        connect and receive timeout (default 5s)
  --read-all         read the reply until EOF
  --network NET      udp, udp4, udp6 or unixgram (with --unix): send WORDS and the
                     newline as one datagram and print the one reply, like the
                     docs' UDP client; a unixgram client binds a temporary path
                     of its own (a server cannot answer an unbound one)

Output: the Sent and Received lines on stdout; errors on stderr.

Exit status: 0 when a reply was received, 1 when connecting, sending or
receiving failed, 2 for bad usage.

Examples:
  sockbench client hello world with TCP
  sockbench client --addr 127.0.0.1:9999 python is nice
  sockbench client --network udp --addr 127.0.0.1:9999 hello world with UDP
`,
		run: runClient,
	})
}

func runClient(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("client", stderr)
	addr := fs.String("addr", "localhost:9999", "")
	unixPath := fs.String("unix", "", "")
	timeout := fs.Duration("timeout", 5*time.Second, "")
	readAll := fs.Bool("read-all", false, "")
	dgramNet := fs.String("network", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	data := strings.Join(fs.Args(), " ")
	if *dgramNet != "" {
		return runDatagramClient(ctx, *dgramNet, *addr, *unixPath, data, *timeout, stdout, stderr)
	}
	network, address := "tcp", *addr
	if *unixPath != "" {
		network, address = "unix", *unixPath
	}
	d := net.Dialer{Timeout: *timeout}
	c, err := d.DialContext(ctx, network, address)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench client: %v\n", err)
		return 1
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(*timeout))
	if _, err := io.WriteString(c, data+"\n"); err != nil {
		fmt.Fprintf(stderr, "sockbench client: send: %v\n", err)
		return 1
	}
	var received []byte
	if *readAll {
		received, err = io.ReadAll(c)
	} else {
		buf := make([]byte, 1024)
		var n int
		n, err = c.Read(buf)
		received = buf[:n]
		if err == io.EOF {
			err = nil
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "sockbench client: receive: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Sent:     %s\n", data)
	fmt.Fprintf(stdout, "Received: %s\n", received)
	return 0
}
