package bench

import (
	"strings"
	"testing"
	"time"
)

// TestStatsOfExitedServer checks that asking a server whose output has
// ended (it exited, or crashed) for its stats fails at once: the closed
// output channel must not be drained for ever.
func TestStatsOfExitedServer(t *testing.T) {
	s := &server{control: true, lines: make(chan string)}
	close(s.lines)
	done := make(chan error, 1)
	go func() { _, err := s.stats(time.Second); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "exited") {
			t.Errorf("stats = %v; want an error saying the server exited", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stats of an exited server did not return")
	}
}
