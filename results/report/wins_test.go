package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/results"
)

// TestHTMLStartsWithWhatWon checks that the report's first section says
// what won each cell and why, and never crowns a target that starved
// clients.
func TestHTMLStartsWithWhatWon(t *testing.T) {
	o := defaultFake()
	o.workloads = []string{"keepalive"}
	r := fakeRun(t, o)
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		if sc.Strategy == "sync" {
			for j := range sc.Samples {
				sc.Samples[j].RequestsPerCPU *= 10 // the cheapest by far...
			}
			if sc.Conns > 1 { // ...because it starves everyone but one
				sc.Warnings = append(sc.Warnings, results.Warning{Kind: results.Starved, Clients: sc.Conns - 1, OfClients: sc.Conns})
			}
		}
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r, nil, results.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	won, env := strings.Index(page, "<h2>What won</h2>"), strings.Index(page, "<h2>Environment</h2>")
	if won < 0 || won > env {
		t.Fatalf("the page does not start with What won (at %d, Environment at %d)", won, env)
	}
	section := page[won:env]
	if !strings.Contains(section, "not ranked: sync (starved") {
		t.Errorf("What won does not say the starving sync was left out:\n%s", section)
	}
	if strings.Contains(section, "<b>sync</b>") && strings.Count(section, "<b>sync</b>") != strings.Count(section, ">1</td><td><b>sync</b>") {
		t.Errorf("a starving sync is crowned:\n%s", section)
	}
}
