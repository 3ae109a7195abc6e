//go:build linux

package prefork_test

import (
	"testing"

	"github.com/gosocketserver/socketserver/strategies/child"
	"go.uber.org/goleak"
)

// TestMain lets this test binary be re-run as a prefork worker before it
// runs the tests.
func TestMain(m *testing.M) {
	child.Main(child.Options{})
	goleak.VerifyTestMain(m)
}
