//go:build !linux

package bench

import "os/exec"

// dieWithHarness does nothing where the kernel has no parent-death signal:
// servers stop through their control channel only.
func dieWithHarness(cmd *exec.Cmd) {}
