package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	in := writeRun(t, dir, "run.json", synthRun(3, 1, 0.02))
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantFiles []string
		wantErr   string
	}{
		{"some formats", []string{"--out", filepath.Join(dir, "a"), "--format", "table,markdown,csv,bench", in}, 0,
			[]string{"a/table.txt", "a/table.md", "a/run.csv", "a/bench.txt"}, ""},
		{"html", []string{in, "--out", filepath.Join(dir, "b"), "--format", "html"}, 0, []string{"b/report.html"}, ""},
		{"bad format", []string{"--format", "pdf", in}, 2, nil, "unknown report format"},
		{"no file", []string{}, 2, nil, "want one run file"},
		{"missing file", []string{filepath.Join(dir, "nope.json")}, 2, nil, "nope.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"report"}, tt.args...), &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			for _, f := range tt.wantFiles {
				p := filepath.Join(dir, f)
				if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
					t.Errorf("%s missing or empty: %v", f, err)
				}
				if !strings.Contains(stdout.String(), p) {
					t.Errorf("stdout does not list %s:\n%s", p, stdout.String())
				}
			}
			if tt.wantErr != "" && !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, stderr.String())
			}
		})
	}
}
