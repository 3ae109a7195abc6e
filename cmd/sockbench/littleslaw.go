package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/results"
	"github.com/gosocketserver/socketserver/strategies"
)

// servedAtOnce returns how many connections each target serves at once:
// 1 for serial, N for a pool of N, 0 for unbounded, -1 when unknown (an
// external server).
func servedAtOnce(targets []bench.Target) map[string]int {
	k := make(map[string]int, len(targets))
	for _, t := range targets {
		switch t.Kind {
		case bench.KindStrategy:
			k[t.Name] = -1
			if _, c, err := strategies.Build(t.Strategy); err == nil {
				k[t.Name] = c.Max
			}
		case bench.KindReference:
			switch t.RefKind {
			case "serial":
				k[t.Name] = 1
			case "pool":
				k[t.Name] = t.RefWorkers
			default:
				k[t.Name] = 0
			}
		default:
			k[t.Name] = -1
		}
	}
	return k
}

// littlePrediction is Little's law for one scenario with an emulated round
// trip: the most requests per second its connections can carry.
type littlePrediction struct {
	held    int           // connections the server holds at once
	rtt     time.Duration // the emulated round trip
	service time.Duration // server CPU per request plus the handler's wait
	trips   int           // round trips per request: 1 keep-alive, 2 churn
	rps     float64
}

// predictLittle returns the prediction for sc, or false when sc has no
// round trip or a mode the law is not stated for here (open loop offers
// its own rate; slow clients hold connections longer). k is what
// servedAtOnce says of sc's target.
func predictLittle(sc *results.Scenario, k int) (littlePrediction, bool) {
	rtt, err := time.ParseDuration(sc.Params["rtt"])
	if err != nil || rtt <= 0 || sc.Params["share"] != "" || (sc.Mode != "closed" && sc.Mode != "churn") {
		return littlePrediction{}, false
	}
	p := littlePrediction{held: sc.Conns, rtt: rtt, trips: 1}
	if k > 0 && k < sc.Conns && sc.Mode == "closed" {
		// A keep-alive connection holds its worker (or the serial accept
		// loop) for the whole run; with churn a connection is held for one
		// exchange, and the kernel completes the handshake meanwhile.
		p.held = k
	}
	if sc.Mode == "churn" {
		p.trips = 2 // the handshake and the exchange
	}
	cpu := median(sc, measuredOnly(func(s *results.Sample) float64 { return s.CPUPerRequest }))
	p.service = time.Duration(cpu * float64(time.Microsecond))
	if d, err := time.ParseDuration(sc.Params["delay"]); err == nil && sc.Workload != "slowclients" {
		p.service += d
	}
	p.rps = float64(p.held) / (time.Duration(p.trips)*rtt + p.service).Seconds()
	return p, true
}

// measuredOnly marks f's zeros as "not measured" for median (NaN).
func measuredOnly(f func(*results.Sample) float64) func(*results.Sample) float64 {
	return func(s *results.Sample) float64 {
		if v := f(s); v != 0 {
			return v
		}
		return math.NaN()
	}
}

// median returns the median of f over sc's samples, skipping NaNs (0 when
// none is left).
func median(sc *results.Scenario, f func(*results.Sample) float64) float64 {
	var v []float64
	for i := range sc.Samples {
		if x := f(&sc.Samples[i]); !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// writeLittlesLaw prints, for each scenario with an emulated round trip,
// Little's law's ceiling next to the measured throughput (medians): one
// line each, after a header saying how the round trip was applied. It
// prints nothing when no scenario has one.
func writeLittlesLaw(w io.Writer, run *results.Run, k map[string]int) {
	header := false
	for i := range run.Scenarios {
		sc := &run.Scenarios[i]
		p, ok := predictLittle(sc, k[sc.Strategy])
		if !ok {
			continue
		}
		if !header {
			header = true
			method := bench.RTTMethod
			if run.Config.RTT != nil {
				method = run.Config.RTT.Method + "; netem " + run.Config.RTT.NetemProbe
			}
			fmt.Fprintf(w, "\nLittle's law (round trips %s): throughput <= connections held at once / (round trips x RTT + service time), service = server CPU per request + handler wait\n", method)
		}
		got := median(sc, func(s *results.Sample) float64 { return s.Throughput })
		lag := median(sc, measuredOnly(func(s *results.Sample) float64 { return s.RTTLagP50 }))
		ratio := median(sc, measuredOnly(func(s *results.Sample) float64 { return s.RTTHeldRatio })) // 0: not recorded
		held := fmt.Sprintf("%d held", p.held)
		if k[sc.Strategy] < 0 {
			held += " (concurrency unknown: assumed all)"
		}
		trips := "RTT"
		if p.trips > 1 {
			trips = fmt.Sprintf("%dxRTT", p.trips)
		}
		heldNote := ""
		if ratio > 0 {
			// The same law with the round trips the generator actually held.
			actual := float64(p.held) / (float64(p.trips)*p.rtt.Seconds()*ratio + p.service.Seconds())
			heldNote = fmt.Sprintf("; delays held %.1f%% of asked: <= %s req/s at those", 100*ratio, rps(actual))
		}
		fmt.Fprintf(w, "  %-22s %-28s conns=%-5d %s / (%s %s + %s) = predicted <= %s req/s, measured %s req/s (%.0f%%%s; wake-up lag p50 %.0f µs)\n",
			sc.Strategy, sc.Key().WorkloadLabel(), sc.Conns, held, trips, p.rtt, p.service.Round(time.Microsecond),
			rps(p.rps), rps(got), 100*got/p.rps, heldNote, lag)
	}
}

// rps formats a rate for the Little's law lines: "49.9", "3190", "12.4k".
func rps(v float64) string {
	switch {
	case v >= 10000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v/1000), ".0") + "k"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
