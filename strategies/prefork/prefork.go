// Package prefork is the pre-forked workers strategy (Apache's prefork,
// gunicorn's sync workers, nginx's workers): Procs worker processes, each
// this executable re-run (see internal/procproto), serve the server's
// socket with an inner strategy. With Accept "shared" every worker
// inherits the one listening socket and the kernel wakes one of the
// workers blocked in accept; with "reuseport" each worker has its own
// SO_REUSEPORT socket on the address and the kernel spreads connections
// over them by a hash of the connection.
//
// The parent supervises: a worker that dies is reported (through the
// server's HandleError, with a nil Request) and started again, at once
// after a worker that had served for a while, and with a backoff (10 ms
// doubling to MaxRestartDelay) after one that died young, so that a
// handler that kills its worker at start cannot fork-bomb the machine.
// Shutdown ends the workers' control pipe: each shuts its server down
// gracefully (stops accepting, answers every accepted request, closes
// idle connections) and exits; Shutdown waits for them. Close kills
// them. Each worker reports on a status pipe when it is serving, which
// WaitReady waits for, and every connection it accepts, so Balance shows
// how evenly the kernel spread them.
//
// Linux first: elsewhere ServeListener fails with errors.ErrUnsupported.
package prefork

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/procproto"
)

// The balance modes.
const (
	Shared    = "shared"    // one listening socket inherited by every worker
	ReusePort = "reuseport" // a SO_REUSEPORT socket per worker
)

// DefaultInner is the inner strategy of a worker when Inner is empty.
const DefaultInner = "goroutine"

// MaxRestartDelay bounds the backoff between restarts of a worker that
// keeps dying young.
const MaxRestartDelay = 5 * time.Second

// youngDeath is how long a worker must have run for its death to restart
// it at once.
const youngDeath = time.Second

// ErrNoHandler is returned (wrapped) by ServeListener when the strategy
// was not given the registry spec of the handler the workers rebuild.
var ErrNoHandler = errors.New("prefork: no handler spec: the server's Handler value cannot cross exec; give the strategy the handler's registry spec (Strategy.Handler, or child.Configure)")

// ErrNoReusePort is returned (wrapped) by ServeListener for
// Accept=ReusePort when the server's socket was not bound with
// SO_REUSEPORT (Server.AllowReusePort, "serve --reuse-port"): the
// workers could not bind theirs beside it.
var ErrNoReusePort = errors.New("prefork: balance=reuseport needs the server's socket bound with SO_REUSEPORT (Server.AllowReusePort, serve --reuse-port)")

// ErrWorkerExited is wrapped by the error reported for a worker that
// exited while the server was serving.
var ErrWorkerExited = errors.New("prefork: worker exited")

// Strategy serves the listener in worker processes. Set the fields before
// first use; a Strategy serves one Server.
type Strategy struct {
	// Procs is the number of worker processes; zero means runtime.NumCPU().
	Procs int
	// Inner is the strategy spec each worker serves with; "" means
	// DefaultInner.
	Inner string
	// Accept is how the workers share the address: Shared ("" too) or
	// ReusePort (the "balance" option of the registry's spec).
	Accept string
	// Handler is the handler registry spec the workers rebuild; the
	// server's own Handler value is not run.
	Handler string
	// Exec says how to start a worker; the zero value re-runs this
	// executable, whose main (or TestMain) must run the child entry.
	Exec procproto.Exec

	g socketserver.Group

	mu        sync.Mutex
	workers   []*worker
	ctlR      *os.File
	ctlW      *os.File
	files     []*os.File // the listeners' duplicates the workers inherit
	restarts  int
	launched  chan struct{} // closed when a ServeListener has started its workers
	round     []readiness   // the processes the latest ServeListener started
	launchErr error         // why a ServeListener started no workers, when none did
}

// New returns a prefork strategy of procs workers serving handlerSpec
// with the goroutine strategy on the shared listener.
func New(handlerSpec string, procs int) *Strategy {
	return &Strategy{Handler: handlerSpec, Procs: procs}
}

// SetChildHandler sets the handler spec the workers rebuild; it is how a
// command that builds strategies from specs hands it over.
func (s *Strategy) SetChildHandler(spec string) { s.Handler = spec }

func (s *Strategy) procs() int {
	if s.Procs > 0 {
		return s.Procs
	}
	return runtime.NumCPU()
}

func (s *Strategy) inner() string {
	if s.Inner != "" {
		return s.Inner
	}
	return DefaultInner
}

// Check returns ErrNoHandler when the strategy has no handler spec; the
// Server calls it before ServeListener (socketserver.CheckedStrategy).
func (s *Strategy) Check() error {
	if s.Handler == "" {
		return ErrNoHandler
	}
	return nil
}

// Execute refuses: the workers accept for themselves (use Server.Serve).
func (s *Strategy) Execute(context.Context, func()) error {
	return fmt.Errorf("prefork: Execute: the workers accept for themselves (use Server.Serve): %w", errors.ErrUnsupported)
}

// ServeListener starts the workers on l and supervises them until ctx is
// done, then returns nil (the workers drain in Shutdown). It returns an
// error at once when the strategy has no handler spec, or for ReusePort
// when l was not bound with SO_REUSEPORT.
func (s *Strategy) ServeListener(ctx context.Context, l net.Listener, p *socketserver.Pipeline) error {
	err := s.serveListener(ctx, l, p)
	if err != nil {
		s.failLaunch(err) // a WaitReady waiting for these workers returns it
	}
	return err
}

// serveListener is ServeListener; it returns an error only before the
// workers were started.
func (s *Strategy) serveListener(ctx context.Context, l net.Listener, p *socketserver.Pipeline) error {
	if err := s.Check(); err != nil {
		return err
	}
	if s.Accept != "" && s.Accept != Shared && s.Accept != ReusePort {
		return fmt.Errorf("prefork: balance %q (want %s or %s)", s.Accept, Shared, ReusePort)
	}
	if err := s.g.Add(); err != nil {
		return err
	}
	defer s.g.Done()
	lf, err := listenerFile(l, p.Server().Listener(), s.Accept == ReusePort)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.files = append(s.files, lf) // closed by Shutdown: a restart may still need it
	s.mu.Unlock()
	ctlR, err := s.control()
	if err != nil {
		return err
	}
	srv := p.Server()
	tmpl := procproto.Child{Role: procproto.RoleWorker, Handler: s.Handler, Strategy: s.inner(),
		ReadTimeout: srv.ReadTimeout, WriteTimeout: srv.WriteTimeout, IdleTimeout: srv.IdleTimeout,
		MaxLineSize: srv.MaxLineSize, Network: l.Addr().Network(), Addr: l.Addr().String()}
	ws := make([]*worker, s.procs())
	for i := range ws {
		c := tmpl
		c.Worker = i
		c.ReusePort = s.Accept == ReusePort && i > 0 // worker 0 serves the server's own socket
		ws[i] = &worker{s: s, child: c, lf: lf, ctlR: ctlR, report: p.ReportError, closed: p.Context()}
	}
	s.mu.Lock()
	s.workers = append(s.workers, ws...) // listed before they serve: Balance and Pids see every one
	s.mu.Unlock()
	for i, w := range ws {
		if err := w.start(); err != nil {
			for _, w := range ws[:i] {
				w.kill()
			}
			return err
		}
	}
	s.setRound(ws)
	for _, w := range ws {
		if err := s.g.Go(func() { w.supervise(ctx) }); err != nil {
			w.kill()
		}
	}
	<-ctx.Done()
	return nil
}

// control returns the read end of the control pipe, made on first use.
func (s *Strategy) control() (*os.File, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctlR == nil {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, fmt.Errorf("prefork: control pipe: %w", err)
		}
		s.ctlR, s.ctlW = r, w
	}
	return s.ctlR, nil
}

// Shutdown ends the control pipe, so that every worker drains and exits,
// and waits for them, or for ctx. After Close, the workers have been
// killed and Shutdown waits for them to be reaped.
func (s *Strategy) Shutdown(ctx context.Context) error {
	s.g.Close()
	s.mu.Lock()
	if s.ctlW != nil {
		_ = s.ctlW.Close()
		s.ctlW = nil
	}
	s.mu.Unlock()
	if err := s.g.Wait(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	if s.ctlR != nil {
		_ = s.ctlR.Close()
		s.ctlR = nil
	}
	for _, f := range s.files {
		_ = f.Close()
	}
	s.files = nil
	s.mu.Unlock()
	return nil
}

// Balance returns, for each worker slot, how many connections its
// workers (the first and any restarted one) have accepted so far.
func (s *Strategy) Balance() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]int64, len(s.workers))
	for i, w := range s.workers {
		out[i] = w.accepted.Load()
	}
	return out
}

// Pids returns the process ids of the running workers.
func (s *Strategy) Pids() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, w := range s.workers {
		if pid := w.pid(); pid > 0 {
			out = append(out, pid)
		}
	}
	return out
}

// Restarts returns how many workers have been started again after dying.
func (s *Strategy) Restarts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.restarts
}

// NeedsReusePort reports whether the server's socket must be bound with
// SO_REUSEPORT for this strategy (Accept is ReusePort), so that a command
// can set Server.AllowReusePort before it binds.
func (s *Strategy) NeedsReusePort() bool { return s.Accept == ReusePort }
