//go:build unix

package bench

import "syscall"

// raiseFileLimit sets the soft RLIMIT_NOFILE to the hard one when it is
// lower and returns both; ok is false when the limit cannot be read.
func raiseFileLimit() (soft, hard uint64, ok bool) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, 0, false
	}
	if l.Cur < l.Max {
		raised := syscall.Rlimit{Cur: l.Max, Max: l.Max}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			l = raised
		}
	}
	return uint64(l.Cur), uint64(l.Max), true
}
