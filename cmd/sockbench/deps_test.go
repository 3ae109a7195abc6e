package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestServingBinaryDeps: the measured binary carries only what serving
// needs; testing and goleak (the white-box suite's) are not linked into it,
// nor into the black-box checker it uses.
func TestServingBinaryDeps(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot run go list -deps to check what sockbench links")
	}
	for _, pkg := range []string{".", "../../harness/blackbox"} {
		out, err := exec.Command(goBin, "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		deps := strings.Fields(string(out))
		if !slices.Contains(deps, "github.com/gosocketserver/socketserver") {
			t.Fatalf("go list -deps %s does not list the root package; output:\n%s", pkg, out)
		}
		for _, bad := range []string{"testing", "go.uber.org/goleak"} {
			if slices.Contains(deps, bad) {
				t.Errorf("go list -deps %s lists %s", pkg, bad)
			}
		}
	}
}
