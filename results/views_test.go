package results

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseReportFormats(t *testing.T) {
	tests := []struct {
		list    string
		want    []string
		wantErr bool
	}{
		{"", ReportFormats, false},
		{"markdown, Table,md,text", []string{"md", "txt"}, false},
		{"svg,bench", []string{"svg", "bench"}, false},
		{"pdf", nil, true},
		{"txt,", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseReportFormats(tt.list)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseReportFormats(%q): err = %v, want error %v", tt.list, err, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseReportFormats(%q) (-want +got):\n%s", tt.list, diff)
		}
	}
}

// TestWriteViews: the text views are written in the order asked, and a
// drawn format is refused before anything is written.
func TestWriteViews(t *testing.T) {
	r := fakeRun(t, defaultFake())
	tests := []struct {
		formats   []string
		want      []string
		wantDrawn bool
	}{
		{[]string{"bench", "txt", "md", "csv", "json"}, []string{"bench.txt", "table.txt", "table.md", "run.csv", "run.json"}, false},
		{[]string{"txt", "html"}, nil, true},
		{[]string{"png"}, nil, true},
	}
	for _, tt := range tests {
		dir := filepath.Join(t.TempDir(), "out")
		paths, err := WriteViews(dir, r, tt.formats)
		if errors.Is(err, ErrDrawnFormat) != tt.wantDrawn || (err != nil && !tt.wantDrawn) {
			t.Errorf("WriteViews(%v): err = %v, want ErrDrawnFormat %v", tt.formats, err, tt.wantDrawn)
		}
		var want []string
		for _, n := range tt.want {
			want = append(want, filepath.Join(dir, n))
		}
		if diff := cmp.Diff(want, paths); diff != "" {
			t.Errorf("WriteViews(%v) paths (-want +got):\n%s", tt.formats, diff)
		}
		for _, p := range paths {
			if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
				t.Errorf("%s missing or empty: %v", p, err)
			}
		}
		if tt.wantDrawn {
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("WriteViews(%v) created %s", tt.formats, dir)
			}
		}
	}
	if _, err := WriteView(t.TempDir(), r, "svg"); !errors.Is(err, ErrDrawnFormat) {
		t.Errorf("WriteView(svg): err = %v, want ErrDrawnFormat", err)
	}
}
