package harness

import (
	"fmt"
	"os"
	"runtime"

	"github.com/gosocketserver/socketserver/harness/internal/seedclient"
)

// openFDs counts the process's open descriptors, or returns -1 where
// /proc/self/fd does not exist.
func openFDs() int {
	if runtime.GOOS != "linux" {
		return -1
	}
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}

// fdsBackTo waits until the open-descriptor count is at most base+slack
// and returns nil, or an error naming the excess.
func fdsBackTo(base, slack int) error {
	if base < 0 {
		return nil
	}
	var n int
	if seedclient.Eventually(seedclient.Settle, func() bool { n = openFDs(); return n <= base+slack }) {
		return nil
	}
	return fmt.Errorf("open descriptors: %d, was %d before (%d leaked)", n, base, n-base)
}
