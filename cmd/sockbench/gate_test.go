package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/results"
)

// withCounts sets every sample of r to count syscalls and allocs per
// request.
func withCounts(r *results.Run, syscalls, allocs float64) *results.Run {
	for i := range r.Scenarios {
		for j := range r.Scenarios[i].Samples {
			s := &r.Scenarios[i].Samples[j]
			s.Counts = map[string]int64{
				results.CountSyscalls: int64(syscalls * float64(s.Requests)),
				results.CountAllocs:   int64(allocs * float64(s.Requests)),
			}
		}
	}
	return r
}

func TestCompareGate(t *testing.T) {
	dir := t.TempDir()
	base := writeRun(t, dir, "base.json", withCounts(synthRun(1, 1, 0), 3, 0.01))
	same := writeRun(t, dir, "same.json", withCounts(synthRun(1, 1, 0.02), 3.05, 0.012))
	write := writeRun(t, dir, "write.json", withCounts(synthRun(1, 1, 0), 4, 0.01))
	alloc := writeRun(t, dir, "alloc.json", withCounts(synthRun(1, 1, 0), 3, 1.01))
	uncounted := writeRun(t, dir, "uncounted.json", synthRun(1, 1, 0))
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"same build", []string{base, same}, 0, []string{"gate PASS: 8 counted checks, 0 counted regression(s)", "timed gate:"}, nil},
		{"one more syscall", []string{base, write}, 1, []string{"REGRESSION", "gate FAIL"},
			[]string{"counted regression: goroutine keepalive closed conns=1 syscalls_per_req 3 -> 4 (+33.3%", "gate failed: 4 counted"}},
		{"one more allocation", []string{"--gate", base, alloc}, 1, []string{"allocs_per_req"}, []string{"allocs_per_req 0.01 -> 1.01"}},
		{"nothing counted", []string{base, uncounted}, 0, []string{"no counted metric measured on both sides"}, nil},
		{"one file", []string{base}, 2, nil, []string{"--gate wants two run files"}},
		{"with --by", []string{"--by", "strategy", base, same}, 2, nil, []string{"--gate does not take"}},
		{"missing file", []string{base, filepath.Join(dir, "nope.json")}, 3, nil, []string{"nope.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"compare", "--gate"}, tt.args...)
			code := run(context.Background(), args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}
