package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/blackbox"
)

func init() {
	register(&command{
		name:    "conform",
		summary: "check that a server at an address speaks the seed's protocol (black-box conformance)",
		usage: `Usage: sockbench conform (--addr HOST:PORT | --unix PATH) [--expect serial|N|unbounded] [--holders N] [--timeout D]

Run the black-box conformance checks against a running server that speaks
the seed's protocol: the client sends one line, the server answers it
stripped of ASCII whitespace and upper-cased (a-z only), with no newline, and
closes.

Without --expect, conform first measures the server's concurrency: it holds
k silent clients (k = 1, 2, 4 ... up to --holders, then bisecting) and finds
the smallest k with which a further client waits. It prints what it found,
e.g. "concurrency: at most 8 (with 7 clients held a probe was served, with 8
it waited)", and checks the server against that: serial, at most N and
unbounded all pass. A bound above --holders shows as unbounded. Python's
socketserver.TCPServer and ThreadingTCPServer both pass with no flags.
With --expect, the Capacity check fails unless the server shows exactly
that concurrency.

Checks: ` + fmt.Sprint(blackbox.AddrCheckNames()) + `

Prints "PASS name" or "FAIL name: reason" for each check, then
"N passed, M failed" on the last line, on stdout; errors on stderr.

Exit status: 0 if every check passed, 1 if any failed (or the concurrency
could not be measured), 2 on bad usage, 3 when nothing accepts a
connection at the address (no input to check).

Flags:
  --addr HOST:PORT  TCP address of the server
  --unix PATH       Unix stream socket of the server
  --network NET     udp, udp4, udp6 or unixgram (with --unix): run the datagram
                    checks (` + strings.Join(blackbox.DatagramCheckNames(), ", ") + `)
                    against a server of the docs' UDPServer protocol instead;
                    exit 3 when nothing answers a first datagram
  --expect P        concurrency the server must show: serial, unbounded or a
                    number N (at most N at once); default: measure it and
                    accept what is found
  --holders N       silent clients held to tell unbounded from a bound
                    (default 64)
  --timeout D       bound on each check (default 60s)

Examples:
  sockbench serve --addr 127.0.0.1:9999 &
  sockbench conform --addr 127.0.0.1:9999
  sockbench conform --addr 127.0.0.1:9999 --expect unbounded
  sockbench conform --unix /tmp/upper.sock --expect 8
  sockbench conform --network udp --addr 127.0.0.1:9999
  sockbench conform --network unixgram --unix /tmp/upper.dgram
`,
		run: runConform,
	})
}

func runConform(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("conform", stderr)
	addr := fs.String("addr", "", "TCP address HOST:PORT")
	unix := fs.String("unix", "", "Unix socket path")
	expect := fs.String("expect", "", "serial, unbounded or N (default: measure)")
	holders := fs.Int("holders", 64, "silent clients held to tell unbounded from a bound")
	timeout := fs.Duration("timeout", 60*time.Second, "bound on each check")
	dgramNet := fs.String("network", "", "udp, udp4, udp6 or unixgram: datagram checks")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dgramNet != "" {
		return runConformDatagram(ctx, *dgramNet, *addr, *unix, *timeout, stdout, stderr)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sockbench conform: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	network, target := "tcp", *addr
	switch {
	case *addr != "" && *unix != "":
		fmt.Fprintln(stderr, "sockbench conform: give --addr or --unix, not both")
		return 2
	case *unix != "":
		network, target = "unix", *unix
	case *addr == "":
		fmt.Fprintln(stderr, "sockbench conform: --addr HOST:PORT or --unix PATH is required")
		return 2
	}
	var p socketserver.Concurrency
	if *expect != "" {
		var err error
		if p, err = socketserver.ParseConcurrency(*expect); err != nil {
			fmt.Fprintf(stderr, "sockbench conform: --expect: %v\n", err)
			return 2
		}
	}
	if *holders < 2 {
		fmt.Fprintln(stderr, "sockbench conform: --holders must be at least 2")
		return 2
	}
	if *timeout <= 0 {
		fmt.Fprintln(stderr, "sockbench conform: --timeout must be positive")
		return 2
	}
	// One connection first: with nothing listening, every check would fail
	// for the same reason; say it once.
	d := net.Dialer{Timeout: *timeout}
	c, err := d.DialContext(ctx, network, target)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench conform: no server to check: %v\n", err)
		return 3
	}
	c.Close()
	opts := blackbox.AddrOptions{Timeout: *timeout, Holders: *holders}
	if *expect == "" {
		mctx, cancel := context.WithTimeout(ctx, *timeout)
		m, err := blackbox.MeasureConcurrency(mctx, network, target, opts)
		cancel()
		if err != nil {
			fmt.Fprintf(stdout, "FAIL measuring the concurrency: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "concurrency: %v\n", m)
		p = m.Concurrency
	}
	passed, failed := 0, 0
	for _, r := range blackbox.CheckAddr(ctx, network, target, p, opts) {
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
