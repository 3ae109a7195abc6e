package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

func init() {
	register(&command{
		name:    "version",
		summary: "print the module version, VCS revision and Go version of this binary",
		usage: `Usage:

	sockbench version
	sockbench --version

Prints, on stdout, what "go version -m" reads from the binary: the module
path and version ("(devel)" when built from a clone), the VCS revision and
time with "+dirty" when the tree had changes, and the Go version that built
it:

	sockbench github.com/gosocketserver/socketserver (devel) rev 4cb4815... 2026-12-01T21:00:00Z go1.26.0

Flags: none.

Exit status: 0; 2 when arguments are given.

Examples:

	sockbench version
	sockbench --version
`,
		run: runVersion,
	})
}

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "sockbench version: unexpected arguments %q\nrun \"sockbench help version\" for usage\n", args)
		return 2
	}
	fmt.Fprintln(stdout, versionLine(readBuildInfo()))
	return 0
}

// versionLine formats build information as one line: "sockbench MODULE
// VERSION [rev REVISION[+dirty] [TIME]] GOVERSION".
func versionLine(bi *debug.BuildInfo, ok bool) string {
	if !ok {
		return "sockbench (no build information)"
	}
	line := fmt.Sprintf("sockbench %s %s", bi.Main.Path, bi.Main.Version)
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		line += " rev " + rev + dirty
		if at != "" {
			line += " " + at
		}
	}
	return line + " " + bi.GoVersion
}
