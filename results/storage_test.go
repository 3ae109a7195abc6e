package results

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		run  *Run
	}{
		{"full", func() *Run { o := defaultFake(); o.conns = []int{1, 64}; o.reps = 3; return fakeRun(t, o) }()},
		{"no histograms", func() *Run { o := defaultFake(); o.histograms = false; return fakeRun(t, o) }()},
		{"empty", &Run{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "run.json")
			if err := WriteFile(path, tt.run); err != nil {
				t.Fatal(err)
			}
			got, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := *tt.run
			want.Schema = SchemaVersion
			if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteKeepsNumberArraysOnOneLine(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fakeRun(t, defaultFake())); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"counts": [0, 0,`) {
		t.Errorf("counts not on one line:\n%.600s", buf.String())
	}
	if !strings.Contains(buf.String(), "\n  \"env\": {\n    \"date\"") {
		t.Errorf("not indented:\n%.300s", buf.String())
	}
}

func TestWriteRejectsNaN(t *testing.T) {
	r := fakeRun(t, defaultFake())
	r.Scenarios[1].Samples[2].Latency.P99 = nanValue()
	err := Write(&bytes.Buffer{}, r)
	if err == nil || !strings.Contains(err.Error(), "Latency.P99") || !strings.Contains(err.Error(), "sample 2") {
		t.Fatalf("Write with NaN: err = %v, want one naming sample 2 and Latency.P99", err)
	}
}

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    Duration
		wantErr bool
	}{
		{`"5s"`, Duration(5e9), false},
		{`"1m30s"`, Duration(90e9), false},
		{`"250ms"`, Duration(250e6), false},
		{`1000`, Duration(1000), false},
		{`"five"`, 0, true},
		{`true`, 0, true},
	}
	for _, tt := range tests {
		var d Duration
		err := d.UnmarshalJSON([]byte(tt.in))
		if (err != nil) != tt.wantErr || d != tt.want {
			t.Errorf("UnmarshalJSON(%s) = %v, %v; want %v, err %v", tt.in, d, err, tt.want, tt.wantErr)
		}
	}
	b, err := Duration(1500e6).MarshalJSON()
	if err != nil || string(b) != `"1.5s"` {
		t.Errorf("MarshalJSON = %s, %v; want \"1.5s\"", b, err)
	}
}

func TestReadSchemaVersion(t *testing.T) {
	tests := []struct {
		doc     string
		wantErr bool
	}{
		{`{"schema":"1.0"}`, false},
		{`{"schema":"1.7","future_field":[1,2]}`, false},
		{`{"schema":"2.0"}`, false},
		{`{"schema":"2.3","future_field":[1,2]}`, false},
		{`{"schema":"3.0"}`, true},
		{`{"schema":"0.9"}`, true},
		{`{"schema":"x"}`, true},
		{`{"env":{}}`, true},
		{`{"schema":"3.0","scenarios":"a v3 shape"}`, true},
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(tt.doc))
		if tt.wantErr && !errors.Is(err, ErrSchemaVersion) {
			t.Errorf("Read(%s) err = %v, want ErrSchemaVersion", tt.doc, err)
		}
		if !tt.wantErr && err != nil {
			t.Errorf("Read(%s) err = %v", tt.doc, err)
		}
	}
}

func TestReadMalformedNamesPosition(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, fakeRun(t, defaultFake())); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	tests := []struct {
		name     string
		data     []byte
		wantLine int
		wantIn   string
	}{
		{"truncated", full[:len(full)/2], bytes.Count(full[:len(full)/2], []byte("\n")) + 1, "truncated"},
		{"bad token", []byte("{\n  \"schema\": \"1.0\",\n  \"env\": {x}\n}"), 3, "invalid character 'x'"},
		{"wrong type", []byte("{\n  \"schema\": \"1.0\",\n  \"config\": {\"repetitions\": \"five\"}\n}"), 3, "repetitions"},
		{"bad histogram", []byte(`{"schema":"1.0","scenarios":[{"strategy":"s","samples":[{"histogram":{"lowest":1,"highest":1000,"sigfigs":3,"counts":[-1]}}]}]}`), 0, "negative"},
		{"empty", []byte(" \n"), 0, "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.json")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(path)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %T, want *FormatError", err)
			}
			if fe.File != path || fe.Line != tt.wantLine {
				t.Errorf("File, Line = %q, %d; want %q, %d", fe.File, fe.Line, path, tt.wantLine)
			}
			msg := err.Error()
			if !strings.Contains(msg, path) || !strings.Contains(msg, tt.wantIn) {
				t.Errorf("message %q should name %q and contain %q", msg, path, tt.wantIn)
			}
			if tt.wantLine > 0 && !strings.Contains(msg, "(byte ") {
				t.Errorf("message %q has no byte offset", msg)
			}
		})
	}
}
