package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
)

// RefServeUsage is the help text of RefServeMain ("sockbench refserve").
const RefServeUsage = `Usage: sockbench refserve --kind goroutine|pool|serial [flags]

Serve a hand-written reference server (net and bufio only, no socketserver
package) for the benchmark harness, which starts it as it starts
"sockbench serve".

Flags:
  --kind KIND        goroutine (one per connection), pool (workers take
                     connections from a channel) or serial (the accept loop
                     serves inline)
  --workers N        pool size (default 64)
  --handler NAME     upper (one line then close), upperlines (keep-alive) or
                     echo (default "upperlines")
  --addr HOST:PORT   TCP address to listen on (default "127.0.0.1:0")
  --backlog N        accepted for symmetry with serve; Go's listener uses the
                     kernel's somaxconn
  --print-addr       print the bound address alone on the first line of stdout
  --control          read commands on stdin: "stats" prints a JSON line of
                     runtime statistics; "quit" or end of input stops
  --cpuprofile FILE  write a CPU profile of the serving to FILE

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
	fs := flag.NewFlagSet("refserve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, RefServeUsage) }
	kind := fs.String("kind", "", "")
	workers := fs.Int("workers", DefaultRefWorkers, "")
	handler := fs.String("handler", "upperlines", "")
	addr := fs.String("addr", "127.0.0.1:0", "")
	_ = fs.Int("backlog", 0, "")
	printAddr := fs.Bool("print-addr", false, "")
	control := fs.Bool("control", false, "")
	cpuprofile := fs.String("cpuprofile", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sockbench refserve: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *workers < 1 {
		fmt.Fprintf(stderr, "sockbench refserve: --workers %d: want at least 1\n", *workers)
		return 2
	}
	srv := &RefServer{Kind: *kind, Workers: *workers, Handler: *handler}
	if err := srv.check(); err != nil {
		fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
		return 1
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if *printAddr {
		fmt.Fprintln(stdout, ln.Addr().String())
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if *control {
		// The control loop blocks reading stdin; it is not waited for,
		// since stdin may stay open after the server stops (the process
		// exits right after).
		go controlLoop(ctx, cancel, stdin, stdout, srv)
	}
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "sockbench refserve: %v\n", err)
		return 1
	}
	return 0
}

// controlLoop answers "stats" on in and cancels at "quit" or end of input.
func controlLoop(ctx context.Context, cancel context.CancelFunc, in io.Reader, out io.Writer, srv *RefServer) {
	defer cancel()
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case "stats":
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b, _ := json.Marshal(ServerStats{
				Goroutines: runtime.NumGoroutine(),
				Conns:      srv.Conns(),
				HeapInuse:  ms.HeapInuse,
				StackInuse: ms.StackInuse,
				Sys:        ms.Sys,
				NumGC:      ms.NumGC,
				GOMAXPROCS: runtime.GOMAXPROCS(0),
			})
			fmt.Fprintf(out, "%s\n", b)
		case "quit":
			return
		}
		if ctx.Err() != nil {
			return
		}
	}
}
