package load

import (
	"errors"
	"sync"
	"time"
)

// delayWheel holds connections for their emulated network delays without
// a timer per connection: one goroutine per Run sleeps on a fineTimer
// armed for the earliest deadline, and at each wake-up releases every
// connection whose deadline has passed (a signal on its channel). Go's own
// timers end up to a millisecond or two late in a mostly idle process
// (the netpoller waits in whole milliseconds), which would add 5-10% to a
// 20 ms round trip; the timerfd ends within the kernel's timer slack.
// Where no fineTimer exists, or if it fails, workers fall back to Go
// timers (add reports false).
type delayWheel struct {
	t *fineTimer

	mu     sync.Mutex
	q      holdQueue
	armed  time.Time // the deadline the timer is armed for; zero: disarmed
	broken bool      // stopped or failed: every add reports false
	failed bool      // the timer failed before the run stopped
}

// newDelayWheel returns a wheel that stops when the fineTimer's context
// ends, or nil where there is no fineTimer.
func newDelayWheel(t *fineTimer) *delayWheel {
	if t == nil {
		return nil
	}
	return &delayWheel{t: t}
}

// add schedules a signal on wake at until. It reports false if the wheel
// is broken, and then schedules nothing.
func (d *delayWheel) add(until time.Time, wake chan struct{}) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.broken {
		return false
	}
	d.q.push(held{until, wake})
	if d.armed.IsZero() || until.Before(d.armed) {
		if err := d.arm(until, time.Now()); err != nil {
			d.failed = true
			d.breakLocked()
		}
	}
	return true
}

// arm sets the timer to fire at until.
func (d *delayWheel) arm(until, now time.Time) error {
	d.armed = until
	return d.t.arm(max(until.Sub(now), time.Microsecond)) // 0 would disarm it
}

// run releases the held connections until the context ends or the timer
// fails; then it releases them all and closes the timer.
func (d *delayWheel) run() {
	defer d.t.close()
	for {
		if err := d.t.wait(); err != nil {
			d.mu.Lock()
			d.failed = !errors.Is(err, errStopped)
			d.breakLocked()
			d.mu.Unlock()
			return
		}
		d.release()
	}
}

// release signals every connection whose deadline has passed and arms the
// timer for the next.
func (d *delayWheel) release() {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	for len(d.q) > 0 && !d.q[0].until.After(now) {
		signal(d.q.pop().wake)
	}
	d.armed = time.Time{}
	if len(d.q) > 0 {
		if err := d.arm(d.q[0].until, now); err != nil {
			d.failed = true
			d.breakLocked()
		}
	}
}

// breakLocked marks the wheel broken and releases every held connection
// now (they end their delay early; later ones use Go timers).
func (d *delayWheel) breakLocked() {
	d.broken = true
	for len(d.q) > 0 {
		signal(d.q.pop().wake)
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// held is one connection waiting for its deadline.
type held struct {
	until time.Time
	wake  chan struct{}
}

// holdQueue is a binary min-heap by deadline (by hand, not container/heap,
// so that a push does not allocate an interface value).
type holdQueue []held

func (q *holdQueue) push(h held) {
	*q = append(*q, h)
	s := *q
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s[i].until.Before(s[p].until) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (q *holdQueue) pop() held {
	s := *q
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = held{}
	s = s[:n]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < n && s[l].until.Before(s[small].until) {
			small = l
		}
		if r := l + 1; r < n && s[r].until.Before(s[small].until) {
			small = r
		}
		if small == i {
			break
		}
		s[i], s[small] = s[small], s[i]
		i = small
	}
	*q = s
	return top
}

// hasFailed reports whether the wheel's timer failed during the run (and
// the workers fell back to Go timers).
func (d *delayWheel) hasFailed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.failed
}
