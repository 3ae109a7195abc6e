// Package socketserver separates what a stream server does from how it runs
// connections, after Python's socketserver module.
//
// A [Handler] serves one connection to completion, like Python's
// BaseRequestHandler.handle; [StreamHandler] adds buffered reader and writer
// (Python's StreamRequestHandler rfile/wfile). A [Server] owns the listening
// socket and the lifecycle: bind and activate as separate steps, serve until
// [Server.Shutdown] or [Server.Close], verify and report, recover panics. A
// [Strategy] decides only how each accepted connection is executed: in the
// accept loop itself (the zero Server, Python's TCPServer), in a goroutine
// per connection (ThreadingMixIn), or on a bounded pool of workers
// (ForkingMixIn's max_children); see the strategies directory.
//
// Every accepted connection, whichever path accepted it (Serve,
// HandleRequest, or a strategy that accepts for itself), goes through one
// pipeline: verify, track, execute, run the handler, report, half-close,
// close. Two optional interfaces beside Strategy open that pipeline to
// models that do not fit "run this function somewhere": a [ConnStrategy]
// is handed the accepted [Conn] itself (a process per connection passes its
// descriptor on), and a [ListenerStrategy] owns accepting on the listener
// (an event loop, pre-forked processes, a SO_REUSEPORT group) and admits
// what it accepts through a [Pipeline]. The Server keeps binding, the
// lifecycle, counting and error reporting for all of them.
//
// On a datagram network ("udp", "unixgram") the same Server is Python's
// UDPServer or UnixDatagramServer: each datagram read is one request
// ([Datagram]), served by a [DatagramHandler] ([DatagramStreamHandler] is
// DatagramRequestHandler) and executed by the Strategy through the same
// Execute; see [Server.ServePacket].
//
// The lifecycle follows net/http.Server: Serve, ListenAndServe,
// Shutdown(ctx) that loses no in-flight request, Close that stops everything
// now, and the sentinel ErrServerClosed.
package socketserver

import (
	"context"
	"net"
)

// A Handler serves one accepted connection to completion, like Python's
// BaseRequestHandler.handle. The server calls Handle once per connection, in
// whatever goroutine the Strategy chooses, so a Handler shared by many
// connections must be safe for concurrent use; per-connection state lives in
// the Request or on Handle's stack.
//
// ctx is cancelled when the server is closed with [Server.Close]. When Handle
// returns, the server half-closes the connection (FIN) and closes it, like
// Python's shutdown_request; the handler must not keep the connection. A
// non-nil error or a panic is reported to [Server.HandleError] and the server
// keeps serving.
//
// A Handler may also implement [Setuper] and [Finisher].
type Handler interface {
	Handle(ctx context.Context, r *Request) error
}

// HandlerFunc adapts an ordinary function to the Handler interface.
type HandlerFunc func(ctx context.Context, r *Request) error

// Handle calls f(ctx, r).
func (f HandlerFunc) Handle(ctx context.Context, r *Request) error { return f(ctx, r) }

// Setuper is implemented by a Handler that prepares each connection before
// Handle, like BaseRequestHandler.setup. If Setup returns an error (or
// panics), neither Handle nor Finish runs, as in Python.
type Setuper interface {
	Setup(ctx context.Context, r *Request) error
}

// Finisher is implemented by a Handler that cleans up after Handle, like
// BaseRequestHandler.finish. Finish runs after Handle even when Handle
// returned an error or panicked; its own error is joined to Handle's.
type Finisher interface {
	Finish(ctx context.Context, r *Request) error
}

// A Request is one accepted connection as a handler sees it: Python's
// self.request, self.client_address and self.server.
type Request struct {
	// Conn is the connection (Python's self.request). The server closes it
	// after the handler returns.
	Conn net.Conn
	// ClientAddr is the peer's address (Python's self.client_address).
	ClientAddr net.Addr
	// Server is the server that accepted the connection (self.server).
	Server *Server
	// Datagram is the datagram of a request on a datagram server, for
	// HandleError; Conn is then nil.
	Datagram *Datagram
}
