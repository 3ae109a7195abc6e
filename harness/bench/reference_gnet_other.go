//go:build !unix

package bench

import (
	"errors"
	"fmt"
	"net"

	"github.com/panjf2000/gnet/v2"
)

// boundAddr is not written for this system: gnet's descriptor is a Unix
// one.
func boundAddr(gnet.Engine) (net.Addr, error) {
	return nil, fmt.Errorf("reference server: gnet: the bound address: %w", errors.ErrUnsupported)
}
