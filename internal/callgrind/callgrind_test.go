package callgrind

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// out is a callgrind output file in the compressed form valgrind writes:
// names defined once with an id, then referred to by it; the cost line
// after calls= is the call's inclusive cost, not the caller's own.
const out = `version: 1
creator: callgrind-3.19.0
events: Ir
fl=(1) a.go
fn=(1) main.BenchmarkX
10 100
+2 50
cfl=(1)
cfn=(2) runtime.morestack
calls=1 0
12 900
fn=(2)
5 900
fn=(3) runtime.memmove
0 40
fn=(4) gogo
0 3
fn=(1)
14 7
totals: 1100
`

func TestSelfCosts(t *testing.T) {
	got, err := SelfCosts(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"main.BenchmarkX": 157, "runtime.morestack": 900, "runtime.memmove": 40, "gogo": 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("self costs (-want +got):\n%s", diff)
	}
	if n := countedTotal(got); n != 157+40 {
		t.Errorf("counted total %d, want the benchmark's and memmove's %d", n, 157+40)
	}
	if _, err := SelfCosts(strings.NewReader("fn=(1) f\n3 x\n")); err == nil {
		t.Error("a cost that is not a number parsed")
	}
}

func TestCounted(t *testing.T) {
	for fn, want := range map[string]bool{
		"github.com/gosocketserver/socketserver.Lines": true,
		"runtime.memmove":            true,
		"runtime.schedule":           false,
		"internal/runtime/atomic.Or": false,
		"bufio.(*Reader).ReadSlice":  true,
		"indexbytebody":              true,
		"gogo":                       false,
	} {
		if got := Counted(fn); got != want {
			t.Errorf("Counted(%q) = %v, want %v", fn, got, want)
		}
	}
}

// BenchmarkProbe is what TestCountUnderValgrind counts: a fixed loop.
func BenchmarkProbe(b *testing.B) {
	var s [64]int
	for b.Loop() {
		for i := range s {
			s[i] += i
		}
	}
}

// TestCountUnderValgrind counts BenchmarkProbe in a test binary built
// without the race detector (valgrind cannot run one built with it).
func TestCountUnderValgrind(t *testing.T) {
	if _, err := exec.LookPath("valgrind"); err != nil {
		t.Skip("valgrind not installed; callgrind counts untested")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build the probe binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "probe.test")
	if msg, err := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build the probe: %v: %s", err, msg)
	}
	res, err := Count(ctx, bin, "BenchmarkProbe", 10, 200, 1, dir)
	if err != nil {
		t.Fatal(err)
	}
	// 64 additions and loop control per operation, at the least.
	if per := res.PerOp(); per < 64 || per > 2000 || res.Ops != 200 {
		t.Errorf("%+v: %.1f instructions per operation, want 64 to 2000 over 200 operations", res, per)
	}
	if _, err := Count(ctx, bin, "BenchmarkNope", 1, 1, 1, dir); !errors.Is(err, ErrNoBenchmark) {
		t.Errorf("a missing benchmark: err %v, want ErrNoBenchmark", err)
	}
}
