package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/strategies"
	"github.com/gosocketserver/socketserver/strategies/child"
)

func init() {
	register(&command{
		name:    serveproto.ServeCommand,
		summary: "serve a handler with a concurrency strategy (the seed's server)",
		usage: `Usage: sockbench serve [flags]

Serve a handler with a strategy until Ctrl-C or SIGTERM, then shut down
gracefully: no new clients, connections waiting between requests are
closed at once, requests already read are answered (at most
--shutdown-timeout), then everything is closed and serve exits 0. A second
Ctrl-C or SIGTERM closes everything at once (exit 1).

With no flags it is the seed's server: the upper-case StreamRequestHandler on
localhost:9999, serial (Python's TCPServer), logging each request as the seed
prints it.

Flags:
  --strategy SPEC      how connections are executed (default "sync")
  --handler SPEC       what the server does per connection (default "upper")
  --addr HOST:PORT     TCP address to listen on (default "localhost:9999"; port 0 picks one)
  --network NET        tcp, tcp4 or tcp6 (default "tcp"); udp, udp4 or udp6 serve
                       datagrams (Python's UDPServer), with a datagram handler;
                       unixgram with --unix (UnixDatagramServer)
  --unix PATH          listen on a Unix stream socket instead of TCP
  --remove-socket      remove the Unix socket file on exit, only if it still is the
                       one serve created (Python never does)
  --remove-stale-socket remove a Unix socket file nobody listens on before
                       binding (a killed server's); anything else at the path
                       makes serve fail "address already in use", as in Python
  --unix-mode MODE     the Unix socket file's mode, octal (e.g. 0660), set
                       before anyone can connect (default 0: the umask's)
  --unix-group GROUP   the Unix socket file's group, a name or an id
  --backlog N          listen backlog, Python's request_queue_size
                       (` + serveproto.BacklogRange.String() + `, default 5, as Python); the servers
                       "sockbench bench" starts use 4096. Give more before
                       "bench --addr" with many clients, or their connections
                       queue and are refused; serve warns on stderr when its
                       listen queue fills
  --reuse-address      set SO_REUSEADDR (default true; Python's default is false:
                       --reuse-address=false behaves as Python)
  --reuse-port         set SO_REUSEPORT (default false)
  --quiet              do not log each request
  --print-addr         print the bound address alone on the first line of stdout,
                       once the server serves (prefork: once every worker does)
  --control            read commands on stdin: "stats" prints a JSON line of
                       runtime statistics; end of input shuts the server down
  --shutdown-timeout D how long a graceful shutdown may wait
                       (` + serveproto.ShutdownTimeoutRange.String() + `, default 5s)
  --read-timeout D     bound on reading one request (a line) from its first byte
                       (` + serveproto.TimeoutRange.String() + `, default 0s: none, as Python)
  --write-timeout D    bound on writing one reply
                       (` + serveproto.TimeoutRange.String() + `, default 0s: none)
  --idle-timeout D     bound on the wait for the first byte of a request
                       (` + serveproto.TimeoutRange.String() + `, default 0s: the read timeout)
  --max-line N         longest line in bytes, its newline not counted
                       (` + serveproto.MaxLineRange.String() + `, default 0: unlimited)
  --log-rate N         error log lines per second at most; the others are
                       counted in a "suppressed" line
                       (` + serveproto.LogRateRange.String() + `, default 20; 0: no limit)
  --stats-addr ADDR    serve the statistics of --control, with the process's CPU
                       seconds and the connections accepted, as JSON over HTTP
                       at http://ADDR/stats, for a collector on another host
                       ("sockbench load --server-stats"); the bound address is
                       printed on stderr (default "": none)

Strategies:
` + strategyHelp() + `
Handlers:
` + handlerHelp() + `
Examples:
  sockbench serve
  sockbench serve --strategy goroutine --addr 127.0.0.1:0 --print-addr
  sockbench serve --strategy pool:workers=8,queue=64 --handler upperlines
  sockbench serve --unix /tmp/upper.sock --handler upper
  sockbench serve --unix /tmp/upper.sock --unix-mode 0660 --remove-stale-socket
  sockbench serve --strategy pool:workers=8 --read-timeout 2s --max-line 4096
  sockbench serve --strategy goroutine:daemon=true --reuse-address=false
  sockbench serve --network udp --addr 127.0.0.1:9999 --handler dgram-upper
  sockbench serve --network unixgram --unix /tmp/upper.dgram --handler dgram-stream-upper

Boolean strategy options take true or false ("pool:workers=4,refuse=true").
A number outside its range (shown in parentheses) is refused before
anything is served, with exit status 2.

Output: --print-addr's address and --control's replies on stdout; the
request log and errors on stderr.

Exit status: 0 after a clean shutdown, 1 when listening or serving failed,
2 for bad usage (a number out of its range included).
`,
		run: runServe,
	})
}

func strategyHelp() string {
	var b strings.Builder
	for _, s := range strategies.List() {
		fmt.Fprintf(&b, "  %-10s %s (Python: %s)\n", s.Name, s.Summary, s.Python)
		if len(s.Aliases) > 0 {
			fmt.Fprintf(&b, "    also named: %s\n", strings.Join(s.Aliases, ", "))
		}
		for _, o := range s.Options {
			fmt.Fprintf(&b, "    option %s\n", o)
		}
	}
	return b.String()
}

func handlerHelp() string {
	var b strings.Builder
	for _, h := range handlers.List() {
		fmt.Fprintf(&b, "  %-10s %s\n", h.Name, h.Summary)
		for _, o := range h.Options {
			fmt.Fprintf(&b, "    %s\n", o)
		}
	}
	b.WriteString(datagramHandlerHelp())
	return b.String()
}

// lockedWriter serialises writes from handlers and the control loop.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(serveproto.ServeCommand, stderr)
	inv := serveproto.DefaultServe()
	inv.Register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sockbench serve: unexpected arguments %q\n", fs.Args())
		return 2
	}
	out := &lockedWriter{w: stdout}
	var reqLog *log.Logger
	if !inv.Quiet {
		reqLog = log.New(out, "", 0)
	}
	st, _, err := strategies.Build(inv.Strategy)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
		return 2
	}
	h, dh, err := serveHandlers(inv, reqLog)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
		return 2
	}
	if err := child.Configure(st, inv.Handler); err != nil {
		fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
		return 2
	}
	logHandler := newRateLog(slog.NewTextHandler(stderr, nil), inv.LogRate)
	if rl, ok := logHandler.(*rateLog); ok {
		defer rl.Flush()
		stopFlush := everySecond(rl.Flush)
		defer stopFlush()
	}
	srv := &socketserver.Server{
		Network:           inv.Network,
		Addr:              inv.Addr,
		Handler:           h,
		DatagramHandler:   dh,
		Strategy:          st,
		RequestQueueSize:  inv.Backlog,
		AllowReuseAddress: inv.ReuseAddress,
		AllowReusePort:    inv.ReusePort,
		RemoveSocketFile:  inv.RemoveSocket,
		RemoveStaleSocket: inv.RemoveStaleSocket,
		UnixMode:          os.FileMode(inv.UnixMode),
		UnixGroup:         inv.UnixGroup,
		ReadTimeout:       inv.ReadTimeout,
		WriteTimeout:      inv.WriteTimeout,
		IdleTimeout:       inv.IdleTimeout,
		MaxLineSize:       inv.MaxLine,
		ErrorLog:          slog.New(logHandler),
	}
	if inv.Unix != "" {
		srv.Network, srv.Addr = unixNetwork(inv.Network), inv.Unix
	}
	if rp, ok := st.(interface{ NeedsReusePort() bool }); ok && rp.NeedsReusePort() {
		srv.AllowReusePort = true // prefork:balance=reuseport: the workers bind beside it
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
		return 1
	}
	announce := func() {
		if inv.PrintAddr {
			_ = serveproto.WriteAddr(out, srv.ListenAddr())
		}
		fmt.Fprintf(stderr, "sockbench: serving %s with %s on %s %s (Ctrl-C to stop)\n", inv.Handler, inv.Strategy, srv.Network, srv.ListenAddr())
	}
	rw, waitReady := st.(readyWaiter)
	if !waitReady {
		announce()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if inv.Control {
		wg.Go(func() { serveproto.ControlStats(ctx, os.Stdin, out, serveStats(srv, st), cancel) })
	}
	defer watchBacklog(ctx, srv.Listener(), srv.ErrorLog)()
	if inv.StatsAddr != "" {
		stopStats, err := serveStatsHTTP(inv.StatsAddr, srv, serveStats(srv, st), stderr)
		if err != nil {
			fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
			return 1
		}
		defer stopStats()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.ListenAndServe() }()
	var forced atomic.Bool
	stopSignals := onSignals(cancel, func() {
		fmt.Fprintf(stderr, "sockbench serve: second signal: closing now\n")
		forced.Store(true)
		srv.Close()
	})
	defer stopSignals()
	if waitReady {
		// Announced only once every worker serves: a client dialling at
		// once is not all handed to the first one.
		served, err := awaitReady(ctx, rw, serveErr)
		if err != nil {
			fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
			srv.Close()
			if !served {
				<-serveErr
			}
			cancel()
			if inv.Control {
				waitTimeout(&wg, 100*time.Millisecond)
			}
			return 1
		}
		if ctx.Err() == nil {
			announce()
		}
	}

	code := 0
	select {
	case err := <-serveErr:
		fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
		code = 1
		srv.Close()
	case <-ctx.Done():
		sctx, scancel := context.WithTimeout(context.Background(), inv.ShutdownTimeout)
		err := srv.Shutdown(sctx)
		scancel()
		if err != nil {
			fmt.Fprintf(stderr, "sockbench serve: graceful shutdown: %v; closing\n", err)
			code = 1
		}
		srv.Close()
		if err := <-serveErr; !errors.Is(err, socketserver.ErrServerClosed) {
			fmt.Fprintf(stderr, "sockbench serve: %v\n", err)
			code = 1
		}
		if forced.Load() {
			code = 1 // closed, not drained
		}
	}
	cancel()
	if inv.Control {
		// The control loop may be blocked reading stdin; it only matters
		// while serving, so it is not waited for past this point when stdin
		// stays open.
		waitTimeout(&wg, 100*time.Millisecond)
	}
	return code
}

// serveStats returns the control channel's statistics of srv, with the
// per-worker connection counts of a strategy that has them.
func serveStats(srv *socketserver.Server, st socketserver.Strategy) func() serveproto.Stats {
	b, _ := st.(interface{ Balance() []int64 })
	return func() serveproto.Stats {
		s := serveproto.ReadStats(srv.ActiveConns())
		if b != nil {
			s.Balance = b.Balance()
		}
		return s
	}
}

func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// onSignals calls first on the first SIGINT or SIGTERM and then on every
// later one, until the returned stop is called: a second Ctrl-C means
// "now" (Close), as users expect. The first is also what ends the
// command's context in main.
func onSignals(first, then func()) (stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-sigs:
				if n == 0 {
					first()
				} else {
					then()
				}
			}
		}
	})
	return func() {
		signal.Stop(sigs)
		close(done)
		wg.Wait()
	}
}

// everySecond calls f every second until the returned stop is called.
func everySecond(f func()) (stop func()) {
	t := time.NewTicker(time.Second)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f()
			}
		}
	})
	return func() {
		t.Stop()
		close(done)
		wg.Wait()
	}
}
