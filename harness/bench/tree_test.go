package bench

import (
	"math"
	"os"
	"os/exec"
	"runtime"
	"testing"
)

func TestJain(t *testing.T) {
	for _, tt := range []struct {
		xs   []int64
		want float64
	}{
		{nil, 0},
		{[]int64{0, 0}, 0},
		{[]int64{5, 5}, 1},
		{[]int64{10, 0}, 0.5},
		{[]int64{1312, 1103}, 2415.0 * 2415 / (2 * (1312.0*1312 + 1103*1103))},
		{[]int64{1, 0, 0, 0}, 0.25},
	} {
		if got := jain(tt.xs); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("jain(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

// TestReadTree checks that a child of this process is found, with its
// RSS, and that a process with no children has an empty tree.
func TestReadTree(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep command: %v", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	tr, err := readTree(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if tr.procs < 1 || tr.rss <= 0 {
		t.Errorf("tree of this process with a sleeping child: %+v, want at least one process with RSS", tr)
	}
	leaf, err := readTree(cmd.Process.Pid)
	if err != nil || leaf.procs != 0 {
		t.Errorf("tree of the childless sleep: %+v, %v; want no process", leaf, err)
	}
}
