// Package fork is the process-per-connection strategy, the real
// counterpart of Python's ForkingMixIn: each accepted connection is served
// by a new child process. Go cannot fork without exec, so the child is
// this executable re-run (see internal/procproto for the contract) with
// the connection's descriptor inherited as descriptor 3, and it rebuilds
// the handler from its registry spec (Strategy.Handler): a Handler value
// cannot cross exec.
//
// At most MaxChildren children run at once; when that many are running
// the accept loop waits for one to exit, as Python's
// collect_children(blocking=True) does. Every child is waited for (no
// zombies). A child that fails (its handler returned an error or
// panicked, it exited non-zero, it was killed) is reported once, through
// the server's HandleError, and the server keeps serving. Shutdown tells
// the children to finish (the control pipe ends: each child shuts its
// one-connection server down gracefully) and waits for them unless NoWait;
// Close kills them.
//
// Linux first: elsewhere ExecuteConn fails with errors.ErrUnsupported.
package fork

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/procproto"
)

// DefaultMaxChildren is the limit on running children when MaxChildren is
// zero: Python's ForkingMixIn.max_children.
const DefaultMaxChildren = 40

// ErrNoHandler is returned (wrapped) by Check, and so by the Server's
// Serve and HandleRequest before they accept, when the strategy was not
// given the registry spec of the handler its children must rebuild.
var ErrNoHandler = errors.New("fork: no handler spec: the server's Handler value cannot cross exec; give the strategy the handler's registry spec (Strategy.Handler, or child.Configure)")

// ErrChildFailed is wrapped by the error reported for a child that did not
// exit with status 0.
var ErrChildFailed = errors.New("fork: child failed")

// waitDelay bounds how long Wait waits for a child's standard error to
// close after the child exited (a grandchild may hold it).
const waitDelay = time.Second

// Strategy serves each connection in a child process. Set the fields
// before first use; a Strategy serves one Server.
type Strategy struct {
	// MaxChildren is how many children may run at once; zero means
	// DefaultMaxChildren.
	MaxChildren int
	// NoWait makes Shutdown return without waiting for the children
	// (Python's block_on_close=False); Close still kills them.
	NoWait bool
	// Handler is the handler registry spec ("upper", "cpu:rounds=100")
	// that each child rebuilds and serves its connection with. The
	// server's own Handler value is not run.
	Handler string
	// Exec says how to start a child; the zero value re-runs this
	// executable, whose main (or TestMain) must run the child entry.
	Exec procproto.Exec

	initOnce sync.Once
	slots    chan struct{} // a token per running child
	g        socketserver.Group

	mu      sync.Mutex
	ctx     context.Context // the server's, cancelled by Close
	ctlR    *os.File        // the control pipe, inherited by every child
	ctlW    *os.File        // closed to make the children shut down
	ctlErr  error
	running map[*exec.Cmd]struct{}
}

// New returns a fork strategy whose children serve the handler built from
// handlerSpec, at most maxChildren at once (0 = DefaultMaxChildren).
func New(handlerSpec string, maxChildren int) *Strategy {
	return &Strategy{Handler: handlerSpec, MaxChildren: maxChildren}
}

// SetChildHandler sets the handler spec the children rebuild; it is how a
// command that builds strategies from specs hands it over.
func (s *Strategy) SetChildHandler(spec string) { s.Handler = spec }

func (s *Strategy) init() {
	s.initOnce.Do(func() {
		n := s.MaxChildren
		if n <= 0 {
			n = DefaultMaxChildren
		}
		s.slots = make(chan struct{}, n)
		s.running = map[*exec.Cmd]struct{}{}
	})
}

// Running reports how many children are running now.
func (s *Strategy) Running() int {
	s.init()
	return len(s.slots)
}

// Execute refuses: the strategy takes each connection itself
// (ExecuteConn), since a function cannot cross exec.
func (s *Strategy) Execute(context.Context, func()) error {
	return fmt.Errorf("fork: Execute: a child process needs the connection itself (ExecuteConn): %w", errors.ErrUnsupported)
}

// Check returns ErrNoHandler when the strategy has no handler spec: the
// Server calls it before accepting (socketserver.CheckedStrategy), so a
// server without one fails at Serve, not at its first client.
func (s *Strategy) Check() error {
	if s.Handler == "" {
		return ErrNoHandler
	}
	return nil
}

// StreamOnly marks the strategy as one that serves connections only: a
// datagram server refuses it with socketserver.ErrStreamOnly at Serve (a
// datagram has no descriptor of its own to hand to a child).
func (s *Strategy) StreamOnly() {}

// ExecuteConn starts a child serving c, waiting first while MaxChildren
// children run (until one exits, or ctx is done). The child is waited for
// in a goroutine that then calls c.Finish with its failure, if any.
func (s *Strategy) ExecuteConn(ctx context.Context, c *socketserver.Conn) error {
	s.init()
	if err := s.Check(); err != nil { // a Server that did not call Check
		return err
	}
	select { // collect_children(blocking=True)
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := s.g.Add(); err != nil {
		<-s.slots
		return err
	}
	cmd, stderr, err := s.start(ctx, c)
	if err != nil {
		<-s.slots
		s.g.Done()
		return err
	}
	go func() {
		defer s.g.Done()
		err := s.wait(ctx, cmd, stderr)
		<-s.slots
		c.Finish(err)
	}()
	return nil
}

// start starts the child for c with the connection's descriptor, the
// control pipe and the server's settings.
func (s *Strategy) start(ctx context.Context, c *socketserver.Conn) (*exec.Cmd, *procproto.Tail, error) {
	ctlR, err := s.control(ctx)
	if err != nil {
		return nil, nil, err
	}
	f, err := connFile(c.Request().Conn)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close() // the child has its own copy once started
	srv := c.Request().Server
	child := procproto.Child{
		Role: procproto.RoleConn, Handler: s.Handler,
		ReadTimeout: srv.ReadTimeout, WriteTimeout: srv.WriteTimeout,
		IdleTimeout: srv.IdleTimeout, MaxLineSize: srv.MaxLineSize,
	}
	cmd, err := s.Exec.Command(child, f, ctlR)
	if err != nil {
		return nil, nil, fmt.Errorf("fork: %w", err)
	}
	stderr := &procproto.Tail{}
	cmd.Stderr = stderr
	cmd.WaitDelay = waitDelay
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("fork: start child: %w", err)
	}
	s.running[cmd] = struct{}{}
	return cmd, stderr, nil
}

// control returns the read end of the control pipe, made on first use,
// and remembers ctx (the server's) to tell Close from Shutdown.
func (s *Strategy) control(ctx context.Context) (*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctlR == nil && s.ctlErr == nil {
		s.ctx = ctx
		s.ctlR, s.ctlW, s.ctlErr = os.Pipe()
		if s.ctlErr != nil {
			s.ctlErr = fmt.Errorf("fork: control pipe: %w", s.ctlErr)
		}
	}
	return s.ctlR, s.ctlErr
}

// wait reaps the child, killing it when ctx (the server's) is done, and
// returns its failure.
func (s *Strategy) wait(ctx context.Context, cmd *exec.Cmd, stderr *procproto.Tail) error {
	stop := context.AfterFunc(ctx, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	stop()
	s.mu.Lock()
	delete(s.running, cmd)
	s.mu.Unlock()
	if err == nil {
		return nil
	}
	msg := stderr.String()
	if msg != "" {
		msg = ": " + msg
	}
	return fmt.Errorf("%w: pid %d: %w%s", ErrChildFailed, cmd.Process.Pid, err, msg)
}

// Shutdown makes every running child finish its connection gracefully
// (its control pipe ends) and waits for them all to exit, or for ctx;
// with NoWait it returns at once, leaving them running. After the server
// was closed, the children have been killed, and Shutdown waits for them
// to be reaped.
func (s *Strategy) Shutdown(ctx context.Context) error {
	s.init()
	s.g.Close()
	s.mu.Lock()
	closed := s.ctx != nil && s.ctx.Err() != nil
	s.mu.Unlock()
	if s.NoWait && !closed {
		return nil
	}
	s.closeControl(false)
	if err := s.g.Wait(ctx); err != nil {
		return err
	}
	s.closeControl(true)
	return nil
}

// closeControl closes the write end of the control pipe (every child sees
// the end of it) and, with both, the read end too.
func (s *Strategy) closeControl(both bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctlW != nil {
		_ = s.ctlW.Close()
		s.ctlW = nil
	}
	if both && s.ctlR != nil {
		_ = s.ctlR.Close()
		s.ctlR = nil
	}
}

// Pids returns the process ids of the running children.
func (s *Strategy) Pids() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for cmd := range s.running {
		out = append(out, cmd.Process.Pid)
	}
	return out
}
