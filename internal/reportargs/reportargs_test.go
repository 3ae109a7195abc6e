package reportargs

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/results"
)

func TestParse(t *testing.T) {
	all := results.ReportFormats
	tests := []struct {
		name    string
		args    []string
		want    Args
		wantErr error
		stderr  string // in stderr
	}{
		{"run only", []string{"run.json"}, Args{Out: DefaultOut, Formats: all, Run: "run.json"}, nil, ""},
		{"flags after the file", []string{"run.json", "--out", "r", "--format", "svg,Table"},
			Args{Out: "r", Formats: []string{"svg", "txt"}, Explicit: true, Run: "run.json"}, nil, ""},
		{"empty format is every format", []string{"--format", " ", "run.json"}, Args{Out: DefaultOut, Formats: all, Run: "run.json"}, nil, ""},
		{"dash dash", []string{"--out", "r", "--", "-run.json"}, Args{Out: "r", Formats: all, Run: "-run.json"}, nil, ""},
		{"help", []string{"-h"}, Args{}, flag.ErrHelp, ""},
		{"unknown flag", []string{"--pdf", "run.json"}, Args{}, ErrUsage, "flag provided but not defined: -pdf\nrun \"prog --help\" for usage\n"},
		{"stdin and stdout", []string{"--format", "bench", "--out", "-", "-"}, Args{Out: "-", Formats: []string{"bench"}, Explicit: true, Run: "-"}, nil, ""},
		{"stdout needs one format", []string{"--out", "-", "run.json"}, Args{}, ErrUsage, "--out - writes one format to stdout"},
		{"stdout cannot take charts", []string{"--out", "-", "--format", "svg", "run.json"}, Args{}, ErrUsage, "--out - writes one format"},
		{"unknown format", []string{"--format", "pdf", "run.json"}, Args{}, ErrUsage, `prog: --format: unknown report format "pdf"`},
		{"no file", nil, Args{}, ErrUsage, `prog: want one run file, got 0; see "prog --help"`},
		{"two files", []string{"a.json", "b.json"}, Args{}, ErrUsage, "got 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := Parse("prog", tt.args, &stderr)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("args (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), tt.stderr) || (tt.stderr == "" && stderr.Len() > 0) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tt.stderr)
			}
		})
	}
}

func TestReadRunStdin(t *testing.T) {
	var buf bytes.Buffer
	if err := results.Write(&buf, &results.Run{Warnings: []string{"from stdin"}}); err != nil {
		t.Fatal(err)
	}
	r, err := ReadRun(Stdin, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"from stdin"}, r.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if _, err := ReadRun(Stdin, strings.NewReader("{")); !errors.Is(err, results.ErrMalformed) || !strings.Contains(err.Error(), "standard input") {
		t.Errorf("ReadRun of a bad stdin: %v, want ErrMalformed naming standard input", err)
	}
}
