package socketserver

import (
	"context"
	"sync"
)

// A Group is the shutdown bookkeeping every strategy needs, written once:
// it counts the work a strategy has started (serve calls, child
// processes), refuses new work once closed, and waits for what is running.
// The zero value is ready to use; a Group must not be copied after first
// use. Its methods are safe for concurrent use.
//
// A Group closes the race a hand-written closed flag plus sync.WaitGroup
// invites: Add after Wait has started from zero.
type Group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Add counts one unit of work that the caller starts, or returns
// ErrStrategyClosed once Close has been called. Every successful Add must
// be matched by one Done.
func (g *Group) Add() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return ErrStrategyClosed
	}
	g.wg.Add(1)
	return nil
}

// Done ends one unit of work counted by Add.
func (g *Group) Done() { g.wg.Done() }

// Go runs f in a new goroutine counted by the group, or returns
// ErrStrategyClosed without running it once Close has been called.
func (g *Group) Go(f func()) error {
	if err := g.Add(); err != nil {
		return err
	}
	go func() {
		defer g.wg.Done()
		f()
	}()
	return nil
}

// Close makes every later Add and Go fail with ErrStrategyClosed. It does
// not wait; work already counted goes on. Close may be called more than
// once.
func (g *Group) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// Wait blocks until all counted work has finished or ctx is done, and then
// returns nil or ctx.Err(). Call it after Close, or new work may keep it
// waiting.
func (g *Group) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
