// Package pool is the worker-pool strategy: a fixed number of worker
// goroutines serve connections taken from a bounded queue. When every
// worker is busy and the queue is full, the accept loop waits for room, as
// Python's ForkingMixIn stalls its serve loop at max_children; or, with
// Refuse, the connection is closed unserved and reported.
//
// A pool of N workers serves at most N connections at once: the N+1st
// client (and every one after the queue) waits however long the first N
// keep their connections.
package pool

import (
	"context"
	"fmt"
	"sync"

	"github.com/gosocketserver/socketserver"
)

// DefaultWorkers is the number of workers when Workers is zero: Python's
// ForkingMixIn.max_children.
const DefaultWorkers = 40

// Strategy is a fixed pool of workers with a bounded queue. Set the fields
// before first use; the workers start on the first Execute.
type Strategy struct {
	// Workers is how many connections are served at once; zero means
	// DefaultWorkers.
	Workers int
	// Queue is how many accepted connections may wait for a worker;
	// zero means none wait: a connection is handed straight to an idle
	// worker or the accept loop waits.
	Queue int
	// Refuse makes Execute fail with socketserver.ErrRefused instead of
	// waiting when the workers and the queue are full.
	Refuse bool
	// NoWait makes Shutdown return without waiting for the workers to finish
	// (Python's block_on_close=False); queued connections are still served.
	NoWait bool

	startOnce sync.Once
	// slots holds a token for every connection handed over and not yet
	// served (running or queued): capacity is exact, never a race with
	// workers that are about to become idle.
	slots chan struct{}
	tasks chan func() // as large as slots: a send after taking a slot never blocks
	wg    sync.WaitGroup

	mu     sync.RWMutex // held for reading while sending to tasks
	closed bool
}

// New returns a pool of the given number of workers and queue length.
func New(workers, queue int) *Strategy { return &Strategy{Workers: workers, Queue: queue} }

func (p *Strategy) start() {
	p.startOnce.Do(func() {
		n := p.workers()
		p.slots = make(chan struct{}, n+p.Queue)
		p.tasks = make(chan func(), n+p.Queue)
		p.wg.Add(n)
		for range n {
			go p.worker()
		}
	})
}

func (p *Strategy) worker() {
	defer p.wg.Done()
	for task := range p.tasks {
		p.run(task)
	}
}

// run runs one task and frees its slot. A task that calls runtime.Goexit
// (a handler did; the server reports it) ends this worker's goroutine: a
// new worker takes its place, so the pool keeps its size.
func (p *Strategy) run(task func()) {
	returned := false
	defer func() {
		<-p.slots
		if !returned {
			p.wg.Add(1)
			go p.worker()
		}
	}()
	task()
	returned = true
}

// Execute hands serve to an idle worker or the queue. When both are full it
// waits for room until ctx is done, or with Refuse returns an error wrapping
// socketserver.ErrRefused at once. After Shutdown it returns
// socketserver.ErrStrategyClosed.
func (p *Strategy) Execute(ctx context.Context, serve func()) error {
	p.start()
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return socketserver.ErrStrategyClosed
	}
	select {
	case p.slots <- struct{}{}:
	default:
		if p.Refuse {
			return fmt.Errorf("pool of %d workers and %d queued is full: %w", p.workers(), p.Queue, socketserver.ErrRefused)
		}
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	p.tasks <- serve
	return nil
}

// Shutdown refuses further work, lets the workers serve what is queued, and
// unless NoWait is set waits until they have all exited or ctx is done.
func (p *Strategy) Shutdown(ctx context.Context) error {
	p.start()
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.tasks)
	}
	p.mu.Unlock()
	if p.NoWait {
		return nil
	}
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *Strategy) workers() int {
	if p.Workers <= 0 {
		return DefaultWorkers
	}
	return p.Workers
}
