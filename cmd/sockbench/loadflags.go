package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/harness/load"
)

// loadFlags are the flags that say what load to generate, shared by
// "sockbench bench" and "sockbench load" so that a workload, a connection
// list or a duration means the same in both.
type loadFlags struct {
	workloads, conns string
	duration, warmup time.Duration
	rate             float64
	rtt              string // --rtt: the emulated round trip of workloads without their own
	protocol         string // --protocol: an external server's protocol spec
}

// defaultLoadFlags are bench's defaults.
func defaultLoadFlags() loadFlags {
	return loadFlags{workloads: defaultBenchWorkloads, conns: defaultBenchConns,
		duration: defaultBenchDuration, warmup: defaultBenchWarmup, rate: bench.DefaultRate}
}

// addLoadFlags defines --workloads, --conns, --duration, --warmup and
// --rate on fs with the defaults def, parsed into the returned value.
func addLoadFlags(fs *flag.FlagSet, def loadFlags) *loadFlags {
	f := def
	fs.StringVar(&f.workloads, "workloads", def.workloads, "")
	fs.StringVar(&f.conns, "conns", def.conns, "")
	fs.DurationVar(&f.duration, "duration", def.duration, "")
	fs.DurationVar(&f.warmup, "warmup", def.warmup, "")
	fs.Float64Var(&f.rate, "rate", def.rate, "")
	fs.StringVar(&f.rtt, "rtt", def.rtt, "")
	fs.StringVar(&f.protocol, "protocol", def.protocol, "")
	return &f
}

// parse checks the flags and returns the workloads and connection counts
// they name, with errors that name the flag.
func (f loadFlags) parse() ([]bench.Workload, []int, error) {
	if !(f.rate > 0 && f.rate <= benchMaxRate) {
		return nil, nil, fmt.Errorf("--rate %v: want requests per second above 0 and at most %g", f.rate, benchMaxRate)
	}
	wl := splitSpecs(f.workloads)
	if len(wl) == 0 {
		return nil, nil, errors.New("--workloads: empty list")
	}
	rtt, err := load.ParseRTT(f.rtt)
	if err != nil {
		return nil, nil, fmt.Errorf("--rtt: %w", err)
	}
	var ws []bench.Workload
	for _, s := range wl {
		w, err := bench.ParseWorkload(s, f.rate)
		if err != nil {
			return nil, nil, fmt.Errorf("--workloads: %w", err)
		}
		if w.RTT().Delay == 0 {
			if w, err = w.WithRTT(rtt); err != nil {
				return nil, nil, fmt.Errorf("--rtt: %w", err)
			}
		}
		ws = append(ws, w)
	}
	var conns []int
	for _, s := range strings.Split(f.conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || !benchConnsRange.Contains(n) {
			return nil, nil, fmt.Errorf("--conns: %q is not a connection count in %s", s, benchConnsRange)
		}
		conns = append(conns, n)
	}
	if !benchDurationRange.Contains(f.duration) {
		return nil, nil, fmt.Errorf("--duration %s: want %s", f.duration, benchDurationRange)
	}
	if !benchWarmupRange.Contains(f.warmup) {
		return nil, nil, fmt.Errorf("--warmup %s: want %s", f.warmup, benchWarmupRange)
	}
	return ws, conns, nil
}
