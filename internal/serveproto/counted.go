package serveproto

import "runtime/metrics"

// Counted holds the server's cumulative counts that the harness turns into
// costs per request: it reads them at both edges of the measured interval
// and divides the difference by the requests served in between. Every
// field only grows while the process lives.
type Counted struct {
	// Allocs and AllocBytes are the heap objects and bytes allocated
	// since the process started (runtime/metrics /gc/heap/allocs:*).
	Allocs     uint64 `json:"allocs"`
	AllocBytes uint64 `json:"alloc_bytes"`
	// GCCycles is the number of completed GC cycles (/gc/cycles/total).
	GCCycles uint64 `json:"gc_cycles"`
	// VolCtx and InvolCtx are the voluntary and involuntary context
	// switches of every thread of the process, ended threads included
	// (getrusage RUSAGE_SELF); both are zero where that is unavailable.
	VolCtx   int64 `json:"vol_ctx"`
	InvolCtx int64 `json:"invol_ctx"`
}

// countedMetrics are the runtime/metrics samples ReadCounted reads, in the
// order of its fields.
var countedMetrics = []string{
	"/gc/heap/allocs:objects",
	"/gc/heap/allocs:bytes",
	"/gc/cycles/total:gc-cycles",
}

// ReadCounted returns this process's counts now. It does not stop the
// world (runtime/metrics.Read does not) and allocates a little, the same
// amount at every call.
func ReadCounted() Counted {
	s := make([]metrics.Sample, len(countedMetrics))
	for i, name := range countedMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	c := Counted{Allocs: uint64Of(s[0]), AllocBytes: uint64Of(s[1]), GCCycles: uint64Of(s[2])}
	c.VolCtx, c.InvolCtx = contextSwitches()
	return c
}

// uint64Of returns s's value, or 0 if this runtime does not know it.
func uint64Of(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}
