package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
)

func init() {
	register(&command{
		name:    "dgram-load",
		summary: "load a datagram server (the docs' UDPServer protocol); loss counted apart",
		usage: `Usage: sockbench dgram-load (--addr HOST:PORT | --unix PATH) [flags]

Send requests of the docs' UDPServer protocol (one datagram, answered by
it stripped and upper-cased) for --duration and print what came back.
A datagram can be lost: a request not answered within --timeout counts as
lost, apart from the latency of the answered ones.

Closed loop (the default): --clients sockets, each with one request in
flight. Open loop (--rate R): R requests per second in all, sent at their
intended times over the --clients sockets whatever the replies do, the
latency measured from the intended send time.

Flags:
  --addr HOST:PORT  UDP address of the server
  --unix PATH       Unix datagram socket of the server (unixgram)
  --network NET     udp, udp4 or udp6 (default "udp"; --unix means unixgram)
  --clients N       client sockets (default 1)
  --rate R          open loop at R requests per second (default 0: closed loop)
  --duration D      how long requests are sent (default 5s)
  --timeout D       how long a request waits before it counts as lost (default 1s)

Output: one line: sent, received, lost (and the loss rate), answered
requests per second, and the p50/p99 latency of the answered ones.

Exit status: 0 when the load ran (whatever was lost), 1 when it could not
start, 2 for bad usage.

Examples:
  sockbench serve --network udp --addr 127.0.0.1:9999 --handler dgram-upper --quiet &
  sockbench dgram-load --addr 127.0.0.1:9999 --clients 4 --duration 2s
  sockbench dgram-load --addr 127.0.0.1:9999 --rate 20000 --clients 4
`,
		run: runDgramLoad,
	})
}

func runDgramLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("dgram-load", stderr)
	cfg := load.DatagramConfig{}
	fs.StringVar(&cfg.Addr, "addr", "", "")
	unixPath := fs.String("unix", "", "")
	fs.StringVar(&cfg.Network, "network", "udp", "")
	fs.IntVar(&cfg.Clients, "clients", 1, "")
	fs.Float64Var(&cfg.Rate, "rate", 0, "")
	fs.DurationVar(&cfg.Duration, "duration", 5*time.Second, "")
	fs.DurationVar(&cfg.Timeout, "timeout", time.Second, "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *unixPath != "" {
		cfg.Network, cfg.Addr = "unixgram", *unixPath
	}
	if cfg.Addr == "" || fs.NArg() > 0 || cfg.Clients > 10000 {
		fmt.Fprintln(stderr, "sockbench dgram-load: --addr HOST:PORT or --unix PATH is required (no arguments; at most 10000 clients)")
		return 2
	}
	r, err := load.RunDatagram(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench dgram-load: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, r)
	return 0
}
