package socketserver

import "context"

// Context returns the server's context: it is cancelled when the server is
// closed with Close (not by Shutdown), as every connection's context is. A
// strategy whose work runs elsewhere (worker processes) uses it to tell
// Close, which must stop that work now, from a graceful Shutdown.
func (p *Pipeline) Context() context.Context {
	p.srv.init()
	return p.srv.ctx
}
