package results

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// hostileRun is fakeRun's run with strings a hostile run file could hold:
// spreadsheet formulas and HTML.
func hostileRun(t *testing.T) *Run {
	t.Helper()
	o := defaultFake()
	o.strategies = []string{"=HYPERLINK(\"http://x\")", "<img src=x onerror=alert(1)>"}
	o.workloads = []string{"+cmd|'/c calc'!A0", "-2+3"}
	r := fakeRun(t, o)
	r.Env.CPUModel = "<script>alert(1)</script>"
	r.Env.Kernel = "&lt;b&gt;"
	r.Scenarios[0].Params = map[string]string{"@x": "1"}
	r.Scenarios[0].Warnings = []Warning{{Kind: FailedRep, Rep: 1, Detail: "x"}}
	return r
}

func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, hostileRun(t)); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	text := map[string]bool{"strategy": true, "workload": true, "params": true, "mode": true, "warnings": true}
	for i, row := range rows[1:] {
		for j, cell := range row {
			if text[rows[0][j]] && cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d column %s: %q would run as a formula", i+1, rows[0][j], cell)
			}
		}
	}
	if got := rows[1][0]; got != "'=HYPERLINK(\"http://x\")" {
		t.Errorf("strategy cell %q, want the formula behind a quote", got)
	}
}

func TestWriteMarkdownEscapesHTML(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, hostileRun(t), TableOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script", "<img", "&lt;b&gt;"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown holds %q unescaped:\n%s", bad, out)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&amp;lt;b&amp;gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}
