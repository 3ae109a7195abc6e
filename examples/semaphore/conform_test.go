package semaphore_test

import (
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/examples/semaphore"
	"github.com/gosocketserver/socketserver/harness"
)

// TestConformance runs the project's conformance suite on the semaphore
// strategy, promising at most 4 connections at once.
func TestConformance(t *testing.T) {
	const max = 4
	harness.TestStrategy(t, func() socketserver.Strategy {
		st, err := semaphore.New(max)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}, socketserver.AtMost(max))
}
