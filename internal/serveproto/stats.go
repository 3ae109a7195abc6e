package serveproto

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
)

// Stats is the runtime statistics record a server prints, as one JSON
// line, for StatsCommand on its control channel.
type Stats struct {
	Goroutines int    `json:"goroutines"`
	Conns      int    `json:"conns"` // connections being served
	HeapInuse  uint64 `json:"heap_inuse"`
	StackInuse uint64 `json:"stack_inuse"`
	Sys        uint64 `json:"sys"`
	NumGC      uint32 `json:"num_gc"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	// CPU is the server process's user+system CPU seconds since it
	// started, and Accepted the connections it has accepted since then;
	// "sockbench serve --stats-addr" fills them (see StatsHandler), the
	// control channel leaves them zero.
	CPU      float64 `json:"cpu_s,omitempty"`
	Accepted int64   `json:"accepted,omitempty"`
	// Counted holds the cumulative counts costs per request are made of;
	// nil from a server built before it existed.
	Counted *Counted `json:"counted,omitempty"`
	// Balance is, for a strategy that spreads connections over workers
	// (prefork's processes, the event loop's loops), how many each has
	// accepted so far.
	Balance []int64 `json:"balance,omitempty"`
}

// ReadStats returns this process's statistics now, with conns as the
// number of connections being served.
func ReadStats(conns int) Stats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	c := ReadCounted()
	return Stats{
		Counted:    &c,
		Goroutines: runtime.NumGoroutine(),
		Conns:      conns,
		HeapInuse:  ms.HeapInuse,
		StackInuse: ms.StackInuse,
		Sys:        ms.Sys,
		NumGC:      ms.NumGC,
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// WriteStats writes st to w as one JSON line, in a single Write.
func WriteStats(w io.Writer, st Stats) error {
	b, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode stats: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write stats: %w", err)
	}
	return nil
}

// ParseStats parses a line a server printed. ok is false for a line that
// is not a stats record (a request log line, say), which callers skip; err
// reports a stats record that does not decode.
func ParseStats(line string) (st Stats, ok bool, err error) {
	if !strings.HasPrefix(strings.TrimSpace(line), "{") {
		return Stats{}, false, nil
	}
	if err := json.Unmarshal([]byte(line), &st); err != nil {
		return Stats{}, true, fmt.Errorf("stats line %q: %w", line, err)
	}
	return st, true, nil
}
