package serveproto

import (
	"runtime"
	"strings"
	"testing"
)

var sink []*[64]byte

func TestReadCounted(t *testing.T) {
	const n = 1000
	before := ReadCounted()
	for range n {
		sink = append(sink, new([64]byte))
	}
	runtime.GC()
	after := ReadCounted()
	sink = nil
	if got := after.Allocs - before.Allocs; got < n {
		t.Errorf("%d allocations counted, want at least %d", got, n)
	}
	if got := after.AllocBytes - before.AllocBytes; got < n*64 {
		t.Errorf("%d bytes allocated counted, want at least %d", got, n*64)
	}
	if after.GCCycles <= before.GCCycles {
		t.Errorf("GC cycles %d -> %d across runtime.GC", before.GCCycles, after.GCCycles)
	}
	if runtime.GOOS == "linux" && after.VolCtx+after.InvolCtx == 0 {
		t.Error("no context switches counted on Linux")
	}
}

func TestStatsCarryCounted(t *testing.T) {
	var b strings.Builder
	if err := WriteStats(&b, ReadStats(3)); err != nil {
		t.Fatal(err)
	}
	st, ok, err := ParseStats(b.String())
	if !ok || err != nil || st.Counted == nil || st.Counted.Allocs == 0 {
		t.Errorf("stats line %q parsed as %+v, %v, %v: want counted allocations", b.String(), st, ok, err)
	}
	old, ok, err := ParseStats(`{"goroutines":3,"conns":1}`)
	if !ok || err != nil || old.Counted != nil {
		t.Errorf("an older server's stats parsed as %+v, %v, %v: want no counts", old, ok, err)
	}
}
