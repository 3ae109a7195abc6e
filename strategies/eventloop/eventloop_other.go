//go:build !linux

package eventloop

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/gosocketserver/socketserver"
)

// Supported reports whether the event loop runs on this system: it is
// written on Linux's epoll.
const Supported = false

type engine struct{}

func newEngine(*Strategy, *socketserver.MessageHandler, net.Listener, *socketserver.Pipeline) (*engine, error) {
	return nil, fmt.Errorf("eventloop: linux only (it is written on epoll): %w", errors.ErrUnsupported)
}

func (*engine) serve(context.Context) error { return nil }
func (*engine) serverClosed() bool          { return false }
func (*engine) abort()                      {}
func (*engine) wait(context.Context) error  { return nil }
func (*engine) balance() []int64            { return nil }
