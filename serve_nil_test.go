package socketserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver"
)

// TestServeNilListener is the library trap of "srv.Listen(); go
// srv.Serve(nil)": it must return an error saying what to pass, not panic
// with a nil dereference, and leave the server usable.
func TestServeNilListener(t *testing.T) {
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: socketserver.HandlerFunc(func(context.Context, *socketserver.Request) error { return nil })}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	err := srv.Serve(nil)
	if err == nil || !strings.Contains(err.Error(), "nil listener") {
		t.Fatalf("Serve(nil) = %v, want an error about the nil listener", err)
	}
}
