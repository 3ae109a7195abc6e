//go:build !unix

package bench

// raiseFileLimit reports that the open-file limit is unknown here.
func raiseFileLimit() (soft, hard uint64, ok bool) { return 0, 0, false }
