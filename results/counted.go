package results

// The counters of Sample.Counts: each is a count over the sample's
// measured interval, taken on the server side, which the counted metrics
// divide by the sample's Requests. A counter missing from Counts was not
// measured; Env.Counters says why.
const (
	// CountSyscalls is every system call the server's threads entered
	// (perf's raw_syscalls:sys_enter tracepoint).
	CountSyscalls = "syscalls"
	// CountIOSyscalls is the server's read and write system calls
	// (syscr + syscw of /proc/PID/io: read, readv, write, writev and
	// friends, sockets included, but not epoll, futex or accept).
	CountIOSyscalls = "io_syscalls"
	// CountVolCtx and CountInvolCtx are the server's voluntary and
	// involuntary context switches, all threads (getrusage in the server).
	CountVolCtx   = "vol_ctx"
	CountInvolCtx = "invol_ctx"
	// CountAllocs, CountAllocBytes and CountGCCycles are the server's heap
	// allocations, bytes allocated and completed GC cycles
	// (runtime/metrics in the server).
	CountAllocs     = "allocs"
	CountAllocBytes = "alloc_bytes"
	CountGCCycles   = "gc_cycles"
	// CountInstructions is the instructions the server retired in user and
	// kernel mode (perf's instructions hardware event).
	CountInstructions = "instructions"
	// CountCallgrindIr is the instructions a Go benchmark executed under
	// valgrind's callgrind ("sockbench callgrind"), whose Requests are the
	// benchmark's operations: exact for the same binary.
	CountCallgrindIr = "callgrind_ir"
)

// Counters lists the counter names of Sample.Counts, in display order.
func Counters() []string {
	return []string{CountSyscalls, CountIOSyscalls, CountVolCtx, CountInvolCtx, CountAllocs, CountAllocBytes, CountGCCycles, CountInstructions, CountCallgrindIr}
}

// Unsupported starts the Env.Counters value of a counter this environment
// cannot measure: "unsupported: " and the reason.
const Unsupported = "unsupported"

// perRequest returns a metric value function: counter name's count per
// request of a sample times scale, not measured when the sample has no
// such count or no request.
func perRequest(name string, scale float64) func(*Sample) (float64, bool) {
	return func(s *Sample) (float64, bool) {
		n, ok := s.Counts[name]
		if !ok || s.Requests <= 0 {
			return 0, false
		}
		return float64(n) * scale / float64(s.Requests), true
	}
}

// countedMetrics are the metrics made of counts per request, which
// Metric.Counted marks. They are nearly deterministic, so that the gate
// (see Gate) compares them by a relative threshold at one repetition.
var countedMetrics = []Metric{
	{Name: "syscalls_per_req", Label: "server syscalls per request", Unit: "syscalls", BenchUnit: "syscalls/req", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountSyscalls, 1)},
	{Name: "io_syscalls_per_req", Label: "server read+write syscalls per request", Unit: "syscalls", BenchUnit: "io-syscalls/req", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountIOSyscalls, 1)},
	{Name: "vol_ctx_per_req", Label: "server voluntary context switches per request", Unit: "switches", BenchUnit: "vol-ctx/req", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountVolCtx, 1)},
	{Name: "invol_ctx_per_req", Label: "server involuntary context switches per request", Unit: "switches", BenchUnit: "invol-ctx/req", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountInvolCtx, 1)},
	{Name: "allocs_per_req", Label: "server allocations per request", Unit: "allocs", BenchUnit: "allocs/req", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountAllocs, 1)},
	{Name: "alloc_bytes_per_req", Label: "server bytes allocated per request", Unit: "B", BenchUnit: "B/req", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountAllocBytes, 1)},
	{Name: "gc_per_mreq", Label: "server GC cycles per million requests", Unit: "cycles", BenchUnit: "gc/Mreq", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountGCCycles, 1e6)},
	{Name: "instructions_per_req", Label: "server instructions per request", Unit: "instructions", BenchUnit: "instructions/req", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountInstructions, 1)},
	{Name: "ir_per_op", Label: "instructions per benchmark operation (callgrind)", Unit: "instructions", BenchUnit: "instructions/op", Better: LowerIsBetter, Factor: 1, Counted: true,
		value: perRequest(CountCallgrindIr, 1)},
}

func init() {
	// The counted metrics follow the timed ones in display order: Metrics,
	// MetricByName and ParseMetrics know them; DefaultMetrics does not, so
	// the timed comparison's family (and its Holm bar) stays as it was.
	metrics = append(metrics, countedMetrics...)
}

// CountedMetrics returns the counted metrics, in display order. The slice
// is a copy.
func CountedMetrics() []Metric { return append([]Metric(nil), countedMetrics...) }
