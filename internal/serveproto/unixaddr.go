package serveproto

import (
	"fmt"
	"strings"
)

// ParseUnixAddr parses the first line a server told to serve the Unix
// socket path (Serve.Unix) prints with PrintAddr: that path alone. It
// returns path, or an error wrapping ErrNoAddr for any other line.
func ParseUnixAddr(line, path string) (string, error) {
	if strings.TrimSpace(line) != path || path == "" {
		return "", fmt.Errorf("first line of output %q: want the socket path %s: %w", line, path, ErrNoAddr)
	}
	return path, nil
}
