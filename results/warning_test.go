package results

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// everyKind holds one warning of each kind, with the text it prints.
var everyKind = []struct {
	w    Warning
	text string
}{
	{Warning{Kind: ClientBound, Reps: 3, OfReps: 3}, "client-bound"},
	{Warning{Kind: ClientBound, Reps: 1, OfReps: 3}, "client-bound (1 of 3 reps)"},
	{Warning{Kind: MachineBound}, "machine-bound (1 connection: measures the cross-core wake-up, not the strategy)"},
	{Warning{Kind: ReplyErrors, Errors: 5, Reps: 2, OfReps: 3, Detail: "read reply: timeout"}, "errors: 5 in 2 of 3 reps (first: read reply: timeout)"},
	{Warning{Kind: ReplyErrors, Errors: 1, Reps: 1, OfReps: 1}, "errors: 1 in 1 of 1 reps"},
	{Warning{Kind: Starved, Clients: 15, OfClients: 16}, "starved 15 of 16 clients"},
	{Warning{Kind: HighSpread, Metric: "throughput_rps", Spread: 0.294}, "spread 29% across reps (throughput)"},
	{Warning{Kind: HighSpread, Metric: "requests_per_cpu_s", Spread: 1.53}, "spread 153% across reps (requests per server-CPU-second)"},
	{Warning{Kind: SlowClients, Clients: 4, OfClients: 16, Delay: Duration(time.Millisecond)}, "4 of 16 clients slow (1 byte per 1ms); the figures are the other clients'"},
	{Warning{Kind: NoSlowClient}, "no slow client at 1 connection"},
	{Warning{Kind: FailedRep, Rep: 2, Detail: "start server: exit status 1"}, "failed rep 2: start server: exit status 1"},
	{NoteWarning("something else"), "something else"},
}

func TestWarningString(t *testing.T) {
	for _, tt := range everyKind {
		if got := tt.w.String(); got != tt.text {
			t.Errorf("%+v.String() = %q, want %q", tt.w, got, tt.text)
		}
	}
}

// TestWarningsRoundTrip: a new run stores its warnings as data (a kind and
// fields, no English) and reads them back unchanged.
func TestWarningsRoundTrip(t *testing.T) {
	r := fakeRun(t, defaultFake())
	for _, tt := range everyKind {
		r.Scenarios[0].Warnings = append(r.Scenarios[0].Warnings, tt.w)
	}
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	for _, english := range []string{"starved 15 of", "client-bound (1 of", "across reps", "clients slow"} {
		if strings.Contains(buf.String(), english) {
			t.Errorf("written run holds the text %q instead of data", english)
		}
	}
	if !strings.Contains(buf.String(), `"kind": "starved"`) {
		t.Errorf("written run has no structured starved warning:\n%.2000s", buf.String())
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Scenarios, got.Scenarios); diff != "" {
		t.Errorf("scenarios changed in a round trip (-written +read):\n%s", diff)
	}
}

// TestLegacyWarning: schema 1.x texts become their kind and data, and a
// text no kind reproduces exactly becomes a Note holding it.
func TestLegacyWarning(t *testing.T) {
	tests := []struct {
		text string
		want Warning
	}{
		{"client-bound", Warning{Kind: ClientBound}},
		{"client-bound (2 of 3 reps)", Warning{Kind: ClientBound, Reps: 2, OfReps: 3}},
		{"machine-bound (1 connection: measures the cross-core wake-up, not the strategy)", Warning{Kind: MachineBound}},
		{"errors: 7 in 2 of 3 reps (first: read reply: i/o timeout (peer))", Warning{Kind: ReplyErrors, Errors: 7, Reps: 2, OfReps: 3, Detail: "read reply: i/o timeout (peer)"}},
		{"errors: 4 in 1 of 3 reps", Warning{Kind: ReplyErrors, Errors: 4, Reps: 1, OfReps: 3}},
		{"starved 255 of 256 clients", Warning{Kind: Starved, Clients: 255, OfClients: 256}},
		{"spread 36% across reps (throughput)", Warning{Kind: HighSpread, Metric: "throughput_rps", Spread: 0.36}},
		{"spread 108% across reps (requests per server-CPU-second)", Warning{Kind: HighSpread, Metric: "requests_per_cpu_s", Spread: 1.08}},
		{"16 of 64 clients slow (1 byte per 1ms); the figures are the other clients'", Warning{Kind: SlowClients, Clients: 16, OfClients: 64, Delay: Duration(time.Millisecond)}},
		{"no slow client at 1 connection", Warning{Kind: NoSlowClient}},
		{"failed rep 3: dial: connection refused", Warning{Kind: FailedRep, Rep: 3, Detail: "dial: connection refused"}},
		{"a warning no kind describes", NoteWarning("a warning no kind describes")},
		{"spread 12.5% across reps (throughput)", NoteWarning("spread 12.5% across reps (throughput)")},
		{"starved some clients", NoteWarning("starved some clients")},
		{"client-bound (most reps)", NoteWarning("client-bound (most reps)")},
	}
	for _, tt := range tests {
		got := legacyWarning(tt.text)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("legacyWarning(%q) (-want +got):\n%s", tt.text, diff)
		}
		if got.String() != tt.text {
			t.Errorf("legacyWarning(%q).String() = %q", tt.text, got.String())
		}
	}
}

// TestOldRunRendersAsBefore: a schema 1.0 run (English warnings) reads, its
// bare "client-bound" gets its count from the samples, and its tables and
// CSV are byte for byte what the sockbench that wrote 1.0 rendered
// (testdata/v1-run.*, made by that sockbench's report command; the tables
// updated since only where they changed on purpose: --pin advised only to
// unpinned runs, notes shared by a whole row written once beside conns).
// Written again as the current schema and read back, it renders the same.
func TestOldRunRendersAsBefore(t *testing.T) {
	old, err := ReadFile(filepath.Join("testdata", "v1-run.json"))
	if err != nil {
		t.Fatal(err)
	}
	sc := old.Scenarios[4]
	if w, ok := sc.Warning(ClientBound); !ok || w.Reps != len(sc.Samples) || w.OfReps != len(sc.Samples) {
		t.Errorf("bare client-bound of %s read as %+v, %v; want every one of %d reps", sc.Key(), w, ok, len(sc.Samples))
	}
	var buf bytes.Buffer
	if err := Write(&buf, old); err != nil {
		t.Fatal(err)
	}
	rewritten, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	views := []struct {
		golden string
		write  func(io.Writer, *Run) error
	}{
		{"v1-run.table.txt", func(w io.Writer, r *Run) error { return WriteTable(w, r, TableOptions{}) }},
		{"v1-run.table.md", func(w io.Writer, r *Run) error { return WriteMarkdown(w, r, TableOptions{}) }},
		{"v1-run.csv", WriteCSV},
	}
	for _, v := range views {
		want, err := os.ReadFile(filepath.Join("testdata", v.golden))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			name string
			run  *Run
		}{{"1.0 file", old}, {"rewritten as " + SchemaVersion, rewritten}} {
			var got bytes.Buffer
			if err := v.write(&got, r.run); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("%s of the %s differs from what 1.0 rendered (-1.0 +now):\n%s", v.golden, r.name, diff)
			}
		}
	}
}

// TestCommittedRunsKeepTheirWarnings: every warning of the committed 1.0
// runs is recognised as its kind (none falls back to a Note) and prints
// exactly the text the file holds.
func TestCommittedRunsKeepTheirWarnings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "docs", "runs", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("baseline", "default.json"))
	if len(files) < 2 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Schema    string
			Scenarios []struct{ Warnings []json.RawMessage }
		}
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Fatal(err)
		}
		if !isLegacy(raw.Schema) {
			continue // rewritten in the current schema: nothing old to check
		}
		run, err := ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, sc := range raw.Scenarios {
			for j, m := range sc.Warnings {
				var text string
				if err := json.Unmarshal(m, &text); err != nil {
					t.Fatalf("%s: scenario %d warning %d: %v", f, i, j, err)
				}
				w := run.Scenarios[i].Warnings[j]
				if w.Kind == Note || w.String() != text {
					t.Errorf("%s: %q read as %+v (%q)", f, text, w, w.String())
				}
			}
		}
	}
}
