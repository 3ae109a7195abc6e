// Command naiveload is a second, independent load generator for the
// keep-alive upper-case line protocol ("sockbench serve --handler
// upperlines"): the simplest closed loop that can be written with net and
// bufio, sharing no code with harness/load. It exists to cross-check the
// throughput that "sockbench bench --addr" reports for the same server.
//
// Usage:
//
//	go run ./examples/naiveload --addr 127.0.0.1:9999 --conns 16 --duration 5s
//
// Each connection sends "hello world\n", reads one line, checks it is
// "HELLO WORLD\n", and repeats until the duration is over. The first
// --warmup of replies is not counted. It prints replies per second.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9999", "server address")
	conns := flag.Int("conns", 16, "connections, one request in flight on each")
	duration := flag.Duration("duration", 5*time.Second, "measured time")
	warmup := flag.Duration("warmup", 250*time.Millisecond, "load before measuring, not counted")
	flag.Parse()
	n, err := run(*addr, *conns, *warmup, *duration)
	if err != nil {
		fmt.Fprintln(os.Stderr, "naiveload:", err)
		os.Exit(1)
	}
	fmt.Printf("%d replies in %s: %.0f req/s\n", n, *duration, float64(n)/duration.Seconds())
}

// run drives addr with conns closed-loop connections and returns the
// number of correct replies received during the measured window.
func run(addr string, conns int, warmup, duration time.Duration) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), warmup+duration)
	defer cancel()
	var counting atomic.Bool
	var count atomic.Int64
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
			defer stop()
			r := bufio.NewReader(c)
			req, want := []byte("hello world\n"), "HELLO WORLD\n"
			for ctx.Err() == nil {
				if _, err := c.Write(req); err != nil {
					break
				}
				line, err := r.ReadString('\n')
				if err != nil {
					break
				}
				if line != want {
					errs <- fmt.Errorf("reply %q, want %q", line, want)
					return
				}
				if counting.Load() {
					count.Add(1)
				}
			}
		}()
	}
	time.Sleep(warmup)
	counting.Store(true)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return count.Load(), nil
}
