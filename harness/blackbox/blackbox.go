package blackbox

import (
	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"

	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// A Result is the outcome of one black-box check of CheckAddr.
type Result struct {
	Name   string // the check, e.g. "Exchange"
	Pass   bool
	Reason string // why it failed; empty when it passed
}

// String returns "PASS name" or "FAIL name: reason", the lines sockbench
// conform prints.
func (r Result) String() string {
	if r.Pass {
		return "PASS " + r.Name
	}
	return "FAIL " + r.Name + ": " + r.Reason
}

// AddrOptions tunes CheckAddr. The zero value is ready to use.
type AddrOptions struct {
	// Timeout bounds each check; zero means 60 s. A check still running
	// then fails (its clients are abandoned, their connections closed).
	Timeout time.Duration
	// Holders is how many silent clients the capacity check connects for
	// an unbounded promise; zero means 64.
	Holders int
	// Only, if not empty, names the checks to run (see AddrCheckNames).
	Only []string
}

// An addrCheck is one black-box check.
type addrCheck struct {
	name string
	run  func(ctx context.Context, network, addr string, p socketserver.Concurrency, o AddrOptions) error
}

var addrChecks = []addrCheck{
	{"Exchange", func(ctx context.Context, n, a string, _ socketserver.Concurrency, _ AddrOptions) error {
		return seedclient.RoundTrips(ctx, n, a, 3)
	}},
	{"OddBytes", func(ctx context.Context, n, a string, _ socketserver.Concurrency, _ AddrOptions) error {
		return oddBytes(ctx, n, a)
	}},
	{"NoNewlineHalfClose", func(ctx context.Context, n, a string, _ socketserver.Concurrency, _ AddrOptions) error {
		return halfClose(ctx, n, a)
	}},
	{"HugeLine", func(ctx context.Context, n, a string, _ socketserver.Concurrency, _ AddrOptions) error {
		return hugeLine(ctx, n, a)
	}},
	{"ByteByByte", func(ctx context.Context, n, a string, _ socketserver.Concurrency, _ AddrOptions) error {
		return byteByByte(ctx, n, a)
	}},
	{"ClientFaults", func(ctx context.Context, n, a string, _ socketserver.Concurrency, _ AddrOptions) error {
		return clientFaults(ctx, n, a)
	}},
	{"Burst", func(ctx context.Context, n, a string, _ socketserver.Concurrency, _ AddrOptions) error {
		return burst(ctx, n, a, 20)
	}},
	{"Capacity", capacity},
	{"SlowClient", func(ctx context.Context, n, a string, p socketserver.Concurrency, _ AddrOptions) error {
		return slowClient(ctx, n, a, p)
	}},
}

// AddrCheckNames returns the names of CheckAddr's checks in the order they
// run.
func AddrCheckNames() []string {
	names := make([]string, len(addrChecks))
	for i, c := range addrChecks {
		names[i] = c.name
	}
	return names
}

// CheckAddr runs the protocol-level checks against any server at
// network/addr ("tcp", "host:port" or "unix", path) that speaks the seed's
// protocol: the client sends a line, the server answers it stripped of
// ASCII whitespace and with a-z upper-cased, without a newline, and closes.
// expect is the concurrency the server should show. Python's own
// socketserver.TCPServer passes with socketserver.Serial and ThreadingTCPServer with
// socketserver.Unbounded.
//
// It returns one Result per check, in order. Checks run one after another;
// each is bounded by opts.Timeout and by ctx (when ctx is done, the
// remaining checks fail). CheckAddr blocks until all have finished, and
// leaves no goroutine or connection behind.
func CheckAddr(ctx context.Context, network, addr string, expect socketserver.Concurrency, opts AddrOptions) []Result {
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	if opts.Holders <= 0 {
		opts.Holders = 64
	}
	var out []Result
	for _, c := range addrChecks {
		if len(opts.Only) > 0 && !slices.Contains(opts.Only, c.name) {
			continue
		}
		err := ctx.Err()
		if err == nil {
			err = runBounded(ctx, opts.Timeout, func(ctx context.Context) error {
				return c.run(ctx, network, addr, expect, opts)
			})
		}
		r := Result{Name: c.name, Pass: err == nil}
		if err != nil {
			r.Reason = err.Error()
		}
		out = append(out, r)
	}
	return out
}

// runBounded runs f with a context that is cancelled after d; every client
// helper aborts its I/O when its context is done, so f returns soon after.
func runBounded(ctx context.Context, d time.Duration, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := f(ctx)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("not finished within %v: %w", d, err)
	}
	return err
}

// oddCases are requests whose replies follow Python's bytes.strip (ASCII
// whitespace only) and bytes.upper (a-z only), not Unicode rules.
var oddCases = []struct{ req, want string }{
	{"\xc3\xa9t\xe9 \xa0x\t\n", "\xc3\xa9T\xe9 \xa0X"},                         // é, Latin-1 é, NBSP kept; only t, x change
	{" \t\v\f\r abc \r\n", "ABC"},                                              // all six ASCII spaces stripped
	{"\xc2\xa0pad\xc2\xa0\n", "\xc2\xa0PAD\xc2\xa0"},                           // U+00A0 is not stripped
	{"\xc2\x85z\xe3\x80\x80\n", "\xc2\x85Z\xe3\x80\x80"},                       // U+0085 and U+3000 neither
	{"stra\xc3\x9fe \xc3\xa7a \xc4\xb1\n", "STRA\xc3\x9fE \xc3\xa7A \xc4\xb1"}, // ß, ç, ı unchanged
	{"\x00a\x00\xff\xfe\n", "\x00A\x00\xff\xfe"},                               // NUL and invalid UTF-8 pass through
	{"a\rb\x1bc\n", "A\rB\x1bC"},                                               // inner control bytes kept
	{"first\nsecond\n", "FIRST"},                                               // only the first line
	{"\n", ""},                                                                 // empty line: empty reply
	{"{[`~]}@_\n", "{[`~]}@_"},                                                 // neighbours of a-z in ASCII
}

// oddBytes sends each odd case on its own connection.
func oddBytes(ctx context.Context, network, addr string) error {
	for _, c := range oddCases {
		if err := seedclient.ExpectReply(ctx, network, addr, []byte(c.req), []byte(c.want)); err != nil {
			return err
		}
	}
	return nil
}

// halfClose: a line without a newline followed by a half-close (FIN) is
// served, as Python's readline returns what it has at EOF.
func halfClose(ctx context.Context, network, addr string) error {
	c, err := seedclient.Dial(ctx, network, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write([]byte("no newline")); err != nil {
		return err
	}
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok {
		return fmt.Errorf("%T cannot half-close", c)
	}
	if err := cw.CloseWrite(); err != nil {
		return fmt.Errorf("half-close: %w", err)
	}
	got, err := seedclient.ReadAll(c, seedclient.ReplyTimeout)
	if err != nil {
		return err
	}
	if string(got) != "NO NEWLINE" {
		return fmt.Errorf("reply %q, want %q", got, "NO NEWLINE")
	}
	return nil
}

// burst: n clients connect at once and all are eventually served. A small
// backlog drops SYNs that the kernel retries after ~1 s, 3 s...: allowed.
func burst(ctx context.Context, network, addr string, n int) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			req := fmt.Sprintf("burst %d\n", i)
			want := fmt.Sprintf("BURST %d", i)
			errs[i] = seedclient.ExpectReply(ctx, network, addr, []byte(req), []byte(want))
		})
	}
	close(start)
	wg.Wait()
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d simultaneous clients failed; first: %w", failed, n, first)
	}
	return nil
}

// capacity: K silent clients connect and hold (K = the bound, or
// o.Holders when unbounded); a probe must then starve (bounded) or be
// served (unbounded). For a bound N > 1, N-1 holders must leave room for
// the probe. Once released, everyone is served.
func capacity(ctx context.Context, network, addr string, p socketserver.Concurrency, o AddrOptions) error {
	if p.Max > 1 {
		if err := probeWith(ctx, network, addr, p.Max-1, false); err != nil {
			return fmt.Errorf("with %d holders (one fewer than promised): %w", p.Max-1, err)
		}
	}
	k, starve := o.Holders, false
	if p.Bounded() {
		k, starve = p.Max, true
	}
	return probeWith(ctx, network, addr, k, starve)
}

// probeWith connects k holders, gives the server time to take them, sends a
// probe, and checks that it starves (or not), then releases everyone.
func probeWith(ctx context.Context, network, addr string, k int, starve bool) error {
	hs, err := seedclient.HoldAll(ctx, network, addr, k)
	if err != nil {
		return err
	}
	defer seedclient.ReleaseAll(hs)
	stop := context.AfterFunc(ctx, func() { seedclient.ReleaseAll(hs) })
	defer stop()
	time.Sleep(200 * time.Millisecond) // accept queues are FIFO: the holders are taken first
	probe, err := seedclient.Dial(ctx, network, addr)
	if err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	defer probe.Close()
	stopProbe := context.AfterFunc(ctx, func() { _ = probe.SetDeadline(time.Unix(1, 0)) })
	defer stopProbe()
	if _, err := probe.Write([]byte("probe\n")); err != nil {
		return fmt.Errorf("probe: %w", err)
	}
	refused := false
	if starve {
		refused, err = seedclient.ExpectNoReply(probe, seedclient.StarveWindow)
		if err != nil {
			return fmt.Errorf("a probe was served while %d clients held connections: %v", k, err)
		}
		if err := seedclient.ReleaseAndCheck(hs); err != nil {
			return fmt.Errorf("after releasing the holders: %w", err)
		}
	}
	if refused {
		probe.Close()
		return seedclient.RoundTrips(ctx, network, addr, 1)
	}
	got, err := seedclient.ReadAll(probe, seedclient.ReplyTimeout)
	if err != nil || string(got) != "PROBE" {
		return fmt.Errorf("probe with %d holders: reply %q, %v; want %q", k, got, err, "PROBE")
	}
	if !starve {
		if err := seedclient.ReleaseAndCheck(hs); err != nil {
			return fmt.Errorf("after the probe: %w", err)
		}
	}
	return nil
}
