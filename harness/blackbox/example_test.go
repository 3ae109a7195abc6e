package blackbox_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// ExampleCheckAddr checks a seed server, here one in this process with the
// Server's built-in serial execution, as sockbench conform would check a
// server anywhere.
func ExampleCheckAddr() {
	srv := &socketserver.Server{
		Addr:     "127.0.0.1:0",
		Handler:  handlers.Upper(0, nil),
		ErrorLog: slog.New(slog.DiscardHandler), // the resets are deliberate
	}
	if err := srv.Listen(); err != nil {
		fmt.Println(err)
		return
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srv.Listener()) }()
	defer func() { srv.Close(); <-done }()

	addr := srv.ListenAddr().String()
	for _, r := range blackbox.CheckAddr(context.Background(), "tcp", addr, socketserver.Serial, blackbox.AddrOptions{}) {
		fmt.Println(r)
	}
	// Output:
	// PASS Exchange
	// PASS OddBytes
	// PASS NoNewlineHalfClose
	// PASS HugeLine
	// PASS ByteByByte
	// PASS ClientFaults
	// PASS Burst
	// PASS Capacity
	// PASS SlowClient
}
