//go:build linux

package prefork_test

import (
	"os"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/procproto"
	"github.com/gosocketserver/socketserver/strategies/child"
	"go.uber.org/goleak"
)

// TestMain lets this test binary be re-run as a prefork worker before it
// runs the tests; a worker 1 started with testHoldEnv or testExitEnv set
// (see holdWorker) is held back or exits first.
func TestMain(m *testing.M) {
	holdWorker()
	child.Main(child.Options{})
	goleak.VerifyTestMain(m)
}

// The variables that make worker 1 of a test's strategy misbehave before
// it serves: testHoldEnv names a file it waits for (at most 30 s), and
// testExitEnv makes it exit with status 3.
const (
	testHoldEnv = "PREFORK_TEST_HOLD_WORKER1"
	testExitEnv = "PREFORK_TEST_EXIT_WORKER1"
)

func holdWorker() {
	c, ok, err := procproto.FromEnv()
	if !ok || err != nil || c.Worker != 1 {
		return
	}
	if os.Getenv(testExitEnv) != "" {
		os.Exit(3)
	}
	path := os.Getenv(testHoldEnv)
	if path == "" {
		return
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
	}
}
