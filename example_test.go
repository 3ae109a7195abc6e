package socketserver_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
)

// The seed's example: a StreamRequestHandler that answers one line
// upper-cased, served one connection at a time (Python's TCPServer).
func Example() {
	handler := &socketserver.StreamHandler{
		Serve: func(ctx context.Context, s *socketserver.Stream) error {
			line, err := s.ReadLine() // self.rfile.readline()
			if err != nil && err != io.EOF {
				return err
			}
			data := strings.TrimSpace(string(line))         // .strip()
			_, err = s.W.WriteString(strings.ToUpper(data)) // self.wfile.write(data.upper())
			return err
		},
	}
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handler}
	if err := srv.Listen(); err != nil { // bind_and_activate
		fmt.Println(err)
		return
	}
	go srv.ListenAndServe() // serve_forever
	defer srv.Close()       // server_close

	// The seed's client.
	conn, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	fmt.Fprintf(conn, "%s\n", "hello world with TCP")
	received, _ := io.ReadAll(conn)
	fmt.Printf("Received: %s\n", received)
	// Output: Received: HELLO WORLD WITH TCP
}

// A Strategy changes how connections run without touching the handler: here
// one goroutine per connection, like Python's ThreadingMixIn, on a Unix
// socket.
func ExampleServer_strategy() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	srv := &socketserver.Server{
		Network:  "unix",
		Addr:     filepath.Join(dir, "upper.sock"),
		Strategy: goroutine.New(),
		Handler: socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
			_, err := fmt.Fprintf(r.Conn, "hello from %s", r.Server.ListenAddr().Network())
			return err
		}),
	}
	if err := srv.Listen(); err != nil {
		fmt.Println(err)
		return
	}
	go srv.ListenAndServe()
	defer srv.Close()

	conn, err := net.Dial("unix", srv.ListenAddr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	b, _ := io.ReadAll(conn)
	fmt.Println(string(b))
	// Output: hello from unix
}

// Shutdown stops accepting and waits for in-flight connections; a handler
// can start it itself by passing its own context.
func ExampleServer_Shutdown() {
	srv := &socketserver.Server{Addr: "127.0.0.1:0"}
	srv.Handler = socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		_, err := io.WriteString(r.Conn, "goodbye")
		srv.Shutdown(ctx) // from a handler: starts the shutdown, does not wait for itself
		return err
	})
	if err := srv.Listen(); err != nil {
		fmt.Println(err)
		return
	}
	served := make(chan error)
	go func() { served <- srv.ListenAndServe() }()

	conn, _ := net.Dial("tcp", srv.ListenAddr().String())
	b, _ := io.ReadAll(conn)
	conn.Close()
	fmt.Println(string(b))
	fmt.Println(<-served)
	// Output:
	// goodbye
	// socketserver: server closed
}
