//go:build !linux

package prefork

import (
	"errors"
	"fmt"
	"net"
	"os"
)

// Supported reports whether the strategy runs on this system: it is
// written for Linux first.
const Supported = false

func listenerFile(net.Listener, net.Listener, bool) (*os.File, error) {
	return nil, fmt.Errorf("prefork: linux only: %w", errors.ErrUnsupported)
}
