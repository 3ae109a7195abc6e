package serveproto

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
)

// ErrNoAddr reports a first line of output that is not an address.
var ErrNoAddr = errors.New("not an address")

// WriteAddr writes addr alone on one line to w: what a server started with
// PrintAddr prints first on stdout, before anything else.
func WriteAddr(w io.Writer, addr net.Addr) error {
	if _, err := fmt.Fprintln(w, addr.String()); err != nil {
		return fmt.Errorf("print address: %w", err)
	}
	return nil
}

// ParseAddr parses the first line a server started with PrintAddr prints
// and returns its host:port (a numeric port). Errors wrap ErrNoAddr.
func ParseAddr(line string) (string, error) {
	addr := strings.TrimSpace(line)
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return "", fmt.Errorf("first line of output %q: %w", line, ErrNoAddr)
	}
	return addr, nil
}
