package results

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"
)

func TestWriteBenchParsesBack(t *testing.T) {
	o := defaultFake()
	o.strategies = []string{"sync", "pool:workers=8,queue=64", "external:/usr/bin/python3 -u srv.py"}
	o.workloads = []string{"echo"}
	o.conns = []int{1, 64}
	r := fakeRun(t, o)
	var buf bytes.Buffer
	if err := WriteBench(&buf, r); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "bench.txt")
	parser := &benchproc.ProjectionParser{}
	proj, err := parser.Parse("/strategy,/workload,/params,/mode,/conns,/gomaxprocs", nil)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Strategy, Workload, Params, Mode, Conns, Procs string }
	var got []row
	units := map[string]string{}
	config := map[string]string{}
	nres := 0
	for rd.Scan() {
		switch rec := rd.Result(); rec := rec.(type) {
		case *benchfmt.SyntaxError:
			t.Fatalf("syntax error: %v", rec)
		case *benchfmt.UnitMetadata:
			units[rec.OrigUnit] = rec.Value
		case *benchfmt.Result:
			nres++
			for _, c := range rec.Config {
				config[c.Key] = string(c.Value)
			}
			if string(rec.Name.Base()) != "Serve" {
				t.Errorf("base name %q, want Serve", rec.Name.Base())
			}
			if nres%o.reps == 1 {
				vals := proj.Project(rec)
				var parts []string
				for _, f := range proj.Fields() {
					parts = append(parts, vals.Get(f))
				}
				s, err := UnescapeNameValue(parts[0])
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, row{s, parts[1], parts[2], parts[3], parts[4], parts[5]})
			}
			if v, ok := rec.Value("req/s"); !ok || v <= 0 {
				t.Errorf("no req/s value in %s", rec.Name)
			}
			if _, ok := rec.Value("p99-sec"); !ok {
				t.Errorf("no p99-sec value in %s", rec.Name)
			}
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if nres != len(r.Scenarios)*o.reps {
		t.Errorf("%d results, want one per repetition (%d)", nres, len(r.Scenarios)*o.reps)
	}
	var want []row
	for _, sc := range r.Scenarios {
		want = append(want, row{sc.Strategy, "echo", "size=1024", "closed", strconv.Itoa(sc.Conns), "2"})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("names parsed back (-want +got):\n%s", diff)
	}
	for _, k := range []string{"goos", "goarch", "cpu"} {
		if config[k] == "" {
			t.Errorf("no %s: config line", k)
		}
	}
	if units["req/s"] != "higher" || units["p99-sec"] != "lower" || units["B/conn"] != "lower" {
		t.Errorf("unit metadata = %v", units)
	}
}

func TestEscapeNameValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pool:workers=8,queue=64", "pool:workers=8,queue=64"},
		{"a/b c", "a%2Fb%20c"},
		{"50%", "50%25"},
		{"tab\there", "tab%09here"},
	}
	for _, tt := range tests {
		got := EscapeNameValue(tt.in)
		if got != tt.want {
			t.Errorf("EscapeNameValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
		back, err := UnescapeNameValue(got)
		if err != nil || back != tt.in {
			t.Errorf("UnescapeNameValue(%q) = %q, %v; want %q", got, back, err, tt.in)
		}
	}
	for _, bad := range []string{"%", "%2", "%zz"} {
		if _, err := UnescapeNameValue(bad); err == nil {
			t.Errorf("UnescapeNameValue(%q): no error", bad)
		}
	}
}

// TestWriteBenchCarriesStarvation checks that every benchmark line says how
// many clients its repetition starved, so that benchstat shows a starving
// strategy's "faster" figures beside the clients it left unserved.
func TestWriteBenchCarriesStarvation(t *testing.T) {
	o := defaultFake()
	o.conns = []int{16}
	r := fakeRun(t, o)
	for i := range r.Scenarios[0].Samples {
		r.Scenarios[0].Samples[i].Starved = 12
	}
	var buf bytes.Buffer
	if err := WriteBench(&buf, r); err != nil {
		t.Fatal(err)
	}
	rd := benchfmt.NewReader(bytes.NewReader(buf.Bytes()), "bench.txt")
	var got []float64
	better := ""
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.UnitMetadata:
			if rec.OrigUnit == StarvedUnit && rec.Key == "Better" {
				better = rec.Value
			}
		case *benchfmt.Result:
			v, ok := rec.Value(StarvedUnit)
			if !ok {
				t.Fatalf("%s has no %s value", rec.Name, StarvedUnit)
			}
			got = append(got, v)
		}
	}
	want := make([]float64, 0, len(r.Scenarios)*o.reps)
	for _, sc := range r.Scenarios {
		for _, s := range sc.Samples {
			want = append(want, float64(s.Starved))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" || want[0] != 12 {
		t.Errorf("starved clients per line (-want +got):\n%s", diff)
	}
	if better != "lower" {
		t.Errorf("Unit %s Better=%q, want lower", StarvedUnit, better)
	}
}
