package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/results"
)

// CurrentEnv describes this machine and build for a run: Go version, CPU
// model (from /proc/cpuinfo), CPU count, GOMAXPROCS, kernel release, VCS
// commit of the build (when built from a checkout) and host name.
func CurrentEnv(toolVersion string) results.Env {
	e := results.Env{
		Date:        time.Now().UTC(),
		ToolVersion: toolVersion,
		GoVersion:   runtime.Version(),
		GOOS:        runtime.GOOS,
		GOARCH:      runtime.GOARCH,
		CPUModel:    cpuModel(),
		NumCPU:      runtime.NumCPU(),
		GOMAXPROCS:  runtime.GOMAXPROCS(0),
		Kernel:      kernel(),
	}
	e.Hostname, _ = os.Hostname()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				e.Commit = s.Value
			}
		}
		if e.ToolVersion == "" && bi.Main.Version != "" {
			e.ToolVersion = bi.Main.Version
		}
	}
	return e
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
