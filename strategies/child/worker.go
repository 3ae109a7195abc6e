package child

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/procproto"
	"github.com/gosocketserver/socketserver/strategies"
)

// serveWorker is a prefork worker: it serves the inherited listener (or,
// with ReusePort, its own SO_REUSEPORT socket on the same address) with
// the inner strategy, telling its parent on the status pipe when it is
// serving and of each connection it accepts, until the control pipe
// ends; then it shuts down gracefully (no accepted request is lost) and
// returns. Handler errors are logged on its standard error, which is its
// parent's.
func serveWorker(c procproto.Child, o Options) error {
	h, err := o.handler(c.Handler)
	if err != nil {
		return err
	}
	st, err := strategies.New(c.Strategy)
	if err != nil {
		return err
	}
	var rep reported
	srv := newServer(c, h, &rep, o)
	srv.HandleError = nil // logged by the worker, not collected
	srv.Strategy = st
	l, err := workerListener(c, srv)
	if err != nil {
		return err
	}
	status := os.NewFile(procproto.StatusFD, "status")
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(&countListener{Listener: l, status: status}) }()
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM) // SIGTERM drains this worker alone
	defer signal.Stop(term)
	var early error
	select {
	case early = <-serveErr:
	case <-controlEnded():
	case <-term:
	}
	serr := srv.Shutdown(shutdownContext(c))
	srv.Close()
	if early == nil {
		early = <-serveErr
	}
	if status != nil {
		status.Close()
	}
	if !errors.Is(early, socketserver.ErrServerClosed) {
		return fmt.Errorf("serve: %w", early)
	}
	if serr != nil {
		return fmt.Errorf("graceful shutdown: %w", serr)
	}
	return nil
}

// workerListener returns the inherited listener, or binds the worker's
// own SO_REUSEPORT socket.
func workerListener(c procproto.Child, srv *socketserver.Server) (net.Listener, error) {
	if c.ReusePort {
		if f := os.NewFile(procproto.SocketFD, "unused"); f != nil {
			f.Close() // the group's socket stays the workers' that serve it
		}
		srv.Network, srv.Addr = c.Network, c.Addr
		srv.AllowReuseAddress, srv.AllowReusePort = true, true
		srv.RequestQueueSize = 4096
		if err := srv.Listen(); err != nil {
			return nil, fmt.Errorf("reuseport listener: %w", err)
		}
		return srv.Listener(), nil
	}
	f := os.NewFile(procproto.SocketFD, "listener")
	if f == nil {
		return nil, errors.New("no inherited listener")
	}
	l, err := net.FileListener(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("inherited listener: %w", err)
	}
	return l, nil
}

// countListener tells the parent on the status pipe that the worker is
// serving (procproto.StatusReady, when its server first calls Accept: the
// accept loop runs, on a socket bound by then) and of every connection it
// accepts (procproto.StatusAccepted each).
type countListener struct {
	net.Listener
	status *os.File
	ready  sync.Once
}

func (l *countListener) Accept() (net.Conn, error) {
	if l.status == nil {
		return l.Listener.Accept()
	}
	l.ready.Do(func() { _, _ = l.status.Write([]byte{procproto.StatusReady}) })
	c, err := l.Listener.Accept()
	if err == nil {
		_, _ = l.status.Write([]byte{procproto.StatusAccepted})
	}
	return c, err
}
