package prefork

import (
	"context"
	"fmt"
)

// readiness is what tells whether one worker process is serving: ready
// is closed when it reported so (procproto.StatusReady), ended when its
// status pipe ended (it exited).
type readiness struct {
	worker int
	pid    int
	ready  <-chan struct{}
	ended  <-chan struct{}
}

// launchedLocked returns the channel closed when a ServeListener has
// started its workers, made on first use; s.mu is held.
func (s *Strategy) launchedLocked() chan struct{} {
	if s.launched == nil {
		s.launched = make(chan struct{})
	}
	return s.launched
}

// setRound records the processes ServeListener started for ws as the
// ones WaitReady waits for.
func (s *Strategy) setRound(ws []*worker) {
	round := make([]readiness, len(ws))
	for i, w := range ws {
		round[i] = w.readiness()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.round = round
	select {
	case <-s.launchedLocked():
	default:
		close(s.launched)
	}
}

// failLaunch records that a ServeListener returned err before it started
// its workers: a WaitReady waiting for the first workers returns it.
func (s *Strategy) failLaunch(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.round != nil {
		return // an earlier ServeListener's workers are the ones to wait for
	}
	s.launchErr = err
	select {
	case <-s.launchedLocked():
	default:
		close(s.launched)
	}
}

// WaitReady returns nil once every worker that the current ServeListener
// started is serving: its accept loop runs on the shared listener or, for
// ReusePort, on its own socket, bound by then. A client that connects
// after that can be handed to any worker, so a command that prints its
// address when WaitReady returns (sockbench serve --print-addr) gives a
// client a server whose workers all take part. Called before
// ServeListener has started the workers, WaitReady waits for them too.
//
// It returns an error wrapping ErrWorkerExited, naming the worker, when a
// worker exited before it was serving (the supervisor may start it again;
// WaitReady does not wait for that), the error of a ServeListener that
// returned before starting any worker (wrapped), and one wrapping ctx's
// error when ctx is done first.
func (s *Strategy) WaitReady(ctx context.Context) error {
	s.mu.Lock()
	launched := s.launchedLocked()
	s.mu.Unlock()
	select {
	case <-launched:
	case <-ctx.Done():
		return fmt.Errorf("prefork: waiting for the workers to start: %w", ctx.Err())
	}
	s.mu.Lock()
	round, launchErr := s.round, s.launchErr
	s.mu.Unlock()
	if round == nil && launchErr != nil {
		return fmt.Errorf("prefork: the workers were not started: %w", launchErr)
	}
	for n, r := range round {
		select {
		case <-r.ready:
			continue
		case <-r.ended:
		case <-ctx.Done():
			return fmt.Errorf("prefork: waiting for the workers to serve (%d of %d ready): %w", n, len(round), ctx.Err())
		}
		select {
		case <-r.ready: // it served, then exited: ready all the same
		default:
			return fmt.Errorf("%w: worker %d (pid %d) before it was serving", ErrWorkerExited, r.worker, r.pid)
		}
	}
	return nil
}
