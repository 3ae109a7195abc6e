//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package load

import "time"

// processCPU is not measured on this system: it returns 0, and the
// saturation verdict then rests on Open's schedule alone.
func processCPU() time.Duration { return 0 }
