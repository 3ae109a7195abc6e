//go:build !unix

package serveproto

// contextSwitches returns zeros: there is no getrusage here.
func contextSwitches() (vol, invol int64) { return 0, 0 }
