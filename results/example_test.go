package results_test

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/gosocketserver/socketserver/results"
)

// exampleRun builds a small run: two strategies, one cell, five repetitions.
func exampleRun(goroutineRPS float64) *results.Run {
	r := &results.Run{
		Env:    results.Env{GoVersion: "go1.26.0", GOOS: "linux", GOARCH: "amd64", CPUModel: "Example CPU", NumCPU: 2, GOMAXPROCS: 2},
		Config: results.Config{Duration: results.Duration(5 * time.Second), Warmup: results.Duration(time.Second), Repetitions: 5},
	}
	for _, s := range []struct {
		name string
		rps  float64
	}{{"sync", 14000}, {"goroutine", goroutineRPS}} {
		sc := results.Scenario{Strategy: s.name, Workload: "keepalive", Mode: "closed", Conns: 16}
		for rep, f := range []float64{1.00, 1.02, 0.98, 1.01, 0.99} {
			rps := s.rps * f
			sc.Samples = append(sc.Samples, results.Sample{Rep: rep, Duration: 5, Requests: int64(rps * 5), Throughput: rps,
				Latency: results.Latency{P50: 16 / rps * 1e6, P99: 48 / rps * 1e6}})
		}
		r.Scenarios = append(r.Scenarios, sc)
	}
	return r
}

func ExampleWrite() {
	var buf bytes.Buffer
	if err := results.Write(&buf, exampleRun(130000)); err != nil {
		fmt.Println(err)
		return
	}
	run, err := results.Read(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(run.Schema, run.Config.Duration, len(run.Scenarios), run.Scenarios[1].Strategy)
	// Output: 2.2 5s 2 goroutine
}

func ExampleWriteTable() {
	ms, _ := results.ParseMetrics("throughput_rps,p99")
	if err := results.WriteTable(os.Stdout, exampleRun(130000), results.TableOptions{Metrics: ms}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sockbench run
	// go1.26.0 linux/amd64, Example CPU, 2 CPUs, GOMAXPROCS 2, kernel -
	// 5 repetitions of 5s (warm-up 1s), unpinned
	//
	// throughput (req/s, higher is better; median ±spread over 5 reps; * best)
	// workload   mode    conns        sync     goroutine
	// keepalive  closed  16     14.00k ±2%    130.0k ±2% *
	//
	// latency p99 (time, lower is better; median ±spread over 5 reps; * best)
	// workload   mode    conns         sync      goroutine
	// keepalive  closed  16     3.429ms ±2%    369.2µs ±2% *
}

func ExampleCompare() {
	old, new := exampleRun(130000), exampleRun(90000) // goroutine got 30% slower
	rps, _ := results.ParseMetrics("throughput_rps")
	c, err := results.Compare(old, new, results.CompareOptions{Alpha: 0.05, Threshold: 0.05, Metrics: rps})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range c.Deltas {
		fmt.Printf("%s: %s -> %s %s %v\n", d.Key, d.Metric.Format(d.Old.Median), d.Metric.Format(d.New.Median), d.DeltaText(), d.Verdict)
	}
	fmt.Println("regressions:", len(c.Regressions()))
	// Output:
	// sync keepalive closed conns=16: 14.00k -> 14.00k ~ ~
	// goroutine keepalive closed conns=16: 130.0k -> 90.00k -30.77% REGRESSION
	// regressions: 1
}
