//go:build !unix

package socketserver

import "errors"

// canPollRead is false here: a Stream reads through the connection and
// keeps its buffer while it waits.
const canPollRead = false

func readFD(uintptr, []byte) (int, error) {
	return 0, errors.New("socketserver: no poll read on this system")
}
