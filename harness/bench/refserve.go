package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"

	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// RefServeUsage is the help text of RefServeMain ("sockbench refserve").
var RefServeUsage = `Usage: sockbench refserve --kind goroutine|pool|serial|gnet [flags]

Serve a hand-written reference server (net and bufio only, no socketserver
package) for the benchmark harness, which starts it as it starts
"sockbench serve".

Flags:
  --kind KIND        goroutine (one per connection), pool (workers take
                     connections from a channel), serial (the accept loop
                     serves inline) or gnet (gnet v2's event loops, one per
                     GOMAXPROCS)
  --workers N        pool size (` + serveproto.RefWorkersRange.String() + `, default 64)
  --handler NAME     upper (one line then close), upperlines (keep-alive) or
                     echo (default "upperlines")
  --addr HOST:PORT   TCP address to listen on (default "127.0.0.1:0")
  --backlog N        accepted for symmetry with serve (` + serveproto.BacklogRange.String() + `); Go's
                     listener uses the kernel's somaxconn
  --print-addr       print the bound address alone on the first line of stdout
  --control          read commands on stdin: "stats" prints a JSON line of
                     runtime statistics; "quit" or end of input stops
  --cpuprofile FILE  write a CPU profile of the serving to FILE

Exit status: 0 after a clean stop, 1 on failure, 2 for bad usage.

Examples:
  sockbench refserve --kind goroutine --addr 127.0.0.1:9999
  sockbench refserve --kind pool --workers 8 --handler upper --print-addr
  sockbench bench --strategies "goroutine;reference:goroutine"
`

// RefServeMain is the "sockbench refserve" command: it serves a RefServer
// as the flags in args say until ctx is done or, with --control, "quit" or
// end of input on stdin. It speaks the same stdout/stdin protocol as
// "sockbench serve --print-addr --control". It returns the exit code: 0
// after a clean stop, 1 on failure, 2 for bad usage.
func RefServeMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet(serveproto.RefServeCommand, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, "run \"sockbench help %s\" for usage\n", serveproto.RefServeCommand) }
	inv := serveproto.DefaultRefServe()
	inv.Register(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sockbench refserve: unexpected arguments %q\n", fs.Args())
		return 2
	}
	srv := &RefServer{Kind: inv.Kind, Workers: inv.Workers, Handler: inv.Handler}
	if err := srv.check(); err != nil {
		fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
		return 2
	}
	if inv.CPUProfile != "" {
		f, err := os.Create(inv.CPUProfile)
		if err != nil {
			fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := func(addr net.Addr) {
		if inv.PrintAddr {
			_ = serveproto.WriteAddr(stdout, addr)
		}
		if inv.Control {
			// The control loop blocks reading stdin; it is not waited for,
			// since stdin may stay open after the server stops (the process
			// exits right after).
			go serveproto.Control(ctx, stdin, stdout, srv.Conns, cancel)
		}
	}
	if err := srv.ServeAddr(ctx, inv.Addr, ready); err != nil {
		fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
		return 1
	}
	return 0
}
