package bench

import (
	"os/exec"
	"syscall"
)

// setDeathSignal makes the kernel kill cmd's process if the thread that
// started it ends, so that a harness killed mid-sample leaves no perf
// process behind.
func setDeathSignal(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
