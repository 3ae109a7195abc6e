package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestRateLog: at most limit records pass per second; the others are
// counted, and the count is logged before the next record that passes
// and on Flush.
func TestRateLog(t *testing.T) {
	for _, tt := range []struct {
		name     string
		limit    int
		at       []time.Duration // record times from the start
		flush    bool
		wantMsgs []string
	}{
		{"under the limit", 3, []time.Duration{0, 1, 2}, true, []string{"r0", "r1", "r2"}},
		{"over the limit, flushed", 2, []time.Duration{0, 1, 2, 3, 4}, true,
			[]string{"r0", "r1", "suppressed=3"}},
		{"over the limit, next second", 2, []time.Duration{0, 1, 2, 3, time.Second + 5}, false,
			[]string{"r0", "r1", "suppressed=2", "r4"}},
		{"no limit", 0, []time.Duration{0, 1, 2, 3}, true, []string{"r0", "r1", "r2", "r3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := newRateLog(slog.NewTextHandler(&buf, nil), tt.limit)
			t0 := time.Now()
			for i, d := range tt.at {
				r := slog.NewRecord(t0.Add(d), slog.LevelError, "r"+string(rune('0'+i)), 0)
				if err := h.Handle(context.Background(), r); err != nil {
					t.Fatal(err)
				}
			}
			if rl, ok := h.(*rateLog); ok && tt.flush {
				rl.Flush()
			}
			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != len(tt.wantMsgs) {
				t.Fatalf("logged %d lines, want %d:\n%s", len(lines), len(tt.wantMsgs), buf.String())
			}
			for i, want := range tt.wantMsgs {
				if !strings.Contains(lines[i], want) {
					t.Errorf("line %d = %q, want it to contain %q", i, lines[i], want)
				}
			}
		})
	}
}
