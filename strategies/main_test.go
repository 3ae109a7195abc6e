package strategies_test

import (
	"os"
	"testing"

	"github.com/gosocketserver/socketserver/strategies/child"
)

// TestMain lets this test binary be re-run as the child of a process
// strategy (fork, prefork) before it runs the tests.
func TestMain(m *testing.M) {
	child.Main(child.Options{})
	os.Exit(m.Run())
}
