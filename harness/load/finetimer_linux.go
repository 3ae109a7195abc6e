package load

import (
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// fineTimer sleeps on a timerfd read through Go's netpoller. Go's own
// timers wake up to ~1 ms late in an idle process on Linux (the netpoller
// waits in whole milliseconds), which would charge the generator's lateness
// to Open mode's latencies; a timerfd's readiness wakes the netpoller
// within the kernel's timer slack (~50-100 µs) and blocks no thread.
type fineTimer struct {
	f    *os.File
	fd   int
	stop func() bool
}

// newFineTimer returns a timer whose sleeps end early when ctx is done,
// or nil if the system cannot make one (the caller then uses Go timers).
func newFineTimer(ctx context.Context) *fineTimer {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil
	}
	f := os.NewFile(uintptr(fd), "timerfd") // non-blocking: registered with the netpoller
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	return &fineTimer{f: f, fd: fd, stop: stop}
}

// sleep waits d (> 0). It returns errStopped when ctx ended first, or
// another error if the timer failed.
func (t *fineTimer) sleep(d time.Duration) error {
	if err := t.arm(d); err != nil {
		return err
	}
	return t.wait()
}

// arm sets the timer to expire once, d (> 0) from now, replacing any
// earlier setting. It may be called while another goroutine waits.
func (t *fineTimer) arm(d time.Duration) error {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	return unix.TimerfdSettime(t.fd, 0, &spec, nil)
}

// wait blocks until the timer expires. It returns errStopped when ctx
// ended first, or another error if the timer failed.
func (t *fineTimer) wait() error {
	var buf [8]byte
	_, err := t.f.Read(buf[:])
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errStopped
	}
	return err
}

// close releases the timer.
func (t *fineTimer) close() {
	t.stop()
	_ = t.f.Close()
}
