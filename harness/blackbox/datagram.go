package blackbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"time"
)

// The datagram checks: CPython's test_socketserver UDP cases (a round
// trip, many clients at once) and what datagrams add without connections.
var dgramChecks = []struct {
	name string
	run  func(ctx context.Context, network, addr string) error
}{
	{"DatagramExchange", func(ctx context.Context, n, a string) error { return dgramRoundTrips(ctx, n, a, 3) }},
	{"DatagramOddBytes", dgramOddBytes},
	{"DatagramTruncation", dgramTruncation},
	{"DatagramEmptyReply", func(ctx context.Context, n, a string) error { return dgramExpect(ctx, n, a, " \t\r\n", "") }},
	{"DatagramManyClients", dgramManyClients},
	{"DatagramBurst", dgramBurst},
	{"DatagramVanishedClient", dgramVanished},
	{"DatagramUnboundSender", dgramUnbound},
}

// DatagramCheckNames returns the names of CheckDatagramAddr's checks in the
// order they run.
func DatagramCheckNames() []string {
	var names []string
	for _, c := range dgramChecks {
		names = append(names, c.name)
	}
	return names
}

// CheckDatagramAddr runs the datagram checks against any server at network
// ("udp", "udp4", "udp6" or "unixgram") and addr that answers the docs'
// UDPServer protocol: each datagram of one line is answered by one
// datagram, the line stripped of ASCII whitespace and a-z upper-cased,
// read at most max_packet_size (8192) bytes, with an empty reply to an
// empty line. Python's UDPServer, ThreadingUDPServer and
// UnixDatagramServer with the docs' handlers pass. opts.Timeout bounds
// each check and opts.Only selects checks (Holders is unused). It returns
// one Result per check, in order.
func CheckDatagramAddr(ctx context.Context, network, addr string, opts AddrOptions) []Result {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	var out []Result
	for _, c := range dgramChecks {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, c.name) {
			continue
		}
		err := ctx.Err()
		if err == nil {
			err = runBounded(ctx, opts.Timeout, func(ctx context.Context) error { return c.run(ctx, network, addr) })
		}
		r := Result{Name: c.name, Pass: err == nil}
		if err != nil {
			r.Reason = err.Error()
		}
		out = append(out, r)
	}
	return out
}

// dgramExpect sends req from a fresh client and checks the reply.
func dgramExpect(ctx context.Context, network, addr, req, want string) error {
	c, err := DialDatagram(network, addr, "auto")
	if err != nil {
		return err
	}
	defer c.Close()
	got, err := c.Exchange(ctx, []byte(req))
	if err != nil {
		return fmt.Errorf("request %q: %w", req, err)
	}
	if string(got) != want {
		return fmt.Errorf("request %q: reply %q, want %q", req, abbrev(got), abbrev([]byte(want)))
	}
	return nil
}

func abbrev(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%s... (%d bytes)", b[:40], len(b))
	}
	return string(b)
}

// dgramRoundTrips is CPython's dgram_examine: n requests from one client.
func dgramRoundTrips(ctx context.Context, network, addr string, n int) error {
	c, err := DialDatagram(network, addr, "auto")
	if err != nil {
		return err
	}
	defer c.Close()
	for i := range n {
		got, err := c.Exchange(ctx, []byte(fmt.Sprintf("hello world with UDP %d\n", i)))
		if err != nil {
			return err
		}
		if want := fmt.Sprintf("HELLO WORLD WITH UDP %d", i); string(got) != want {
			return fmt.Errorf("reply %q, want %q", got, want)
		}
	}
	return nil
}

// dgramOddBytes sends the one-line odd cases (Python's strip and upper).
func dgramOddBytes(ctx context.Context, network, addr string) error {
	for _, c := range oddCases {
		if strings.Count(c.req, "\n") > 1 {
			continue // the two handler forms differ on a second line
		}
		if err := dgramExpect(ctx, network, addr, c.req, c.want); err != nil {
			return err
		}
	}
	return nil
}

// dgramTruncation: a datagram longer than max_packet_size is read as its
// first 8192 bytes.
func dgramTruncation(ctx context.Context, network, addr string) error {
	req := strings.Repeat("a", 10000)
	return dgramExpect(ctx, network, addr, req, strings.Repeat("A", 8192))
}

// dgramManyClients: replies go to the right sender when many clients send
// at once (CPython's threading cases).
func dgramManyClients(ctx context.Context, network, addr string) error {
	const clients = 16
	var wg sync.WaitGroup
	errs := make([]error, clients)
	for i := range clients {
		wg.Go(func() {
			msg := fmt.Sprintf("client %d says hi", i)
			errs[i] = dgramExpect(ctx, network, addr, msg, strings.ToUpper(msg))
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// dgramBurst: datagrams sent before any reply is read, few enough for the
// kernel's buffers (a unixgram queue holds 10), are all answered.
func dgramBurst(ctx context.Context, network, addr string) error {
	n := 32
	if network == "unixgram" {
		n = 8
	}
	c, err := DialDatagram(network, addr, "auto")
	if err != nil {
		return err
	}
	defer c.Close()
	want := map[string]bool{}
	for i := range n {
		msg := fmt.Sprintf("burst %d", i)
		want[strings.ToUpper(msg)] = true
		if _, err := c.Write([]byte(msg)); err != nil {
			return fmt.Errorf("send: %w", err)
		}
	}
	for range n {
		got, err := c.Receive(ctx)
		if err != nil {
			return fmt.Errorf("%d of %d replies missing: %w", len(want), n, err)
		}
		delete(want, string(got))
	}
	if len(want) > 0 {
		return fmt.Errorf("replies missing or wrong: %d", len(want))
	}
	return nil
}

// dgramVanished: a client that sends and goes away before its reply does
// not stop the server.
func dgramVanished(ctx context.Context, network, addr string) error {
	for range 3 {
		c, err := DialDatagram(network, addr, "auto")
		if err != nil {
			return err
		}
		_, err = c.Write([]byte("gone before the reply\n"))
		c.Close()
		if err != nil {
			return fmt.Errorf("send: %w", err)
		}
	}
	return dgramExpect(ctx, network, addr, "still there\n", "STILL THERE")
}

// dgramUnbound: our client refuses to send unixgram without a path (it
// could never be answered), and a raw unbound sender does not stop the
// server.
func dgramUnbound(ctx context.Context, network, addr string) error {
	if network != "unixgram" {
		return nil // every UDP sender has an address
	}
	if _, err := DialDatagram(network, addr, ""); !errors.Is(err, ErrUnboundUnixgram) {
		return fmt.Errorf("an unbound unixgram client: %v, want ErrUnboundUnixgram", err)
	}
	raw, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return err
	}
	_, err = raw.Write([]byte("nobody to answer\n"))
	raw.Close()
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return dgramExpect(ctx, network, addr, "after an unbound sender", "AFTER AN UNBOUND SENDER")
}
