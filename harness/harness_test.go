package harness

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
)

// spawner runs each connection in its own goroutine. Correct, it is
// ThreadingMixIn; the flags break it in the ways the suite must catch.
type spawner struct {
	noWait bool          // Shutdown returns at once (loses in-flight requests)
	leak   chan struct{} // if set, every connection also parks a goroutine until it is closed

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func (s *spawner) Execute(_ context.Context, serve func()) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return socketserver.ErrStrategyClosed
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); serve() }()
	if s.leak != nil {
		go func() { <-s.leak }()
	}
	return nil
}

func (s *spawner) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	if s.noWait {
		return nil
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dropper queues connections for one worker; its Shutdown throws the queue
// away and returns without waiting for the worker.
type dropper struct {
	once  sync.Once
	mu    sync.Mutex
	queue []func()
	wake  chan struct{}
	done  chan struct{}
	shut  bool
}

func (d *dropper) start() {
	d.once.Do(func() {
		d.wake, d.done = make(chan struct{}, 1), make(chan struct{})
		go func() {
			defer close(d.done)
			for {
				d.mu.Lock()
				if d.shut {
					d.mu.Unlock()
					return
				}
				var next func()
				if len(d.queue) > 0 {
					next, d.queue = d.queue[0], d.queue[1:]
				}
				d.mu.Unlock()
				if next != nil {
					next()
					continue
				}
				<-d.wake
			}
		}()
	})
}

func (d *dropper) Execute(_ context.Context, serve func()) error {
	d.start()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.shut {
		return socketserver.ErrStrategyClosed
	}
	d.queue = append(d.queue, serve)
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return nil
}

func (d *dropper) Shutdown(context.Context) error {
	d.start()
	d.mu.Lock()
	d.shut, d.queue = true, nil // the bug: queued connections are forgotten
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
	return nil // the bug: the running connection is not waited for
}

// wait lets the test own the worker goroutine.
func (d *dropper) wait() {
	if d.done != nil {
		<-d.done
	}
}

// hanger blocks every Execute until the server is closed.
type hanger struct{}

func (hanger) Execute(ctx context.Context, _ func()) error { <-ctx.Done(); return ctx.Err() }
func (hanger) Shutdown(context.Context) error              { return nil }

// TestBrokenStrategiesAreCaught runs checks against deliberately broken
// strategies through CheckStrategy (no *testing.T involved) and requires
// each to be caught by the named check, with the reason it names.
func TestBrokenStrategiesAreCaught(t *testing.T) {
	leak := make(chan struct{})
	var made []*spawner
	var dropped []*dropper
	var mu sync.Mutex
	spawn := func(s *spawner) func() socketserver.Strategy {
		return func() socketserver.Strategy {
			c := &spawner{noWait: s.noWait, leak: s.leak}
			mu.Lock()
			made = append(made, c)
			mu.Unlock()
			return c
		}
	}
	t.Cleanup(func() {
		close(leak)
		for _, s := range made {
			s.wg.Wait()
		}
		for _, d := range dropped {
			d.wait()
		}
	})
	tests := []struct {
		name   string
		mk     func() socketserver.Strategy
		p      socketserver.Concurrency
		check  string
		reason string // a substring of the failure
	}{
		{
			name: "Shutdown does not wait", mk: spawn(&spawner{noWait: true}), p: socketserver.Unbounded,
			check: "GracefulShutdown", reason: "Shutdown returned (<nil>) while 8 accepted requests were still in their handlers",
		},
		{
			name: "Shutdown drops the queue",
			mk: func() socketserver.Strategy {
				d := &dropper{}
				mu.Lock()
				dropped = append(dropped, d)
				mu.Unlock()
				return d
			},
			p: socketserver.Serial, check: "GracefulShutdown", reason: "still in their handlers",
		},
		{
			name: "declares serial, runs goroutines", mk: spawn(&spawner{}), p: socketserver.Serial,
			check: "Capacity", reason: "a probe was served while 1 clients held connections",
		},
		{
			name: "declares 4, runs unbounded", mk: spawn(&spawner{}), p: socketserver.AtMost(4),
			check: "Capacity", reason: "a probe was served while 4 clients held connections",
		},
		{
			name: "leaks a goroutine per connection", mk: spawn(&spawner{leak: leak}), p: socketserver.Unbounded,
			check: "Bookkeeping", reason: "state grows with connections",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckStrategy(tt.mk, tt.p, tt.check)
			var se *SuiteError
			if !errors.As(err, &se) || !se.Failed(tt.check) {
				t.Fatalf("CheckStrategy(%s) = %v; want the check %s to fail", tt.check, err, tt.check)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("failure %q does not say %q", err, tt.reason)
			}
		})
	}
}

// TestCorrectSpawnerPasses is the control for the broken spawners: the
// same strategy without its bugs passes the whole suite.
func TestCorrectSpawnerPasses(t *testing.T) {
	var made []*spawner
	defer func() {
		for _, s := range made {
			s.wg.Wait()
		}
	}()
	err := CheckStrategy(func() socketserver.Strategy {
		s := &spawner{}
		made = append(made, s)
		return s
	}, socketserver.Unbounded)
	if err != nil {
		t.Fatal(err)
	}
}

// TestWatchdog: a check that hangs fails after the watchdog's bound with a
// goroutine dump naming where it hangs, instead of hanging the test binary.
func TestWatchdog(t *testing.T) {
	old := watchdog
	watchdog = time.Second
	t.Cleanup(func() { watchdog = old })
	start := time.Now()
	err := CheckStrategy(func() socketserver.Strategy { return hanger{} }, socketserver.Serial, "RoundTripTCP")
	var se *SuiteError
	if !errors.As(err, &se) || !se.Failed("RoundTripTCP") {
		t.Fatalf("CheckStrategy = %v; want RoundTripTCP to fail", err)
	}
	for _, want := range []string{"watchdog", "goroutine ", "harness.hanger.Execute"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("failure does not contain %q:\n%.2000s", want, err)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a hanging check took %v to be reported", d)
	}
}

func TestCheckStrategyUnknownName(t *testing.T) {
	err := CheckStrategy(func() socketserver.Strategy { return nil }, socketserver.Serial, "NoSuchCheck")
	if err == nil || !strings.Contains(err.Error(), `unknown check "NoSuchCheck"`) {
		t.Fatalf("err = %v", err)
	}
}

// oneWorker runs every connection on one worker goroutine, not in the
// accept loop: serial, as a pre-forked server with one process is. Execute
// waits (the accept loop with it) until the worker is free.
type oneWorker struct {
	once       sync.Once
	work       chan func()
	quit, done chan struct{}
	mu         sync.Mutex
	closed     bool
}

func (w *oneWorker) start() {
	w.once.Do(func() {
		w.work, w.quit, w.done = make(chan func()), make(chan struct{}), make(chan struct{})
		go func() {
			defer close(w.done)
			for {
				select {
				case serve := <-w.work:
					serve()
				case <-w.quit:
					return
				}
			}
		}()
	})
}

func (w *oneWorker) Execute(ctx context.Context, serve func()) error {
	w.start()
	select {
	case w.work <- serve:
		return nil
	case <-w.quit:
		return socketserver.ErrStrategyClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *oneWorker) Shutdown(ctx context.Context) error {
	w.start()
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.quit)
	}
	w.mu.Unlock()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// TestSerialWorkerPasses: a serial strategy whose handler runs on another
// goroutine than the accept loop passes the whole suite with the serial
// promise (the suite does not take "serial" to mean "in the accept loop").
func TestSerialWorkerPasses(t *testing.T) {
	if err := CheckStrategy(func() socketserver.Strategy { return &oneWorker{} }, socketserver.Serial); err != nil {
		t.Fatal(err)
	}
}
