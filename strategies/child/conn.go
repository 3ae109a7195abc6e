package child

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/procproto"
)

// serveConn is a fork child: it serves the connection on SocketFD with
// the serial strategy (one connection, in this process's accept loop),
// and returns the errors the server reported, wrapped in
// errHandlerFailed. When the control pipe ends first (the parent shuts
// down), it shuts the server down gracefully: an idle keep-alive
// connection is closed, a request being read is answered.
func serveConn(c procproto.Child, o Options) error {
	h, err := o.handler(c.Handler)
	if err != nil {
		return err
	}
	f := os.NewFile(procproto.SocketFD, "conn")
	conn, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("inherited connection: %w", err)
	}
	var rep reported
	srv := newServer(c, h, &rep, o)
	l := newOneConn(conn)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()
	var early error
	select {
	case <-l.served:
	case early = <-serveErr:
	case <-l.accepted:
		select { // accepted: the server now serves it even if told to stop
		case <-l.served:
		case early = <-serveErr:
		case <-controlEnded():
		}
	}
	_ = srv.Shutdown(shutdownContext(c))
	srv.Close()
	if early == nil {
		early = <-serveErr
	}
	if !errors.Is(early, socketserver.ErrServerClosed) {
		return fmt.Errorf("serve: %w", early)
	}
	return rep.err()
}

// newServer is the child's server: the handler and the settings its
// parent's server has.
func newServer(c procproto.Child, h socketserver.Handler, rep *reported, o Options) *socketserver.Server {
	return &socketserver.Server{
		Handler:      h,
		ReadTimeout:  c.ReadTimeout,
		WriteTimeout: c.WriteTimeout,
		IdleTimeout:  c.IdleTimeout,
		MaxLineSize:  c.MaxLineSize,
		HandleError:  rep.add,
		ErrorLog:     slog.New(slog.NewTextHandler(o.stderr(), nil)),
	}
}

// shutdownContext bounds the child's drain by c.ShutdownTimeout, if set;
// otherwise the parent's own Shutdown deadline bounds it (then Close
// kills the child).
func shutdownContext(c procproto.Child) context.Context {
	if c.ShutdownTimeout <= 0 {
		return context.Background()
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	context.AfterFunc(ctx, cancel)
	return ctx
}

// controlEnded returns a channel closed when the control pipe from the
// parent ends (its write end closed, or the parent gone).
func controlEnded() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f := os.NewFile(procproto.ControlFD, "control")
		if f == nil {
			return
		}
		_, _ = io.Copy(io.Discard, f)
	}()
	return done
}

// reported collects what the child's server reported.
type reported struct {
	mu   sync.Mutex
	errs []error
}

func (r *reported) add(_ *socketserver.Request, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, err)
	r.mu.Unlock()
}

func (r *reported) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", errHandlerFailed, errors.Join(r.errs...))
}

// oneConn is a listener that accepts one connection, the inherited one,
// and then blocks until it is closed. Its second Accept means the serial
// server has served the first connection completely.
type oneConn struct {
	conn     net.Conn
	accepted chan struct{} // closed by the first Accept
	served   chan struct{} // closed by the second Accept
	closed   chan struct{}
	cmu      sync.Mutex
	calls    int
	closeMu  sync.Once
}

func newOneConn(c net.Conn) *oneConn {
	return &oneConn{conn: c, accepted: make(chan struct{}), served: make(chan struct{}), closed: make(chan struct{})}
}

func (l *oneConn) Accept() (net.Conn, error) {
	l.cmu.Lock()
	l.calls++
	n := l.calls
	l.cmu.Unlock()
	switch n {
	case 1:
		select {
		case <-l.closed:
			_ = l.conn.Close()
			return nil, net.ErrClosed
		default:
		}
		close(l.accepted)
		return l.conn, nil
	case 2:
		close(l.served)
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *oneConn) Close() error {
	l.closeMu.Do(func() { close(l.closed) })
	return nil
}

func (l *oneConn) Addr() net.Addr { return l.conn.LocalAddr() }
