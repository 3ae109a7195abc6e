package results

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestMedianRank checks the order statistics of the median's interval
// against the binomial coverage worked out by hand.
func TestMedianRank(t *testing.T) {
	for _, tt := range []struct {
		n     int
		alpha float64
		k     int
		cover float64
	}{
		{n: 3, alpha: 0.05, k: 0},                    // best is 1 - 2/8 = 0.75
		{n: 5, alpha: 0.05, k: 0},                    // 1 - 2/32 = 0.9375 < 0.95
		{n: 6, alpha: 0.05, k: 1, cover: 1 - 2.0/64}, // 0.96875
		{n: 10, alpha: 0.05, k: 2, cover: 1 - 2*11.0/1024},
		{n: 20, alpha: 0.05, k: 6, cover: 1 - 2*21700.0/1048576}, // sum C(20,0..5) = 21700
		{n: 20, alpha: 0.5, k: 8, cover: 1 - 2*137980.0/1048576}, // k=9 would cover 0.4966 < 0.5
	} {
		k, cover := medianRank(tt.n, tt.alpha)
		if k != tt.k || math.Abs(cover-tt.cover) > 1e-12 {
			t.Errorf("medianRank(%d, %g) = %d, %.6f; want %d, %.6f", tt.n, tt.alpha, k, cover, tt.k, tt.cover)
		}
	}
}

// driftRun is two strategies measured interleaved on a machine whose speed
// drifts by ±30% from repetition to repetition; "new" is always exactly
// 1.02 times as fast as "old" in the same repetition.
func driftRun(reps int) *Run { return driftRunAt(reps, 1.02) }

// driftRunAt is driftRun with "new" speed times as fast as "old".
func driftRunAt(reps int, speed float64) *Run {
	r := &Run{Schema: SchemaVersion, Config: Config{Repetitions: reps, Interleaved: true}}
	for _, s := range []struct {
		name   string
		factor float64
	}{{"old", 1}, {"new", speed}} {
		sc := Scenario{Strategy: s.name, Workload: "keepalive", Mode: "closed", Conns: 16}
		for rep := range reps {
			machine := 1 + 0.3*math.Sin(float64(rep)*2.1) // the drift
			v := 80000 * machine * s.factor
			sc.Samples = append(sc.Samples, Sample{Rep: rep, Duration: 1, Requests: int64(v), Throughput: v, RequestsPerCPU: v, CPUPerRequest: 1e6 / v})
		}
		r.Scenarios = append(r.Scenarios, sc)
	}
	return r
}

// TestPairedSeesThroughDrift: the unpaired test cannot tell a 2% change
// from a ±30% drift, the paired interval pins it down.
func TestPairedSeesThroughDrift(t *testing.T) {
	rps, _ := ParseMetrics("throughput_rps")
	c, err := CompareStrategies(driftRun(20), "old", CompareOptions{Paired: true, Metrics: rps})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Deltas) != 1 {
		t.Fatalf("%d deltas, want 1", len(c.Deltas))
	}
	d := c.Deltas[0]
	if d.Significant {
		t.Errorf("unpaired test found the 2%% change under ±30%% drift significant (p=%.3f): the drift fixture is too weak", d.P)
	}
	want := Paired{N: 20, Change: 0.02, Lo: 0.02, Hi: 0.02, Confidence: 1 - 2*21700.0/1048576, OK: true}
	if diff := cmp.Diff(want, d.Paired, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("paired estimate (-want +got):\n%s", diff)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings for an interleaved run: %q", c.Warnings)
	}
}

// TestPairedEdges: repetitions missing on one side or with a zero old
// value are not paired; too few pairs give no interval; a run that was not
// interleaved, or two runs measured apart, are warned about.
func TestPairedEdges(t *testing.T) {
	rps, _ := ParseMetrics("throughput_rps")
	m := rps[0]
	r := driftRun(8)
	r.Scenarios[0].Samples[0].Throughput = 0                                        // old rep 0: zero, not paired
	r.Scenarios[1].Samples = r.Scenarios[1].Samples[:len(r.Scenarios[1].Samples)-1] // new lacks rep 7
	p := pairedChange(m, &r.Scenarios[0], &r.Scenarios[1], 0.05)
	if p.N != 6 || !p.OK || math.Abs(p.Change-0.02) > 1e-9 {
		t.Errorf("pairs of 8 reps less a zero and a missing one: %+v, want N=6 with an interval", p)
	}
	r.Scenarios[1].Samples = r.Scenarios[1].Samples[:5]
	p = pairedChange(m, &r.Scenarios[0], &r.Scenarios[1], 0.05)
	if p.N != 4 || p.OK || !strings.Contains(p.String(), "n=4: no interval") {
		t.Errorf("4 pairs: %+v %q, want no interval", p, p.String())
	}

	r = driftRun(8)
	r.Config.Interleaved = false
	c, err := CompareStrategies(r, "old", CompareOptions{Paired: true, Metrics: []Metric{m}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "not interleaved") {
		t.Errorf("non-interleaved run: warnings %q", c.Warnings)
	}

	old, new := fakeRun(t, defaultFake()), fakeRun(t, defaultFake())
	new.Env.Date = new.Env.Date.Add(1)
	c, err = Compare(old, new, CompareOptions{Paired: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "not measured together") {
		t.Errorf("runs measured apart: warnings %q", c.Warnings)
	}
}

// TestPairedFormats checks the paired column in the table, Markdown and
// CSV, and that it is absent when not asked for.
func TestPairedFormats(t *testing.T) {
	rps, _ := ParseMetrics("throughput_rps")
	m := rps[0]
	for _, paired := range []bool{false, true} {
		c, err := CompareStrategies(driftRun(20), "old", CompareOptions{Paired: paired, Metrics: []Metric{m}})
		if err != nil {
			t.Fatal(err)
		}
		var table, md, csvBuf bytes.Buffer
		if err := c.WriteTable(&table); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteMarkdown(&md); err != nil {
			t.Fatal(err)
		}
		if err := c.WriteCSV(&csvBuf); err != nil {
			t.Fatal(err)
		}
		const cell = "+2.00% [+2.00%, +2.00%] 96%"
		for name, out := range map[string]string{"table": table.String(), "markdown": md.String()} {
			if got := strings.Contains(out, cell); got != paired {
				t.Errorf("paired=%v: %s shows %q: %v\n%s", paired, name, cell, got, out)
			}
		}
		mdLines := strings.Split(md.String(), "\n")
		if h, a := strings.Count(mdLines[0], "|"), strings.Count(mdLines[1], "|"); h != a {
			t.Errorf("paired=%v: markdown header has %d bars, alignment row %d", paired, h, a)
		}
		rows, err := csv.NewReader(&csvBuf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head, row := rows[0], rows[1]
		col := map[string]string{}
		for i, h := range head {
			col[h] = row[i]
		}
		if !paired {
			if col["paired_n"] != "" || col["paired_lo"] != "" {
				t.Errorf("unpaired: csv paired columns %q %q, want empty", col["paired_n"], col["paired_lo"])
			}
			continue
		}
		lo, err := strconv.ParseFloat(col["paired_lo"], 64)
		if col["paired_n"] != "20" || err != nil || math.Abs(lo-0.02) > 1e-9 {
			t.Errorf("paired: csv paired_n %q, paired_lo %q; want 20 and 0.02", col["paired_n"], col["paired_lo"])
		}
	}
}

// TestWithin checks the speed goal in both metric directions: 5% slower
// fails a 3% goal and passes a 6% one; 2% faster passes; too few pairs, a
// missing side or an unpaired noisy metric cannot show it; equal constants
// (no errors on either side) do.
func TestWithin(t *testing.T) {
	ms, _ := ParseMetrics("throughput_rps,cpu_per_request_us,errors")
	for _, tt := range []struct {
		name         string
		reps         int
		speed, bound float64
		misses       []string
	}{
		{"5% slower, 3% goal", 20, 0.95, 0.03, []string{"throughput_rps", "cpu_per_request_us"}},
		{"5% slower, 6% goal", 20, 0.95, 0.06, nil},
		{"2% faster, 1% goal", 20, 1.02, 0.01, nil},
		{"too few pairs", 5, 1, 0.5, []string{"throughput_rps", "cpu_per_request_us"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := CompareStrategies(driftRunAt(tt.reps, tt.speed), "old", CompareOptions{Within: tt.bound, Metrics: ms})
			if err != nil {
				t.Fatal(err)
			}
			if !c.Paired {
				t.Error("a goal did not imply paired estimates")
			}
			var got []string
			for _, d := range c.Misses() {
				got = append(got, d.Metric.Name)
			}
			if diff := cmp.Diff(tt.misses, got); diff != "" {
				t.Errorf("misses (-want +got):\n%s", diff)
			}
			var out bytes.Buffer
			if err := c.WriteTable(&out); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("for %d of 3 comparisons", 3-len(tt.misses)); !strings.Contains(out.String(), want) {
				t.Errorf("table lacks the goal line %q:\n%s", want, out.String())
			}
		})
	}
	if (Delta{Verdict: Missing}).ShowsWithin(1) {
		t.Error("a missing side showed the goal")
	}
	c, err := CompareStrategies(driftRun(20), "old", CompareOptions{Paired: true, Metrics: ms})
	if err != nil {
		t.Fatal(err)
	}
	if c.Misses() != nil {
		t.Errorf("misses without a goal: %v", c.Misses())
	}
}
