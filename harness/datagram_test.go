package harness

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
)

// TestDatagramInline runs the datagram suite against the Server's own
// serial loop (a nil Strategy, Python's UDPServer).
func TestDatagramInline(t *testing.T) {
	TestDatagramStrategy(t, func() socketserver.Strategy { return nil })
}

// dgramDropper is a broken strategy: it accepts every datagram and never runs
// it.
type dgramDropper struct{}

func (dgramDropper) Execute(context.Context, func()) error { return nil }
func (dgramDropper) Shutdown(context.Context) error        { return nil }

// TestDatagramSuiteCatchesBrokenStrategy: the suite fails a strategy that
// loses datagrams, naming the checks.
func TestDatagramSuiteCatchesBrokenStrategy(t *testing.T) {
	err := checkDatagrams(func() socketserver.Strategy { return dgramDropper{} }, 100*time.Millisecond)
	if err == nil {
		t.Fatal("a strategy that drops every datagram passed")
	}
	for _, want := range []string{"udp/DatagramExchange", "unixgram/ShutdownDrains"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s:\n%v", want, err)
		}
	}
}
