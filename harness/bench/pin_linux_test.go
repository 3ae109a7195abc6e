package bench

import (
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// withMask runs f on a thread whose CPU mask is set to cpus, then restores
// the thread's mask.
func withMask(t *testing.T, cpus []int, f func()) {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		t.Fatal(err)
	}
	for _, c := range cpus {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		t.Fatalf("set mask %v: %v", cpus, err)
	}
	defer func() {
		if err := unix.SchedSetaffinity(0, &old); err != nil {
			t.Errorf("restore mask: %v", err)
		}
	}()
	f()
}

// TestPinCPUs checks that a pinned run takes the first two CPUs of the
// process's mask, whichever they are, and refuses a one-CPU mask clearly.
func TestPinCPUs(t *testing.T) {
	var mask unix.CPUSet
	if err := unix.SchedGetaffinity(0, &mask); err != nil {
		t.Fatal(err)
	}
	var allowed []int
	for cpu := range maxCPUs {
		if mask.IsSet(cpu) {
			allowed = append(allowed, cpu)
		}
	}
	last := allowed[len(allowed)-1]
	t.Run("one CPU", func(t *testing.T) {
		withMask(t, []int{last}, func() {
			_, _, err := pinCPUs()
			if err == nil || !strings.Contains(err.Error(), "need 2 CPUs") {
				t.Fatalf("pinCPUs on CPU %d alone: %v, want a need-2-CPUs error", last, err)
			}
		})
	})
	if len(allowed) < 2 {
		t.Logf("this process may run on CPU %d only: the two-CPU case cannot be set up", last)
		return
	}
	// The two highest CPUs, so that on a machine with more than two the
	// choice is not simply 0 and 1.
	a, b := allowed[len(allowed)-2], last
	t.Run("two CPUs", func(t *testing.T) {
		withMask(t, []int{b, a}, func() {
			client, server, err := pinCPUs()
			if err != nil || client != a || server != b {
				t.Fatalf("pinCPUs on {%d,%d} = %d, %d, %v; want client %d, server %d", a, b, client, server, err, a, b)
			}
		})
	})
}
