package prefork

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosocketserver/socketserver/internal/procproto"
)

// waitDelay bounds how long Wait waits for a worker's output after it
// exited (a grandchild may hold it).
const waitDelay = time.Second

// A worker is one slot of the pool: the process serving it now, and the
// connections every process of the slot has accepted.
type worker struct {
	s      *Strategy
	child  procproto.Child
	lf     *os.File // the listener, inherited as SocketFD
	ctlR   *os.File // the control pipe, inherited as ControlFD
	report func(error)
	closed context.Context // the server's: done on Close

	accepted atomic.Int64

	mu       sync.Mutex
	cmd      *exec.Cmd
	started  time.Time
	counted  chan struct{} // closed when the status pipe of cmd ended
	ready    chan struct{} // closed when cmd reported it is serving
	stopKill func() bool
}

// start starts a process for the slot, with a fresh status pipe.
func (w *worker) start() error {
	r, wr, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("prefork: status pipe: %w", err)
	}
	defer wr.Close() // the worker has its own copy once started
	cmd, err := w.s.Exec.Command(w.child, w.lf, w.ctlR, wr)
	if err != nil {
		r.Close()
		return fmt.Errorf("prefork: %w", err)
	}
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr // a worker logs as its server would
	cmd.WaitDelay = waitDelay
	if err := cmd.Start(); err != nil {
		r.Close()
		return fmt.Errorf("prefork: start worker %d: %w", w.child.Worker, err)
	}
	counted, ready := make(chan struct{}), make(chan struct{})
	go w.readStatus(r, ready, counted)
	w.mu.Lock()
	w.cmd, w.started, w.counted, w.ready = cmd, time.Now(), counted, ready
	w.stopKill = context.AfterFunc(w.closed, func() { _ = cmd.Process.Kill() })
	w.mu.Unlock()
	return nil
}

// readStatus reads the status pipe r of one process of the slot until it
// ends: it counts the connections the process accepted, closes ready when
// the process reports it is serving, and closes counted at the end.
func (w *worker) readStatus(r *os.File, ready, counted chan struct{}) {
	defer close(counted)
	defer r.Close()
	isReady := false
	buf := make([]byte, 512)
	for {
		n, err := r.Read(buf)
		var accepted int64
		for _, b := range buf[:n] {
			switch {
			case b == procproto.StatusAccepted:
				accepted++
			case b == procproto.StatusReady && !isReady:
				isReady = true
				close(ready)
			}
		}
		w.accepted.Add(accepted)
		if err != nil {
			if err != io.EOF {
				w.report(fmt.Errorf("prefork: worker %d status: %w", w.child.Worker, err))
			}
			return
		}
	}
}

// readiness returns what tells whether the slot's current process is
// serving yet.
func (w *worker) readiness() readiness {
	w.mu.Lock()
	defer w.mu.Unlock()
	r := readiness{worker: w.child.Worker, ready: w.ready, ended: w.counted}
	if w.cmd != nil {
		r.pid = w.cmd.Process.Pid
	}
	return r
}

// wait reaps the slot's process and returns its exit error and how long
// it ran.
func (w *worker) wait() (time.Duration, error) {
	w.mu.Lock()
	cmd, started, counted, stop := w.cmd, w.started, w.counted, w.stopKill
	w.mu.Unlock()
	if cmd == nil {
		return 0, nil
	}
	err := cmd.Wait()
	stop()
	<-counted
	w.mu.Lock()
	w.cmd = nil
	w.mu.Unlock()
	return time.Since(started), err
}

func (w *worker) pid() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil {
		return 0
	}
	return w.cmd.Process.Pid
}

// kill kills the slot's process and reaps it.
func (w *worker) kill() {
	w.mu.Lock()
	cmd := w.cmd
	w.mu.Unlock()
	if cmd != nil {
		_ = cmd.Process.Kill()
		_, _ = w.wait()
	}
}

// supervise waits for the slot's process and starts it again when it
// dies while ctx (the server's serving) goes on, with a backoff for one
// that died young. Once ctx is done it returns when the process has
// exited (drained by Shutdown, or killed by Close).
func (w *worker) supervise(ctx context.Context) {
	delay := 10 * time.Millisecond
	for {
		lived, err := w.wait()
		if ctx.Err() != nil {
			if err != nil && w.closed.Err() == nil {
				w.report(fmt.Errorf("%w: worker %d while draining: %w", ErrWorkerExited, w.child.Worker, err))
			}
			return
		}
		if lived > 0 {
			if err == nil {
				err = errors.New("exit status 0")
			}
			w.report(fmt.Errorf("%w: worker %d after %v: %w; starting it again", ErrWorkerExited, w.child.Worker, lived.Round(time.Millisecond), err))
		}
		if lived >= youngDeath {
			delay = 10 * time.Millisecond
		} else {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			delay = min(2*delay, MaxRestartDelay)
		}
		if err := w.start(); err != nil {
			w.report(err)
			continue
		}
		w.s.mu.Lock()
		w.s.restarts++
		w.s.mu.Unlock()
	}
}
