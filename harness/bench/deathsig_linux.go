package bench

import (
	"os/exec"
	"syscall"
)

// dieWithHarness makes the kernel kill cmd's process when this process
// dies (PR_SET_PDEATHSIG), so that a harness killed by a test timeout or
// SIGKILL leaves no server behind: graceful stops go through the control
// channel as before. The signal follows the thread that started the
// child; the harness starts servers from threads that stay alive
// (startPinned unlocks, never exits, its locked thread).
func dieWithHarness(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
