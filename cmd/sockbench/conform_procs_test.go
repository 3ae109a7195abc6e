//go:build linux

package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// TestConformProcessStrategies runs "sockbench conform" against
// "sockbench serve" with the process strategies: each connection in a
// child process (fork, 40 at once, as Python), or two pre-forked workers
// serving a goroutine per connection.
func TestConformProcessStrategies(t *testing.T) {
	for _, tt := range []struct{ strategy, expect string }{
		{"fork:max-children=8", "8"},
		{"prefork:procs=2", "unbounded"},
	} {
		t.Run(tt.strategy, func(t *testing.T) {
			addr, _, stop := serveProc(t, "--strategy", tt.strategy, "--quiet", "--backlog", "128")
			code, out, errs := conform("--addr", addr, "--expect", tt.expect)
			n := len(blackbox.AddrCheckNames())
			if code != 0 || !strings.HasSuffix(out, fmt.Sprintf("\n%d passed, 0 failed\n", n)) {
				t.Fatalf("exit %d\n%s%s", code, out, errs)
			}
			if c, stderr := stop(); c != 0 {
				t.Fatalf("serve exit %d after graceful stop: %s", c, stderr)
			}
		})
	}
}
