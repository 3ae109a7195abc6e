package sync_test

import (
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness"
	stsync "github.com/gosocketserver/socketserver/strategies/sync"
)

// TestDatagramConformance runs the datagram suite: the strategy executes
// each datagram of a UDPServer and a UnixDatagramServer.
func TestDatagramConformance(t *testing.T) {
	harness.TestDatagramStrategy(t, func() socketserver.Strategy { return stsync.New() })
}
