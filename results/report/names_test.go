package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteLongWorkloadNames checks that file names derived from a run's
// workload names always fit: a 300-byte workload name stopped the report
// after 5 of its 8 formats with "file name too long". Two long names that
// differ only at their end keep distinct charts.
func TestWriteLongWorkloadNames(t *testing.T) {
	o := defaultFake()
	o.strategies, o.conns, o.reps = o.strategies[:2], []int{1, 16}, 3 // small: every format is drawn
	r := fakeRun(t, o)
	long := strings.Repeat("w", 300)
	n := 0
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		if sc.Workload == r.Scenarios[0].Workload {
			sc.Workload = long + "a"
			n++
		} else {
			sc.Workload = long + "b"
		}
	}
	if n == 0 || n == len(r.Scenarios) {
		t.Fatalf("the fixture needs two workloads; got %d of %d scenarios in the first", n, len(r.Scenarios))
	}
	dir := t.TempDir()
	// Every format but png, which names its files as svg does and is the
	// slowest to draw under -race.
	paths, err := Write(dir, r, []string{"txt", "md", "csv", "bench", "json", "svg", "html"})
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	seen := map[string]bool{}
	exts := map[string]bool{}
	for _, p := range paths {
		base := filepath.Base(p)
		if len(base) > 255 {
			t.Errorf("file name of %d bytes: %s", len(base), base)
		}
		if seen[base] {
			t.Errorf("%s written twice: two charts share a name", base)
		}
		seen[base] = true
		exts[filepath.Ext(base)] = true
	}
	for _, ext := range []string{".txt", ".md", ".csv", ".json", ".svg", ".html"} {
		if !exts[ext] {
			t.Errorf("no %s file written", ext)
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".report-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Error(err)
	}
}
