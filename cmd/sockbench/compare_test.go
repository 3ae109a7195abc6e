package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/results"
)

// synthRun builds a deterministic run: strategies x conns, reps
// repetitions whose throughput is speed x nominal, spread by ±spread.
func synthRun(reps int, speed, spread float64) *results.Run {
	r := &results.Run{
		Env:    results.Env{Date: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), GoVersion: "go1.26.0", GOOS: "linux", GOARCH: "amd64", CPUModel: "Test CPU", NumCPU: 2, GOMAXPROCS: 2},
		Config: results.Config{Duration: results.Duration(time.Second), Repetitions: reps},
	}
	for si, s := range []string{"goroutine", "pool:workers=4"} {
		for _, c := range []int{1, 16} {
			sc := results.Scenario{Strategy: s, Workload: "keepalive", Mode: "closed", Conns: c}
			for rep := 0; rep < reps; rep++ {
				f := 1 + spread*float64((rep*7)%5-2)/2 // deterministic spread in [-spread, +spread]
				rps := speed * float64(10000*c) * (1 + 0.1*float64(si)) * f
				sc.Samples = append(sc.Samples, results.Sample{Rep: rep, Duration: 1, Requests: int64(rps), Throughput: rps,
					RequestsPerCPU: 120000 * speed * f, CPUPerRequest: 1e6 / (120000 * speed * f),
					Latency:    results.Latency{P50: float64(c) / rps * 1e6, P99: 3 * float64(c) / rps * 1e6},
					MemPerConn: 4096})
			}
			r.Scenarios = append(r.Scenarios, sc)
		}
	}
	return r
}

func writeRun(t *testing.T, dir, name string, r *results.Run) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := results.WriteFile(p, r); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	base := writeRun(t, dir, "base.json", synthRun(6, 1, 0.04))
	same := writeRun(t, dir, "same.json", synthRun(6, 1, 0.04))
	slow := writeRun(t, dir, "slow.json", synthRun(6, 0.7, 0.04))
	few1 := writeRun(t, dir, "few1.json", synthRun(2, 1, 0.04))
	few2 := writeRun(t, dir, "few2.json", synthRun(2, 0.7, 0.04))
	five := writeRun(t, dir, "five.json", synthRun(5, 1, 0.04))
	fiveSlow := writeRun(t, dir, "five-slow.json", synthRun(5, 0.7, 0.04))
	v3 := filepath.Join(dir, "v3.json")
	if err := os.WriteFile(v3, []byte(`{"schema":"3.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	trunc := filepath.Join(dir, "trunc.json")
	data, _ := os.ReadFile(base)
	if err := os.WriteFile(trunc, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	dupRun := synthRun(6, 1, 0.04)
	dupRun.Scenarios = append(dupRun.Scenarios, dupRun.Scenarios[0])
	dup := writeRun(t, dir, "dup.json", dupRun)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"identical", []string{base, same}, 0, []string{"no significant regression"}, nil},
		{"30% slower", []string{base, slow}, 1, []string{"REGRESSION", "-30.00%"}, []string{"regression(s)"}},
		{"30% slower, flags after files", []string{base, slow, "--metric", "rpcpu", "--threshold", "35%"}, 0, []string{"no significant regression"}, nil},
		{"too few samples", []string{few1, few2}, 0, []string{"need >= 4 samples"}, nil},
		{"holm, 30% slower", []string{"--correction", "holm", "--metric", "rpcpu", base, slow}, 1, []string{"REGRESSION", "adj=", "holm-corrected"}, []string{"adjusted"}},
		{"holm, too few for the family", []string{"--correction", "holm", five, fiveSlow}, 0, []string{"no change can be significant", "no significant regression"}, nil},
		{"bad correction", []string{"--correction", "bonferroni", base, same}, 2, nil, []string{"unknown correction"}},
		{"paired, 30% slower", []string{"--paired", "--metric", "rpcpu", base, slow}, 1, []string{"paired", "-30.00% [-30.00%, -30.00%] 97%"}, nil},
		{"paired, not interleaved", []string{"--by", "strategy", "--paired", "--metric", "rps", base}, 0, []string{"paired", "not interleaved"}, nil},
		{"within 3%, identical", []string{"--within", "3%", base, same}, 0, []string{"paired", "goal: at most 3% worse than old, shown by the paired interval for 28 of 28 comparisons"}, nil},
		{"within 3%, 30% slower", []string{"--within", "3%", "--metric", "rpcpu", "--threshold", "50%", base, slow}, 1, []string{"for 0 of 4 comparisons"}, []string{"goal not shown: goroutine keepalive closed conns=1 requests_per_cpu_s paired -30.00%", "not shown to be within 3% of old"}},
		{"within 3%, too few", []string{"--within", "3%", "--metric", "rpcpu", five, five}, 1, []string{"n=5: no interval"}, []string{"goal not shown"}},
		{"bad within", []string{"--within", "-2%", base, same}, 2, nil, []string{"--within: want a positive percentage"}},
		{"markdown", []string{"--format", "markdown", base, slow}, 1, []string{"| **REGRESSION** |"}, nil},
		{"csv", []string{"--format=csv", base, slow}, 1, []string{"strategy,workload,params"}, nil},
		{"by strategy", []string{"--by", "strategy", base, "--metric", "rps"}, 0, []string{"goroutine", "better"}, nil},
		{"by strategy, base pool", []string{"--by", "strategy", "--base", "pool:workers=4", "--metric", "rps", base}, 1, []string{"REGRESSION"}, nil},
		{"unknown base", []string{"--by", "strategy", "--base", "nope", base}, 2, nil, []string{`"nope"`}},
		{"one file", []string{base}, 2, nil, []string{"want two run files"}},
		{"missing file", []string{base, filepath.Join(dir, "nope.json")}, 3, nil, []string{"nope.json", "no such file"}},
		{"future schema", []string{base, v3}, 3, nil, []string{"v3.json", "unsupported schema version"}},
		{"truncated", []string{trunc, base}, 3, nil, []string{"trunc.json:", "(byte ", "truncated"}},
		{"bad threshold", []string{"--threshold", "lots", base, same}, 2, nil, []string{"--threshold"}},
		{"bad metric", []string{"--metric", "speed", base, same}, 2, nil, []string{"unknown metric"}},
		{"NaN threshold", []string{"--threshold", "NaN", base, slow}, 2, nil, []string{`--threshold: want a finite percentage >= 0 like 5% or 0.05, got "NaN"`}},
		{"Inf threshold", []string{"--threshold", "Inf", base, slow}, 2, nil, []string{`got "Inf"`}},
		{"+Inf% threshold", []string{"--threshold", "+Inf%", base, slow}, 2, nil, []string{`got "+Inf%"`}},
		{"NaN within", []string{"--within", "NaN", base, slow}, 2, nil, []string{"--within"}},
		{"endless zeros", []string{"/dev/zero", base}, 3, nil, []string{"/dev/zero:1:1 (byte 0)", "NUL byte"}},
		{"duplicate scenarios", []string{dup, dup}, 3, nil, []string{"dup.json", "duplicate scenario: scenarios 0 and"}},
		{"bad flag", []string{"--nope", base, same}, 2, nil, []string{"nope"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"compare"}, tt.args...), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

func TestParsePercent(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  bool
	}{{"5%", 0.05, false}, {"0.05", 0.05, false}, {"10", 0.10, false}, {"0", 0, false}, {"-1%", 0, true}, {"x", 0, true}}
	for _, tt := range tests {
		got, err := parsePercent(tt.in)
		if (err != nil) != tt.err || (!tt.err && (got-tt.want > 1e-12 || tt.want-got > 1e-12)) {
			t.Errorf("parsePercent(%q) = %g, %v; want %g, err %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
