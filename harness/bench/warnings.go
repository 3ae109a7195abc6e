package bench

import (
	"math"
	"slices"

	"github.com/gosocketserver/socketserver/results"
)

// SpreadLimit is the largest spread across repetitions (the furthest
// repetition from the median, relative to the median) that the harness
// accepts without a warning.
const SpreadLimit = 0.10

// cellWarnings says why a scenario's numbers may not be trusted:
//
//   - results.ClientBound: the load generator, not the server, was
//     saturated in some repetitions;
//   - results.MachineBound: one connection with a trivial handler measures
//     the machine's cross-core wake-up, the same for every strategy (not
//     said of cpu and sleep, whose handler dominates, nor of open-loop
//     runs, whose rate is set by the client);
//   - results.ReplyErrors: failed replies, with the first error quoted;
//   - results.Starved: connections that got no reply at all in some
//     repetition (the most of any repetition);
//   - results.HighSpread: a repetition differs from the median of a metric
//     by more than SpreadLimit.
//
// clients is the number of well-behaved connections (slow ones excluded);
// firstErr is a sample error message to quote, or "".
func cellWarnings(sc *results.Scenario, clients int, firstErr string) []results.Warning {
	var w []results.Warning
	n := len(sc.Samples)
	if n == 0 {
		return nil
	}
	bound, errReps, starved := 0, 0, 0
	var errs int64
	for _, s := range sc.Samples {
		if s.ClientBound {
			bound++
		}
		if s.Errors > 0 {
			errReps++
			errs += s.Errors
		}
		starved = max(starved, s.Starved)
	}
	if bound > 0 {
		w = append(w, results.Warning{Kind: results.ClientBound, Reps: bound, OfReps: n})
	}
	if sc.Conns == 1 && sc.Workload != "cpu" && sc.Workload != "sleep" && sc.Mode != "open" && sc.Params["delay"] == "" {
		w = append(w, results.Warning{Kind: results.MachineBound})
	}
	if errs > 0 {
		w = append(w, results.Warning{Kind: results.ReplyErrors, Errors: errs, Reps: errReps, OfReps: n, Detail: firstErr})
	}
	if starved > 0 {
		w = append(w, results.Warning{Kind: results.Starved, Clients: starved, OfClients: clients})
	}
	if n >= 2 {
		for _, m := range []struct {
			name string // a results.Metric name
			get  func(*results.Sample) float64
		}{
			{"throughput_rps", func(s *results.Sample) float64 { return s.Throughput }},
			{"requests_per_cpu_s", func(s *results.Sample) float64 { return s.RequestsPerCPU }},
		} {
			xs := make([]float64, 0, n)
			for i := range sc.Samples {
				if v := m.get(&sc.Samples[i]); v > 0 {
					xs = append(xs, v)
				}
			}
			if sp := spread(xs); sp > SpreadLimit {
				w = append(w, results.Warning{Kind: results.HighSpread, Metric: m.name, Spread: sp})
			}
		}
	}
	return w
}

// spread is the largest relative distance of an x from the median of xs;
// 0 for fewer than two values.
func spread(xs []float64) float64 {
	if len(xs) < 2 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	var med float64
	if len(s)%2 == 1 {
		med = s[len(s)/2]
	} else {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	if med == 0 {
		return 0
	}
	return math.Max(math.Abs(s[0]-med), math.Abs(s[len(s)-1]-med)) / med
}
