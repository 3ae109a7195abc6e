//go:build linux

package eventloop_test

import (
	"errors"
	"log/slog"
	"net"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
)

// TestConformance runs the conformance suite's server checks on the event
// loop through the server maker: a socketserver.Server serving the seed's
// message form. (The strategy checks that need a blocking Handler of
// their own, such as HandlerPanic, have message-handler counterparts in
// this package's tests.)
func TestConformance(t *testing.T) {
	for _, v := range variants[:3] {
		t.Run(v.name, func(t *testing.T) {
			harness.TestServer(t, seedOn(v.mk), socketserver.Unbounded)
		})
	}
}

// seedOn makes servers of handlers.UpperMessage on new event loops.
func seedOn(mk func() *eventloop.Strategy) harness.MakeServer {
	return func(network, address string) (harness.Server, net.Listener, error) {
		srv := &socketserver.Server{Network: network, Addr: address, Handler: handlers.UpperMessage(0, nil),
			Strategy: mk(), RequestQueueSize: 128, ErrorLog: slog.New(slog.DiscardHandler)}
		if err := srv.Listen(); err != nil {
			return nil, nil, errors.Join(err, srv.Close())
		}
		return srv, srv.Listener(), nil
	}
}
