//go:build !linux

package fork

import (
	"errors"
	"fmt"
	"net"
	"os"
)

// Supported reports whether the strategy runs on this system: it is
// written for Linux first.
const Supported = false

func connFile(net.Conn) (*os.File, error) {
	return nil, fmt.Errorf("fork: linux only: %w", errors.ErrUnsupported)
}
