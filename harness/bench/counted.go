package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/results"
)

// edgeStatsTimeout bounds the stats query at each edge of the measured
// interval.
const edgeStatsTimeout = time.Second

// CountedSources returns how this harness measures each counter of
// results.Sample.Counts here, for the run's environment; perf is probed
// (see ProbePerf) only when usePerf is set, and its counters are
// otherwise "unsupported: not asked (bench --perf)".
func CountedSources(ctx context.Context, usePerf bool) map[string]string {
	src := map[string]string{
		results.CountVolCtx:     "getrusage in the server (control channel)",
		results.CountInvolCtx:   "getrusage in the server (control channel)",
		results.CountAllocs:     "runtime/metrics in the server (control channel)",
		results.CountAllocBytes: "runtime/metrics in the server (control channel)",
		results.CountGCCycles:   "runtime/metrics in the server (control channel)",
	}
	if _, err := os.Stat("/proc/self/io"); err == nil {
		src[results.CountIOSyscalls] = "/proc/PID/io syscr+syscw"
	} else {
		src[results.CountIOSyscalls] = results.Unsupported + ": no /proc/PID/io"
	}
	if !usePerf {
		for _, e := range perfEvents {
			src[e.counter] = results.Unsupported + ": not asked (bench --perf)"
		}
		return src
	}
	for k, v := range ProbePerf(ctx) {
		src[k] = v
	}
	return src
}

// readProcIO returns syscr + syscw of /proc/PID/io: the read and write
// system calls the process has made, all threads, ended ones included.
func readProcIO(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNoProc, err)
	}
	return parseProcIO(b)
}

// parseProcIO parses the contents of /proc/PID/io and returns syscr +
// syscw.
func parseProcIO(b []byte) (int64, error) {
	var n int64
	found := 0
	for line := range bytes.Lines(b) {
		key, val, ok := bytes.Cut(bytes.TrimSpace(line), []byte(":"))
		if !ok || (string(key) != "syscr" && string(key) != "syscw") {
			continue
		}
		v, err := strconv.ParseInt(string(bytes.TrimSpace(val)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse /proc io: %s: %w", key, err)
		}
		n += v
		found++
	}
	if found != 2 {
		return 0, fmt.Errorf("parse /proc io: want syscr and syscw, found %d of them", found)
	}
	return n, nil
}

// edgeReading is what the harness reads at one edge of the measured
// interval; ok flags say which parts it got.
type edgeReading struct {
	io      int64
	ioOK    bool
	stats   serveproto.Stats
	statsOK bool
	perfOK  bool
}

// edges reads the server's counters at both edges of the measured
// interval (load.Config.OnMeasure), always in the same order (perf,
// /proc/PID/io, the control channel), so that every counter's interval
// is the client's, shifted by the same small delay at both ends.
type edges struct {
	srv        *server
	perf       *perfStat // nil without --perf
	begin, end edgeReading
	seen       int
}

// at is the OnMeasure callback.
func (e *edges) at(begin bool) {
	r := &e.end
	cmd := "disable"
	if begin {
		r, cmd = &e.begin, "enable"
	}
	e.seen++
	if e.perf != nil {
		r.perfOK = e.perf.command(cmd) == nil
	}
	io, err := readProcIO(e.srv.pid)
	r.io, r.ioOK = io, err == nil
	if e.srv.control {
		st, err := e.srv.stats(edgeStatsTimeout)
		r.stats, r.statsOK = st, err == nil
	}
}

// counts returns the counts over the interval, by counter name, of the
// parts read at both edges; perf's come from its final report.
func (e *edges) counts() map[string]int64 {
	if e.seen != 2 {
		return nil
	}
	out := map[string]int64{}
	b, n := &e.begin, &e.end
	if b.ioOK && n.ioOK && n.io >= b.io {
		out[results.CountIOSyscalls] = n.io - b.io
	}
	if b.statsOK && n.statsOK && b.stats.Counted != nil && n.stats.Counted != nil {
		c0, c1 := b.stats.Counted, n.stats.Counted
		out[results.CountAllocs] = int64(c1.Allocs - c0.Allocs)
		out[results.CountAllocBytes] = int64(c1.AllocBytes - c0.AllocBytes)
		out[results.CountGCCycles] = int64(c1.GCCycles - c0.GCCycles)
		if c1.VolCtx > 0 || c1.InvolCtx > 0 {
			out[results.CountVolCtx] = c1.VolCtx - c0.VolCtx
			out[results.CountInvolCtx] = c1.InvolCtx - c0.InvolCtx
		}
	}
	if e.perf != nil {
		pc, err := e.perf.stop()
		e.perf = nil
		if err == nil && b.perfOK && n.perfOK {
			for k, v := range pc {
				out[k] = v
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// close stops perf if counts did not.
func (e *edges) close() {
	if e.perf != nil {
		_, _ = e.perf.stop()
		e.perf = nil
	}
}

// perfCounts reports whether sources (see CountedSources) say perf stat
// counts syscalls here.
func perfCounts(sources map[string]string) bool {
	return !strings.HasPrefix(sources[results.CountSyscalls], results.Unsupported)
}
