package harness

import (
	"testing"

	"github.com/gosocketserver/socketserver"
)

// TestInline runs the suite against the Server's own serial execution (a nil
// Strategy), which needs no strategy package.
func TestInline(t *testing.T) {
	TestStrategy(t, func() socketserver.Strategy { return nil }, socketserver.Serial)
}
