package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/gosocketserver/socketserver/internal/pybytes"
	"github.com/panjf2000/gnet/v2"
)

// serveGnet serves Kind "gnet": the best-known Go event loop
// (github.com/panjf2000/gnet/v2) speaking the same handlers, with one event
// loop per GOMAXPROCS like the eventloop strategy's default, so that the
// project's event loop is measured beside it in the same run. gnet binds
// its own socket on addr; ready, if not nil, is called with the bound
// address once gnet accepts.
//
// As gnet's examples do, a handler works on the loop's view of the input
// (Peek), answers each whole line straight from it and discards it; "upper"
// answers its first line and closes. gnet cannot see a half-close, so a
// last line without a newline is not answered (no benchmark workload
// sends one).
func (s *RefServer) serveGnet(ctx context.Context, addr string, ready func(net.Addr)) error {
	h := &gnetHandler{handler: s.Handler, conns: &s.conns, booted: make(chan gnet.Engine, 1)}
	done := make(chan error, 1)
	go func() {
		done <- gnet.Run(h, "tcp://"+addr,
			gnet.WithMulticore(true),
			gnet.WithNumEventLoop(runtime.GOMAXPROCS(0)),
			gnet.WithTCPNoDelay(gnet.TCPNoDelay),
			gnet.WithReuseAddr(true),
			gnet.WithLogger(stderrLogger{}))
	}()
	var eng gnet.Engine
	select {
	case eng = <-h.booted:
	case err := <-done:
		return fmt.Errorf("reference server: gnet: %w", err)
	}
	var err error
	if ready != nil {
		var a net.Addr
		if a, err = boundAddr(eng); err == nil {
			ready(a)
		}
	}
	if err == nil {
		select {
		case <-ctx.Done():
		case err = <-done:
			return fmt.Errorf("reference server: gnet stopped: %w", err)
		}
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if serr := eng.Stop(stopCtx); serr != nil && err == nil {
		err = fmt.Errorf("reference server: gnet: stop: %w", serr)
	}
	if rerr := <-done; rerr != nil && err == nil {
		err = fmt.Errorf("reference server: gnet: %w", rerr)
	}
	return err
}

// gnetHandler is the gnet side of the reference handlers.
type gnetHandler struct {
	gnet.BuiltinEventEngine
	handler string
	conns   *atomic.Int64
	booted  chan gnet.Engine
}

func (h *gnetHandler) OnBoot(eng gnet.Engine) gnet.Action {
	h.booted <- eng
	return gnet.None
}

func (h *gnetHandler) OnOpen(gnet.Conn) ([]byte, gnet.Action) {
	h.conns.Add(1)
	return nil, gnet.None
}

func (h *gnetHandler) OnClose(gnet.Conn, error) gnet.Action {
	h.conns.Add(-1)
	return gnet.None
}

func (h *gnetHandler) OnTraffic(c gnet.Conn) gnet.Action {
	buf, err := c.Peek(-1)
	if err != nil || len(buf) == 0 {
		return gnet.None
	}
	if h.handler == "echo" {
		_, _ = c.Write(buf)
		_, _ = c.Discard(len(buf))
		return gnet.None
	}
	used := 0
	for used < len(buf) {
		i := indexNewline(buf[used:])
		if i < 0 {
			break
		}
		line := buf[used : used+i+1]
		used += i + 1
		if h.handler == "upper" {
			_, _ = c.Write(pybytes.UpperInPlace(pybytes.Strip(line)))
			return gnet.Close
		}
		if _, err := c.Write(pybytes.UpperInPlace(line)); err != nil {
			return gnet.Close
		}
	}
	if used > 0 { // Discard(0) would discard everything
		_, _ = c.Discard(used)
	}
	return gnet.None
}

func indexNewline(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

// stderrLogger is gnet's logger: errors to stderr, nothing else (gnet's
// own logger prints its start-up line on stdout, where the bench reads the
// server's address).
type stderrLogger struct{}

func (stderrLogger) Debugf(string, ...any) {}
func (stderrLogger) Infof(string, ...any)  {}
func (stderrLogger) Warnf(string, ...any)  {}
func (stderrLogger) Errorf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gnet: "+format+"\n", args...)
}
func (stderrLogger) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gnet: "+format+"\n", args...)
	os.Exit(1)
}
