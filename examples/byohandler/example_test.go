package byohandler_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/examples/byohandler"
	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/strategies"
)

// Benchmark your own handler under every strategy: one in-process server
// per strategy spec, eight keep-alive clients for a moment, and what each
// strategy did with them. Keep-alive clients never let go of their
// connection, so the serial server serves one of them, a pool of four
// serves four, and a goroutine per connection serves all eight.
func Example() {
	ctx := context.Background()
	for _, spec := range []string{"sync", "pool:workers=4", "goroutine"} {
		st, err := strategies.New(spec)
		if err != nil {
			log.Fatal(err)
		}
		srv := &socketserver.Server{
			Addr:             "127.0.0.1:0",
			Handler:          byohandler.Reverse(), // your handler here
			Strategy:         st,
			RequestQueueSize: 64, // room for every client in the backlog
		}
		if err := srv.Listen(); err != nil {
			log.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- srv.ListenAndServe() }()

		res, err := load.Run(ctx, load.Config{
			Addr:     srv.ListenAddr().String(),
			Conns:    8,
			Duration: 200 * time.Millisecond,
			Protocol: byohandler.ReverseLine{Line: "hello world"}, // your protocol here
		})
		if err != nil {
			log.Fatal(err)
		}
		if err := srv.Shutdown(ctx); err != nil {
			log.Fatal(err)
		}
		<-served // ErrServerClosed

		servedConns := 0
		for _, n := range res.PerConn {
			if n > 0 {
				servedConns++
			}
		}
		// res.AchievedRate, res.Latency.ValueAtQuantile(99) (µs) and
		// res.ClientCPU are the numbers to compare; they vary from run to
		// run, so this example prints only what does not.
		fmt.Printf("%-15s served %d of %d connections, %d errors\n", spec, servedConns, len(res.PerConn), res.Errors)
	}
	// Output:
	// sync            served 1 of 8 connections, 0 errors
	// pool:workers=4  served 4 of 8 connections, 0 errors
	// goroutine       served 8 of 8 connections, 0 errors
}
