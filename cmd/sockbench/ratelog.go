package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// A rateLog is a slog.Handler that passes at most limit records per
// second to next and counts the others; the count is logged in one line
// of its own (level WARN, "suppressed=N") before the next record that
// passes and whenever Flush is called. Under attack, "serve" thus logs a
// bounded number of lines that still say how many failures there were.
// The library keeps Python's one report per failed request; this is the
// command's policy. Its methods are safe for concurrent use.
type rateLog struct {
	next slog.Handler
	st   *rateState // shared by the handlers WithAttrs and WithGroup derive
}

type rateState struct {
	mu         sync.Mutex
	limit      int
	window     time.Time // start of the current second
	passed     int       // records passed in it
	suppressed int       // records dropped since the last count was logged
	out        slog.Handler
}

// newRateLog limits next to limit records per second; limit <= 0 means
// no limit and returns next itself.
func newRateLog(next slog.Handler, limit int) slog.Handler {
	if limit <= 0 {
		return next
	}
	return &rateLog{next: next, st: &rateState{limit: limit, out: next}}
}

func (h *rateLog) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *rateLog) Handle(ctx context.Context, r slog.Record) error {
	st := h.st
	st.mu.Lock()
	if r.Time.Sub(st.window) >= time.Second || r.Time.Before(st.window) {
		st.window, st.passed = r.Time, 0
	}
	if st.passed >= st.limit {
		st.suppressed++
		st.mu.Unlock()
		return nil
	}
	st.passed++
	n := st.suppressed
	st.suppressed = 0
	st.mu.Unlock()
	if n > 0 {
		_ = st.out.Handle(ctx, suppressedRecord(n, st.limit))
	}
	return h.next.Handle(ctx, r)
}

func (h *rateLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &rateLog{next: h.next.WithAttrs(as), st: h.st}
}

func (h *rateLog) WithGroup(name string) slog.Handler {
	return &rateLog{next: h.next.WithGroup(name), st: h.st}
}

// Flush logs the count of records suppressed since it was last logged,
// if any.
func (h *rateLog) Flush() {
	h.st.mu.Lock()
	n := h.st.suppressed
	h.st.suppressed = 0
	h.st.mu.Unlock()
	if n > 0 {
		_ = h.st.out.Handle(context.Background(), suppressedRecord(n, h.st.limit))
	}
}

func suppressedRecord(n, limit int) slog.Record {
	r := slog.NewRecord(time.Now(), slog.LevelWarn, "sockbench serve: log lines suppressed by --log-rate", 0)
	r.AddAttrs(slog.Int("suppressed", n), slog.Int("per_second", limit))
	return r
}
