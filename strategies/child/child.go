// Package child is the entry of the child processes that the process
// strategies start (strategies/fork, strategies/prefork): the same
// executable re-run with procproto.EnvVar set. A program that uses those
// strategies calls Main first thing in main, and a test binary in its
// TestMain, so that a re-run of it becomes the child:
//
//	func main() {
//		child.Main(child.Options{})
//		...
//	}
//
// The child rebuilds its handler from the registry spec it is given
// (package handlers), serves, and exits: a connection child (fork) serves
// its one inherited connection; a worker (prefork) serves the inherited
// listener, or its own SO_REUSEPORT socket, with an inner strategy until
// its parent shuts it down.
package child

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/internal/procproto"
)

// Options adjust the child entry.
type Options struct {
	// Handler builds a handler from its spec; nil means handlers.New. A
	// test binary can resolve handlers of its own (one that crashes)
	// and defer the rest to handlers.New.
	Handler func(spec string) (socketserver.Handler, error)
	// Stderr is where the child writes the failure its parent reports;
	// nil means os.Stderr.
	Stderr io.Writer
}

func (o Options) handler(spec string) (socketserver.Handler, error) {
	if o.Handler != nil {
		return o.Handler(spec)
	}
	return handlers.New(spec, nil)
}

func (o Options) stderr() io.Writer {
	if o.Stderr != nil {
		return o.Stderr
	}
	return os.Stderr
}

// Main runs this process as the child it was started as, and exits with
// the child's status; it returns at once when this process is not a
// child of a process strategy.
func Main(o Options) {
	if code, ok := Run(o); ok {
		os.Exit(code)
	}
}

// Run is Main without the exit: it reports whether this process is a
// child and, if so, serves as one and returns its exit status (0: served
// without an error; 1: the handler failed, which was written to Stderr;
// 2: the child could not start serving).
func Run(o Options) (code int, ok bool) {
	c, ok, err := procproto.FromEnv()
	if !ok {
		return 0, false
	}
	if err == nil {
		switch c.Role {
		case procproto.RoleConn:
			err = serveConn(c, o)
		case procproto.RoleWorker:
			err = serveWorker(c, o)
		}
	}
	if err == nil {
		return 0, true
	}
	fmt.Fprintf(o.stderr(), "sockbench child %d: %v\n", os.Getpid(), err)
	if errors.Is(err, errHandlerFailed) {
		return 1, true
	}
	return 2, true
}

// errHandlerFailed wraps the errors a child's server reported.
var errHandlerFailed = errors.New("handler failed")

// Configure hands st the handler spec its children rebuild, when st serves
// in child processes (fork, prefork), after checking that the spec builds
// a handler: a handler that is not registered is an error now, before
// anything is served. For any other strategy it does nothing.
func Configure(st socketserver.Strategy, handlerSpec string) error {
	ps, ok := st.(interface{ SetChildHandler(string) })
	if !ok {
		return nil
	}
	if _, err := handlers.New(handlerSpec, nil); err != nil {
		return fmt.Errorf("a process strategy's children rebuild the handler from its spec: %w", err)
	}
	ps.SetChildHandler(handlerSpec)
	return nil
}
