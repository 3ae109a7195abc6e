package bench

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinSelf pins every thread of this process to cpu and sets GOMAXPROCS to
// 1, so that the load generator runs on that CPU alone and judges its own
// saturation against one CPU. Threads started later inherit the mask. The
// returned function restores the previous masks and GOMAXPROCS.
func pinSelf(cpu int) (restore func(), err error) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("pin client: %w", err)
	}
	if err := setAllThreads(os.Getpid(), cpu); err != nil {
		return nil, fmt.Errorf("pin client to CPU %d: %w", cpu, err)
	}
	procs := runtime.GOMAXPROCS(1)
	return func() {
		_ = setAllThreadsMask(os.Getpid(), &old)
		runtime.GOMAXPROCS(procs)
	}, nil
}

// startPinned starts cmd with its CPU mask set to cpu from the first
// instruction: the child inherits the mask of the thread that forks it, so
// the Go runtime in the child sees one CPU (GOMAXPROCS 1). Every thread of
// the child is set again after start, for children that are not forked
// from this thread's mask (there are none today; it is cheap).
func startPinned(cmd *exec.Cmd, cpu int) error {
	runtime.LockOSThread()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("pin server: %w", err)
	}
	var set unix.CPUSet
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("pin server to CPU %d: %w", cpu, err)
	}
	err := cmd.Start()
	rerr := unix.SchedSetaffinity(0, &old)
	runtime.UnlockOSThread()
	if err != nil {
		return err
	}
	if rerr != nil {
		return fmt.Errorf("pin server: restore the harness thread's CPU mask: %w", rerr)
	}
	if err := setAllThreads(cmd.Process.Pid, cpu); err != nil {
		return fmt.Errorf("pin server to CPU %d: %w", cpu, err)
	}
	return nil
}

// setAllThreads sets the CPU mask of every thread of pid to {cpu}.
func setAllThreads(pid, cpu int) error {
	var set unix.CPUSet
	set.Set(cpu)
	return setAllThreadsMask(pid, &set)
}

func setAllThreadsMask(pid int, set *unix.CPUSet) error {
	// Threads may start while we iterate; two passes catch those that
	// inherited an old mask from a thread not yet moved.
	for range 2 {
		ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
		if err != nil {
			return err
		}
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
				return fmt.Errorf("thread %d: %w", tid, err)
			}
		}
	}
	return nil
}

// pinCPUs picks the CPUs of a pinned run: the first two in this process's
// affinity mask (0 and 1 on most machines; others in a cpuset container),
// the load generator on the lower.
func pinCPUs() (client, server int, err error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0, 0, fmt.Errorf("pin: %w", err)
	}
	var cpus []int
	for cpu := 0; cpu < maxCPUs && len(cpus) < 2; cpu++ {
		if set.IsSet(cpu) {
			cpus = append(cpus, cpu)
		}
	}
	if len(cpus) < 2 {
		return 0, 0, fmt.Errorf("pin: need 2 CPUs (one for the servers, one for the load generator), this process may run on %d", set.Count())
	}
	return cpus[0], cpus[1], nil
}

// maxCPUs is the size of a unix.CPUSet (the kernel's CPU_SETSIZE).
const maxCPUs = 1024

// onlineCPUs is how many CPUs this process may run on.
func onlineCPUs() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return runtime.NumCPU()
	}
	return set.Count()
}
