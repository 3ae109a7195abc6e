//go:build unix

package socketserver

import "syscall"

// canPollRead is true here: a Stream waits for readability with no buffer.
const canPollRead = true

// readFD is one non-blocking read(2) from fd into b, retried on EINTR.
func readFD(fd uintptr, b []byte) (int, error) {
	for {
		n, err := syscall.Read(int(fd), b)
		if err != syscall.EINTR {
			if err != nil {
				n = 0
			}
			return n, err
		}
	}
}
