// Package semaphore is the example strategy of docs/new-strategy.md: a
// goroutine per connection, like strategies/goroutine, but at most Max of
// them at once, counted by golang.org/x/sync/semaphore. When Max handlers
// are running, Execute waits for one to finish, so the accept loop stops
// accepting and new clients wait in the listen backlog (back-pressure, as
// Python's ForkingMixIn does at max_children).
//
// Unlike strategies/pool it keeps no idle workers: a goroutine exists only
// while a connection is served.
package semaphore

import (
	"context"
	"fmt"

	"github.com/gosocketserver/socketserver"
	"golang.org/x/sync/semaphore"
)

// Strategy runs each connection in its own goroutine, at most Max at once.
// Create it with New; a Strategy serves one Server.
type Strategy struct {
	max int64
	sem *semaphore.Weighted

	g socketserver.Group // counts running handlers; refuses new ones after Shutdown
}

// New returns a strategy that serves at most max connections at once.
// It returns an error if max < 1.
func New(max int) (*Strategy, error) {
	if max < 1 {
		return nil, fmt.Errorf("semaphore: max must be at least 1, got %d", max)
	}
	return &Strategy{max: int64(max), sem: semaphore.NewWeighted(int64(max))}, nil
}

// Max returns how many connections the strategy serves at once.
func (s *Strategy) Max() int { return int(s.max) }

// Execute waits for a free slot (or for ctx, which the server cancels on
// Close), then starts serve in a new goroutine and returns. After Shutdown
// it returns socketserver.ErrStrategyClosed without calling serve.
func (s *Strategy) Execute(ctx context.Context, serve func()) error {
	if err := s.sem.Acquire(ctx, 1); err != nil {
		return fmt.Errorf("semaphore: waiting for a slot: %w", err)
	}
	err := s.g.Go(func() {
		defer s.sem.Release(1) // the slot is held while serve runs
		serve()
	})
	if err != nil { // shut down: serve never runs
		s.sem.Release(1)
	}
	return err
}

// Shutdown refuses further connections and waits until every started
// handler has returned, or until ctx is done (then it returns ctx.Err()).
func (s *Strategy) Shutdown(ctx context.Context) error {
	s.g.Close()
	return s.g.Wait(ctx)
}
