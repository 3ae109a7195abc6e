package load_test

import (
	"bufio"
	"context"
	"fmt"
	"log"
	"net"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
)

// upperServer is a tiny keep-alive upperlines server; the returned
// function stops it and waits for its goroutines.
func upperServer() (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadSlice('\n')
					if err != nil {
						return
					}
					for i, b := range line {
						if 'a' <= b && b <= 'z' {
							line[i] = b - 'a' + 'A'
						}
					}
					if _, err := c.Write(line); err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String(), func() { ln.Close(); wg.Wait() }
}

func ExampleRun() {
	addr, stop := upperServer()
	defer stop()

	res, err := load.Run(context.Background(), load.Config{
		Addr:     addr,
		Mode:     load.Closed,
		Conns:    4,
		Warmup:   50 * time.Millisecond,
		Duration: 200 * time.Millisecond,
		Protocol: load.UpperLine{Line: "hello world with tcp"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("connections:", len(res.PerConn))
	fmt.Println("all replies correct:", res.Requests > 0 && res.Errors == 0)
	fmt.Println("connections served:", res.Served(), "starved:", res.Starved())
	// load.Jain(res.PerConn) is the fairness index (1 = perfectly even); it
	// depends on the scheduler, so this example does not print it.
	// A report would print, for instance:
	//   fmt.Printf("%.0f req/s, p99 %v, client-bound %v\n",
	//       res.AchievedRate, res.LatencyAt(99), res.ClientBound)

	// Output:
	// connections: 4
	// all replies correct: true
	// connections served: 4 starved: 0
}

func ExampleJain() {
	fmt.Println(load.Jain([]int64{100, 100, 100, 100}))
	fmt.Println(load.Jain([]int64{400, 0, 0, 0}))
	fmt.Println(load.Jain([]int64{0, 0}))
	// Output:
	// 1
	// 0.25
	// 0
}
