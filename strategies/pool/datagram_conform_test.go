package pool_test

import (
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness"
	"github.com/gosocketserver/socketserver/strategies/pool"
)

// TestDatagramConformance runs the datagram suite: the strategy executes
// each datagram of a UDPServer and a UnixDatagramServer.
func TestDatagramConformance(t *testing.T) {
	harness.TestDatagramStrategy(t, func() socketserver.Strategy { return pool.New(4, 8) })
}
