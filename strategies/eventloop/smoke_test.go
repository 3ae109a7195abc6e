package eventloop_test

import (
	"io"
	"net"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
)

func TestSmoke(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: handlers.UpperMessage(0, nil), Strategy: &eventloop.Strategy{Loops: 2}}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srv.Listener()) }()
	for i := 0; i < 5; i++ {
		c, err := net.Dial("tcp", srv.ListenAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		io.WriteString(c, "hello world with TCP\n")
		got, err := io.ReadAll(c)
		c.Close()
		if string(got) != "HELLO WORLD WITH TCP" || err != nil {
			t.Fatalf("got %q %v", got, err)
		}
	}
	t.Log(srv.Strategy.(*eventloop.Strategy).Balance())
	if err := srv.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Log(<-done)
}
