package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/gosocketserver/socketserver/results"
)

// update rewrites the golden drawings of TestOldRunDrawsAsBefore; use it
// only when the drawing changes on purpose, and look at the new files.
var update = flag.Bool("update", false, "rewrite testdata/v1-run/*.svg with the charts drawn now")

// TestOldRunDrawsAsBefore: the charts of a schema 1.0 run (English
// warnings, read back as structured ones) are the golden drawings in
// testdata/v1-run, starving servers' legends included. They were made by
// the report command of the sockbench that wrote 1.0 and redrawn (with
// -update) when the charts gained the repetitions' spread, crosses on
// starved points, a logarithmic latency axis, and then a sans-serif font
// with the legend below the axes and starving latency lines drawn faint.
func TestOldRunDrawsAsBefore(t *testing.T) {
	r, err := results.ReadFile(filepath.Join("..", "testdata", "v1-run.json"))
	if err != nil {
		t.Fatal(err)
	}
	charts, err := Charts(r)
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Glob(filepath.Join("testdata", "v1-run", "*.svg"))
	if err != nil {
		t.Fatal(err)
	}
	var wantNames, gotNames []string
	for _, p := range want {
		wantNames = append(wantNames, filepath.Base(p))
	}
	byName := map[string]*Chart{}
	for _, c := range charts {
		gotNames = append(gotNames, c.Name+".svg")
		byName[c.Name+".svg"] = c
	}
	if diff := cmp.Diff(wantNames, gotNames, cmpSorted); diff != "" {
		t.Fatalf("charts (-1.0 +now):\n%s", diff)
	}
	starving := 0
	for _, p := range want {
		old, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		now, err := byName[filepath.Base(p)].Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(p, now, 0o644); err != nil {
				t.Fatal(err)
			}
			old = now
		}
		if !bytes.Equal(roundFloats(old), roundFloats(now)) {
			t.Errorf("%s differs from what 1.0 drew", filepath.Base(p))
		}
		if bytes.Contains(now, []byte("(starve")) {
			starving++
		}
	}
	if starving == 0 {
		t.Error("no chart's legend names a starving server; the fixture should have some")
	}
}

var cmpSorted = cmpopts.SortSlices(func(a, b string) bool { return a < b })

var floatRE = regexp.MustCompile(`-?[0-9]+\.[0-9]+`)

// roundFloats rounds every decimal number in b to two places, so that
// drawings differing only in the last bits of a coordinate (floating-point
// contraction on other architectures) compare equal.
func roundFloats(b []byte) []byte {
	return floatRE.ReplaceAllFunc(b, func(m []byte) []byte {
		f, err := strconv.ParseFloat(string(m), 64)
		if err != nil {
			return m
		}
		return strconv.AppendFloat(nil, math.Round(f*100)/100, 'f', 2, 64)
	})
}
