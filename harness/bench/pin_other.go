//go:build !linux

package bench

import (
	"errors"
	"os/exec"
	"runtime"
)

var errNoPinning = errors.New("CPU pinning is supported on Linux only")

func pinSelf(int) (func(), error)      { return nil, errNoPinning }
func startPinned(*exec.Cmd, int) error { return errNoPinning }
func onlineCPUs() int                  { return runtime.NumCPU() }
func pinCPUs() (int, int, error)       { return 0, 0, errNoPinning }
