// Command omission is Gil Tene's demonstration of coordinated omission
// ("How NOT to Measure Latency"), run against a real server process: while
// it measures, it freezes the server with SIGSTOP for --pause every
// --every (as a stop-the-world pause would), and measures the same server
// three ways:
//
//   - closed: --conns keep-alive connections, one request in flight each,
//     as fast as the replies come (its offered load is whatever the server
//     answers, not --rate: it is printed);
//   - open, uncorrected: the open loop of harness/load at --rate, latency
//     counted from the moment each request was actually sent: what a tool
//     that sends on a schedule but waits for each reply reports;
//   - open, corrected: the same requests, latency counted from the moment
//     each one should have been sent (what a user arriving then would see).
//
// Usage (the server must speak the keep-alive upperlines protocol):
//
//	sockbench serve --strategy goroutine --handler upperlines --addr 127.0.0.1:9999 &
//	go run ./examples/omission --addr 127.0.0.1:9999 --pid $! --rate 2000
//
// It prints one line per series: requests per second, p50, p90, p99,
// p99.9 and max. With --out it also writes the three series as a run
// (each series a "strategy" of one scenario, with its latency histogram),
// so that "sockbench report" draws them on one latency chart.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/results"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9999", "server address (upperlines protocol)")
	pid := flag.Int("pid", 0, "server process to pause (0: no pauses)")
	rate := flag.Float64("rate", 2000, "offered load, requests per second in total")
	conns := flag.Int("conns", 4, "connections")
	duration := flag.Duration("duration", 5*time.Second, "measured time per series")
	pause := flag.Duration("pause", 100*time.Millisecond, "length of each SIGSTOP pause")
	every := flag.Duration("every", time.Second, "time from one pause to the next")
	out := flag.String("out", "", "also write the series as a run (JSON) for sockbench report")
	flag.Parse()
	r, err := run(os.Stdout, *addr, *pid, *rate, *conns, *duration, *pause, *every)
	if err == nil && *out != "" {
		r.Config.Args = os.Args
		err = results.WriteFile(*out, r)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "omission:", err)
		os.Exit(1)
	}
}

// run measures the closed and the open loop, each with the pauses running,
// writes the table to w, and returns the series as a run.
func run(w io.Writer, addr string, pid int, rate float64, conns int, duration, pause, every time.Duration) (*results.Run, error) {
	if pause >= every {
		return nil, errors.New("--pause must be shorter than --every")
	}
	fmt.Fprintf(w, "%-18s %9s %9s %9s %9s %9s %9s\n", "series", "req/s", "p50", "p90", "p99", "p99.9", "max")
	closed, err := measure(addr, pid, pause, every, load.Config{Mode: load.Closed, Conns: conns, Duration: duration})
	if err != nil {
		return nil, err
	}
	print(w, "closed loop", closed, closed.Latency)
	open, err := measure(addr, pid, pause, every, load.Config{Mode: load.Open, Conns: conns, Rate: rate, Duration: duration})
	if err != nil {
		return nil, err
	}
	print(w, "open, uncorrected", open, open.UncorrectedLatency)
	print(w, "open, corrected", open, open.Latency)
	r := &results.Run{
		Schema: results.SchemaVersion,
		Env: results.Env{Date: time.Now().UTC(), GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH,
			NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0)},
		Config: results.Config{Duration: results.Duration(duration), Warmup: results.Duration(warmup), Repetitions: 1},
	}
	params := map[string]string{"pause": pause.String(), "every": every.String(), "rate": strconv.FormatFloat(rate, 'g', -1, 64)}
	for _, s := range []struct {
		name string
		res  *load.Result
		h    *hdrhistogram.Histogram
	}{{"closed loop", closed, closed.Latency}, {"open, uncorrected", open, open.UncorrectedLatency}, {"open, corrected", open, open.Latency}} {
		r.Scenarios = append(r.Scenarios, results.Scenario{Strategy: s.name, Workload: "sigstop", Params: params, Mode: "omission", Conns: conns,
			Samples: []results.Sample{sample(s.res, s.h)}})
	}
	return r, nil
}

// warmup is the load before each series' measurement.
const warmup = 200 * time.Millisecond

// sample is one series as a run's repetition: its rate and its latency
// histogram (microseconds) with the percentiles it summarises.
func sample(res *load.Result, h *hdrhistogram.Histogram) results.Sample {
	return results.Sample{
		Duration: res.Elapsed.Seconds(), Requests: res.Requests, Errors: res.Errors,
		Throughput: float64(res.Requests) / res.Elapsed.Seconds(),
		Latency: results.Latency{
			P50: float64(h.ValueAtQuantile(50)), P90: float64(h.ValueAtQuantile(90)), P99: float64(h.ValueAtQuantile(99)),
			P999: float64(h.ValueAtQuantile(99.9)), Max: float64(h.Max()), Mean: h.Mean(),
		},
		Histogram: results.NewHistogram(h),
	}
}

// measure runs one load configuration against addr while pausing pid.
func measure(addr string, pid int, pause, every time.Duration, cfg load.Config) (*load.Result, error) {
	cfg.Addr, cfg.Warmup = addr, warmup
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- pauser(ctx, pid, pause, every) }()
	res, err := load.Run(ctx, cfg)
	cancel()
	if perr := <-done; perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return nil, fmt.Errorf("%s loop: %w", cfg.Mode, err)
	}
	return res, nil
}

// pauser stops pid for pause once every period until ctx is done, and
// always leaves it running.
func pauser(ctx context.Context, pid int, pause, every time.Duration) error {
	if pid == 0 {
		return nil
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			return fmt.Errorf("pause %d: %w", pid, err)
		}
		time.Sleep(pause)
		if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
			return fmt.Errorf("resume %d: %w", pid, err)
		}
	}
}

// print writes one series' rate and percentiles (h holds microseconds).
func print(w io.Writer, name string, res *load.Result, h *hdrhistogram.Histogram) {
	q := func(p float64) string { return fmtUS(h.ValueAtQuantile(p)) }
	rps := float64(res.Requests) / res.Elapsed.Seconds()
	fmt.Fprintf(w, "%-18s %9.0f %9s %9s %9s %9s %9s\n", name, rps, q(50), q(90), q(99), q(99.9), fmtUS(h.Max()))
}

// fmtUS formats a duration given in microseconds.
func fmtUS(us int64) string {
	return (time.Duration(us) * time.Microsecond).Round(10 * time.Microsecond).String()
}
