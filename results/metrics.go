package results

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/perf/benchunit"
)

// Better says which direction of a metric is an improvement.
type Better int

const (
	// HigherIsBetter marks metrics such as throughput.
	HigherIsBetter Better = iota + 1
	// LowerIsBetter marks metrics such as latency or memory.
	LowerIsBetter
)

// String returns "higher" or "lower", as used in Go benchmark unit metadata.
func (b Better) String() string {
	switch b {
	case HigherIsBetter:
		return "higher"
	case LowerIsBetter:
		return "lower"
	}
	return fmt.Sprintf("Better(%d)", int(b))
}

// Metric describes one figure derived from a Sample: its name (as in the
// Sample's JSON), how to display it and which direction is better.
type Metric struct {
	// Name is the stable identifier, e.g. "throughput_rps".
	Name string
	// Label is a short human description, e.g. "throughput".
	Label string
	// Unit is the displayed base unit ("req/s", "s", "B"); values are scaled
	// with SI (or, for bytes, binary) prefixes in front of it.
	Unit string
	// BenchUnit is the unit in the Go benchmark format, e.g. "req/s",
	// "p99-sec"; values there are in base units (seconds, bytes).
	BenchUnit string
	// Better says which direction is an improvement.
	Better Better
	// Factor converts the stored value to the base unit (1e-6 for µs).
	Factor float64
	// Counted marks a count per request (see CountedMetrics), which the
	// gate compares by a relative threshold instead of a statistical test.
	Counted bool
	// value extracts the stored value; ok is false when not measured.
	value func(*Sample) (v float64, ok bool)
}

// Value returns the metric's value for s in base units (seconds, bytes,
// requests per second...), and false when s did not measure it.
func (m Metric) Value(s *Sample) (float64, bool) {
	v, ok := m.value(s)
	if !ok {
		return 0, false
	}
	return v * m.Factor, true
}

// Class returns the prefix class used to scale the metric's values.
func (m Metric) Class() benchunit.Class { return benchunit.ClassOf(m.BenchUnit) }

// Format formats v (in base units) with three significant digits, an SI or
// binary prefix and the unit symbol, e.g. "132k", "1.25ms", "3.70KiB".
func (m Metric) Format(v float64) string {
	if m.Unit == "errors" && v == math.Trunc(v) && math.Abs(v) < 1e4 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return m.FormatScaled(v, benchunit.CommonScale([]float64{v}, m.Class()))
}

// FormatScaled formats v with the given scaler, so that a row or column of
// values shares one prefix.
func (m Metric) FormatScaled(v float64, sc benchunit.Scaler) string {
	s := sc.Format(v)
	switch m.Unit {
	case "s", "B":
		return s + m.Unit
	}
	return s
}

func positive(v float64) (float64, bool) { return v, v > 0 }

func measured(s *Sample) bool { return s.Duration > 0 || s.Requests > 0 }

// metrics is the single definition of every metric, in display order.
var metrics = []Metric{
	{Name: "requests_per_cpu_s", Label: "requests per server-CPU-second", Unit: "req/cpu-s", BenchUnit: "req/cpu-sec", Better: HigherIsBetter, Factor: 1,
		value: func(s *Sample) (float64, bool) { return positive(s.RequestsPerCPU) }},
	{Name: "throughput_rps", Label: "throughput", Unit: "req/s", BenchUnit: "req/s", Better: HigherIsBetter, Factor: 1,
		value: func(s *Sample) (float64, bool) { return s.Throughput, measured(s) }},
	{Name: "cpu_per_request_us", Label: "server CPU per request", Unit: "s", BenchUnit: "cpu-sec/req", Better: LowerIsBetter, Factor: 1e-6,
		value: func(s *Sample) (float64, bool) { return positive(s.CPUPerRequest) }},
	{Name: "latency_p50", Label: "latency p50", Unit: "s", BenchUnit: "p50-sec", Better: LowerIsBetter, Factor: 1e-6,
		value: func(s *Sample) (float64, bool) { return positive(s.Latency.P50) }},
	{Name: "latency_p90", Label: "latency p90", Unit: "s", BenchUnit: "p90-sec", Better: LowerIsBetter, Factor: 1e-6,
		value: func(s *Sample) (float64, bool) { return positive(s.Latency.P90) }},
	{Name: "latency_p99", Label: "latency p99", Unit: "s", BenchUnit: "p99-sec", Better: LowerIsBetter, Factor: 1e-6,
		value: func(s *Sample) (float64, bool) { return positive(s.Latency.P99) }},
	{Name: "latency_p999", Label: "latency p99.9", Unit: "s", BenchUnit: "p99.9-sec", Better: LowerIsBetter, Factor: 1e-6,
		value: func(s *Sample) (float64, bool) { return positive(s.Latency.P999) }},
	{Name: "latency_max", Label: "latency max", Unit: "s", BenchUnit: "max-sec", Better: LowerIsBetter, Factor: 1e-6,
		value: func(s *Sample) (float64, bool) { return positive(s.Latency.Max) }},
	{Name: "peak_rss_bytes", Label: "server peak RSS", Unit: "B", BenchUnit: "peak-RSS-B", Better: LowerIsBetter, Factor: 1,
		value: func(s *Sample) (float64, bool) { return positive(float64(s.PeakRSS)) }},
	{Name: "mem_per_conn_bytes", Label: "memory per connection", Unit: "B", BenchUnit: "B/conn", Better: LowerIsBetter, Factor: 1,
		value: func(s *Sample) (float64, bool) { return positive(float64(s.MemPerConn)) }},
	{Name: "errors", Label: "errors", Unit: "errors", BenchUnit: "errors", Better: LowerIsBetter, Factor: 1,
		value: func(s *Sample) (float64, bool) { return float64(s.Errors), measured(s) }},
	{Name: "loss_ratio", Label: "datagram loss", Unit: "ratio", BenchUnit: "loss-ratio", Better: LowerIsBetter, Factor: 1,
		value: func(s *Sample) (float64, bool) {
			if s.LossRatio == nil {
				return 0, false
			}
			return *s.LossRatio, true
		}},
	{Name: "fairness", Label: "fairness (Jain's index)", Unit: "jain", BenchUnit: "fairness", Better: HigherIsBetter, Factor: 1,
		value: func(s *Sample) (float64, bool) { return positive(s.Fairness) }},
}

// defaultMetrics are the metrics shown and compared when none are named.
var defaultMetrics = []string{
	"requests_per_cpu_s", "throughput_rps", "cpu_per_request_us",
	"latency_p50", "latency_p99", "mem_per_conn_bytes", "errors", "loss_ratio",
}

// Metrics returns every known metric, in display order. The slice is a copy.
func Metrics() []Metric { return append([]Metric(nil), metrics...) }

// DefaultMetrics returns the metrics tables and comparisons use when none
// are named: the ranking figure (requests per server-CPU-second),
// throughput, CPU per request, p50 and p99 latency, memory per connection,
// errors and, for datagram workloads only, the lost share of the requests.
func DefaultMetrics() []Metric {
	out := make([]Metric, 0, len(defaultMetrics))
	for _, n := range defaultMetrics {
		m, _ := MetricByName(n)
		out = append(out, m)
	}
	return out
}

// MetricByName returns the metric with the given name. It also accepts the
// short aliases "rps", "rpcpu", "cpu", "p50", "p90", "p99", "p999", "max",
// "rss" and "mem".
func MetricByName(name string) (Metric, bool) {
	if alias, ok := metricAliases[name]; ok {
		name = alias
	}
	for _, m := range metrics {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

var metricAliases = map[string]string{
	"rps": "throughput_rps", "rpcpu": "requests_per_cpu_s", "cpu": "cpu_per_request_us",
	"p50": "latency_p50", "p90": "latency_p90", "p99": "latency_p99", "p999": "latency_p999",
	"max": "latency_max", "rss": "peak_rss_bytes", "mem": "mem_per_conn_bytes",
	"loss": "loss_ratio",
}

// ParseMetrics parses a comma-separated list of metric names (see
// MetricByName). An empty list yields DefaultMetrics; "all" yields Metrics.
func ParseMetrics(list string) ([]Metric, error) {
	list = strings.TrimSpace(list)
	switch list {
	case "":
		return DefaultMetrics(), nil
	case "all":
		return Metrics(), nil
	}
	var out []Metric
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		m, ok := MetricByName(n)
		if !ok {
			names := make([]string, len(metrics))
			for i, m := range metrics {
				names[i] = m.Name
			}
			return nil, fmt.Errorf("unknown metric %q (known: %s)", n, strings.Join(names, ", "))
		}
		out = append(out, m)
	}
	return out, nil
}
