package results

import (
	"bytes"
	"strings"
	"testing"
)

// TestRowWideNoteOnce checks that a note every strategy of a row carries
// (one connection measures the machine) is written once beside conns, not
// in every cell, while a note of one cell stays in that cell.
func TestRowWideNoteOnce(t *testing.T) {
	r := &Run{Config: Config{Repetitions: 1}}
	for _, s := range []string{"sync", "goroutine", "pool:workers=4"} {
		for _, c := range []int{1, 16} {
			sc := Scenario{Strategy: s, Workload: "keepalive", Mode: "closed", Conns: c,
				Samples: []Sample{{Duration: 1, Requests: 100, Throughput: 100, RequestsPerCPU: 1000}}}
			if c == 1 {
				sc.Warnings = []Warning{{Kind: MachineBound}}
			}
			if c == 16 && s == "sync" {
				sc.Warnings = []Warning{{Kind: Starved, Clients: 15, OfClients: 16}}
			}
			r.Scenarios = append(r.Scenarios, sc)
		}
	}
	var buf bytes.Buffer
	if err := WriteTable(&buf, r, TableOptions{Metrics: []Metric{mustMetric(t, "throughput_rps")}}); err != nil {
		t.Fatal(err)
	}
	var one, sixteen string
	for _, l := range strings.Split(buf.String(), "\n") {
		f := strings.Fields(l)
		if len(f) > 2 && f[0] == "keepalive" {
			if strings.HasPrefix(f[2], "16") {
				sixteen = l
			} else {
				one = l
			}
		}
	}
	if !strings.Contains(one, " 1¹ ") || strings.Count(one, "¹") != 1 {
		t.Errorf("one-connection row %q: want the note once, beside conns", one)
	}
	if strings.Count(sixteen, "²") != 1 || strings.Contains(strings.Fields(sixteen)[2], "²") {
		t.Errorf("16-connection row %q: want the starved note in sync's cell only", sixteen)
	}
	tables, _ := Tables(r, TableOptions{Metrics: []Metric{mustMetric(t, "throughput_rps")}})
	if row := tables[0].Rows[0]; row.Marks != "¹" || row.Cells[0].Marks != "" {
		t.Errorf("Tables row marks %q, first cell marks %q; want ¹ on the row only", row.Marks, row.Cells[0].Marks)
	}
}

func mustMetric(t *testing.T, name string) Metric {
	t.Helper()
	m, ok := MetricByName(name)
	if !ok {
		t.Fatalf("no metric %q", name)
	}
	return m
}
