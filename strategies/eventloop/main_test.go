//go:build linux

package eventloop_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(emfileChildEnv) != "" {
		os.Exit(runEMFILEChild())
	}
	goleak.VerifyTestMain(m)
}
