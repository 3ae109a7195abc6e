package strategies_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies"
	"github.com/gosocketserver/socketserver/strategies/child"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
)

// TestOneHandlerEveryStrategy serves one message handler value under
// every registered strategy: the same keep-alive exchange, the same
// replies, whichever way the connections are executed.
func TestOneHandlerEveryStrategy(t *testing.T) {
	h := handlers.UpperLinesMessage(0, handlers.Work{}) // one value for all
	for _, name := range strategies.Names() {
		if name == "eventloop" && !eventloop.Supported {
			continue
		}
		t.Run(name, func(t *testing.T) {
			st, err := strategies.New(name)
			if err != nil {
				t.Fatal(err)
			}
			// A process strategy's children rebuild the handler from its
			// registry spec: the same message form.
			if err := child.Configure(st, "upperlines:message"); err != nil {
				t.Fatal(err)
			}
			srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: h, Strategy: st}
			if err := srv.Listen(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(srv.Listener()) }()
			defer func() {
				srv.Close()
				if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
					t.Errorf("Serve: %v", err)
				}
			}()
			c, err := net.DialTimeout("tcp", srv.ListenAddr().String(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			r := bufio.NewReader(c)
			for i := range 3 {
				fmt.Fprintf(c, "request %d é\n", i)
				got, err := r.ReadString('\n')
				if want := fmt.Sprintf("REQUEST %d é\n", i); err != nil || got != want {
					t.Fatalf("reply %q, %v; want %q", got, err, want)
				}
			}
			io.WriteString(c, "tail")
			c.(*net.TCPConn).CloseWrite()
			if rest, err := io.ReadAll(r); err != nil || string(rest) != "TAIL" {
				t.Fatalf("after the half-close: %q, %v; want %q", rest, err, "TAIL")
			}
		})
	}
}
