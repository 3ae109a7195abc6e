package results

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMetricFormat(t *testing.T) {
	m := func(n string) Metric {
		t.Helper()
		x, ok := MetricByName(n)
		if !ok {
			t.Fatalf("no metric %s", n)
		}
		return x
	}
	tests := []struct {
		metric string
		v      float64
		want   string
	}{
		{"throughput_rps", 132456, "132.5k"},
		{"throughput_rps", 1_500_000, "1.500M"},
		{"throughput_rps", 950, "950.0"},
		{"latency_p99", 0.0000123, "12.30µs"},
		{"latency_p99", 0.00125, "1.250ms"},
		{"cpu_per_request_us", 7.5e-6, "7.500µs"},
		{"mem_per_conn_bytes", 3788, "3.699KiB"},
		{"peak_rss_bytes", 12 << 20, "12.00MiB"},
		{"errors", 3, "3"},
	}
	for _, tt := range tests {
		if got := m(tt.metric).Format(tt.v); got != tt.want {
			t.Errorf("%s.Format(%g) = %q, want %q", tt.metric, tt.v, got, tt.want)
		}
	}
}

func TestMetricValueScalesToBaseUnits(t *testing.T) {
	s := &Sample{Duration: 5, Requests: 10, CPUPerRequest: 7, Latency: Latency{P99: 250}}
	for _, tt := range []struct {
		name string
		want float64
		ok   bool
	}{
		{"cpu_per_request_us", 7e-6, true},
		{"latency_p99", 250e-6, true},
		{"latency_p50", 0, false},
		{"errors", 0, true},
		{"fairness", 0, false},
	} {
		m, _ := MetricByName(tt.name)
		got, ok := m.Value(s)
		if ok != tt.ok || (ok && !approx(got, tt.want)) {
			t.Errorf("%s.Value = %g, %v; want %g, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func approx(a, b float64) bool { return a == b || (a-b)/b < 1e-9 && (b-a)/b < 1e-9 }

func TestParseMetrics(t *testing.T) {
	ms, err := ParseMetrics("rps, p99,fairness")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff([]string{"throughput_rps", "latency_p99", "fairness"}, names); diff != "" {
		t.Error(diff)
	}
	if _, err := ParseMetrics("speed"); err == nil || !strings.Contains(err.Error(), "speed") {
		t.Errorf("ParseMetrics(speed) err = %v", err)
	}
}

func TestStat(t *testing.T) {
	m, _ := MetricByName("throughput_rps")
	st := NewStat(m, []float64{110, 90, 100, 105, 95})
	got := []float64{st.Median, st.Min, st.Max, st.Spread}
	if diff := cmp.Diff([]float64{100, 90, 110, 0.1}, got); diff != "" {
		t.Errorf("median,min,max,spread (-want +got):\n%s", diff)
	}
	if len(st.Warnings) == 0 {
		t.Error("5 values: want benchmath's warning about the confidence interval")
	}
}

func TestWriteTable(t *testing.T) {
	r := fakeRun(t, defaultFake())
	ms, _ := ParseMetrics("requests_per_cpu_s,latency_p99")
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, TableOptions{Metrics: ms}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	lines := strings.Split(out, "\n")
	find := func(prefix string, nth int) string {
		t.Helper()
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				if nth == 0 {
					return l
				}
				nth--
			}
		}
		t.Fatalf("no line %q (#%d) in:\n%s", prefix, nth, out)
		return ""
	}
	tests := []struct {
		name, line, want string
	}{
		// pool is fastest in the fake run: best for throughput-like metrics
		// (higher) and for latency (lower).
		{"best rpcpu", find("keepalive        closed  16", 0), "154.3k ±3% *"},
		{"best p99", find("keepalive        closed  16", 1), "266.7µs ±3% *"},
		{"ms scaling", find("keepalive        closed  64", 1), "1.932ms ±3"},
		{"warning mark", find("keepalive        closed  64", 0), "²"},
		{"warning note", out, "² client-bound"},
		{"run warning", out, "warning: machine has 2 cores"},
		{"header", out, "5 repetitions of 5s (warm-up 1s), strategies interleaved, pinned server=1,client=0"},
	}
	for _, tt := range tests {
		if !strings.Contains(tt.line, tt.want) {
			t.Errorf("%s: %q does not contain %q", tt.name, tt.line, tt.want)
		}
	}
	if l := find("keepalive        closed  16", 0); strings.Count(l, "*") != 1 {
		t.Errorf("want exactly one best mark in %q", l)
	}
	// Columns align: every row of a table has the same width up to its marks.
	if a, b := strings.Index(find("workload", 0), "pool"), strings.Index(find("echo", 0), "k ±"); a <= 0 || b <= 0 {
		t.Errorf("unexpected layout:\n%s", out)
	}
}

// TestWriteTableNotes: warnings are footnoted once for all tables, and
// spread warnings, which each cell shows as its ±, are summarised in one
// header line instead of a footnote per cell.
func TestWriteTableNotes(t *testing.T) {
	r := fakeRun(t, defaultFake())
	r.Scenarios[0].Warnings = append(r.Scenarios[0].Warnings, Warning{Kind: HighSpread, Metric: "throughput_rps", Spread: 0.4})
	r.Scenarios[1].Warnings = append(r.Scenarios[1].Warnings, Warning{Kind: Starved, Clients: 3, OfClients: 4},
		Warning{Kind: HighSpread, Metric: "requests_per_cpu_s", Spread: 0.12})
	ms, _ := ParseMetrics("rps,rpcpu,p99")
	for _, tt := range []struct {
		name  string
		write func(io.Writer, *Run, TableOptions) error
	}{{"text", WriteTable}, {"markdown", WriteMarkdown}} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf, r, TableOptions{Metrics: ms}); err != nil {
				t.Fatal(err)
			}
			out := buf.String()
			if n := strings.Count(out, " starved 3 of 4 clients"); n != 1 {
				t.Errorf("footnote printed %d times, want once:\n%s", n, out)
			}
			if strings.Contains(out, "spread 40%") || strings.Contains(out, "spread 12%") {
				t.Errorf("spread warnings footnoted:\n%s", out)
			}
			if !strings.Contains(out, "warning: 2 of "+fmt.Sprint(len(r.Scenarios))+" scenarios vary across repetitions") {
				t.Errorf("no spread summary:\n%s", out)
			}
			if i, j := strings.LastIndex(out, "latency p99"), strings.Index(out, "starved 3 of 4"); j < i {
				t.Errorf("notes come before the last table:\n%s", out)
			}
		})
	}
}

func TestMarkBestSkipsStarved(t *testing.T) {
	m, _ := MetricByName("rpcpu")
	st := func(v float64) *Stat { return &Stat{Median: v} }
	for _, tt := range []struct {
		name    string
		stats   []*Stat
		starved []bool
		want    []bool
	}{
		{"plain", []*Stat{st(1), st(3), st(2)}, []bool{false, false, false}, []bool{false, true, false}},
		{"starved winner passed over", []*Stat{st(9), st(3), st(2)}, []bool{true, false, false}, []bool{false, true, false}},
		{"only one served everybody", []*Stat{st(9), st(3), st(8)}, []bool{true, false, true}, []bool{false, true, false}},
		{"all starved compete", []*Stat{st(9), st(3)}, []bool{true, true}, []bool{true, false}},
		{"all equal", []*Stat{st(3), st(3)}, []bool{false, false}, []bool{false, false}},
		{"missing value", []*Stat{nil, st(3), st(4)}, []bool{false, false, false}, []bool{false, false, true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			row := tableRow{stats: tt.stats, starved: tt.starved, best: make([]bool, len(tt.stats))}
			markBest(&row, m)
			if diff := cmp.Diff(tt.want, row.best); diff != "" {
				t.Errorf("best (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWriteTableSkipsUnmeasured(t *testing.T) {
	o := defaultFake()
	r := fakeRun(t, o)
	for i := range r.Scenarios {
		for j := range r.Scenarios[i].Samples {
			r.Scenarios[i].Samples[j].MemPerConn = 0
		}
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, unwanted := range []string{"memory per connection", "errors ("} {
		if strings.Contains(buf.String(), unwanted) {
			t.Errorf("table shows %q though nothing measured it", unwanted)
		}
	}
}

func TestWriteMarkdownAndCSV(t *testing.T) {
	r := fakeRun(t, defaultFake())
	var md bytes.Buffer
	if err := WriteMarkdown(&md, r, TableOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| workload | mode | conns | sync | goroutine | pool:workers=8,queue=64 |", "**154.3k ±3%** \\*", "² client-bound"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	var csvBuf bytes.Buffer
	if err := WriteCSV(&csvBuf, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csvBuf.String()), "\n")
	if want := 1 + 2*3*3*5; len(lines) != want {
		t.Errorf("csv has %d lines, want %d", len(lines), want)
	}
	if !strings.HasPrefix(lines[1], "sync,keepalive,,closed,1,0,5,") {
		t.Errorf("first csv row = %q", lines[1])
	}
	if !strings.Contains(csvBuf.String(), `"pool:workers=8,queue=64",echo,size=1024,closed,64,4,`) {
		t.Error("csv does not quote the pool strategy spec")
	}
}
