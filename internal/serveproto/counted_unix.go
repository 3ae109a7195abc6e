//go:build unix

package serveproto

import "syscall"

// contextSwitches returns the process's voluntary and involuntary context
// switches so far, or zeros if getrusage fails.
func contextSwitches() (vol, invol int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return int64(ru.Nvcsw), int64(ru.Nivcsw)
}
