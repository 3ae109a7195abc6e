package results

import (
	"errors"
	"fmt"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Agent marks a Run as one load agent's share of a measurement made by
// several agents at once ("sockbench load"); "sockbench merge" (Merge)
// makes one run of all the shares.
type Agent struct {
	// Index is this agent's index, 0..Count-1.
	Index int `json:"index"`
	// Count is the number of agents that loaded the server together.
	Count int `json:"count"`
	// Host names the machine (or network namespace, or pod) the agent ran on.
	Host string `json:"host,omitempty"`
	// Addr is the server address the agent loaded.
	Addr string `json:"addr"`
	// StartAt is the scheduled wall-clock start of the first measured
	// window (load --start-at); zero when the agent started on its own.
	StartAt time.Time `json:"start_at,omitzero"`
	// ClockOffset is this host's clock minus the reference clock, when the
	// user knows it (load --clock-offset, from chrony or ntpdate); nil when
	// unknown. Schedules are on this host's clock, corrected by it.
	ClockOffset *Duration `json:"clock_offset,omitempty"`
	// ServerStats is the server's stats endpoint the agent read the
	// server-side figures from (load --server-stats), if any.
	ServerStats string `json:"server_stats,omitempty"`
}

// Merged marks a Run made by Merge from several agents' shares.
type Merged struct {
	// Agents describes every share, in Index order.
	Agents []Agent `json:"agents"`
	// Sources says which side every figure came from: a Sample JSON field
	// name (or "latency", "histogram") mapped to a description such as
	// "agents: summed over the common window" or "server: stats endpoint
	// read by agent 0".
	Sources map[string]string `json:"sources"`
}

// Series is a sample's latency histograms per fixed interval of its
// measured window, so that shares merge exactly over the window they have
// in common and a run can be cut to any window of whole intervals.
type Series struct {
	// Start is when interval 0 begins: the scheduled start of the window.
	Start time.Time `json:"start"`
	// Interval is the length of every interval.
	Interval Duration `json:"interval"`
	// Histograms holds one HDR histogram of latencies in microseconds per
	// interval, in HdrHistogram's V2 compressed encoding (base64), the
	// format of HdrHistogram log files.
	Histograms []string `json:"histograms"`
}

// Share is one agent's part of a sample: what that agent alone measured,
// kept in a merged run so that each agent's saturation stays visible.
type Share struct {
	Agent int    `json:"agent"`
	Host  string `json:"host,omitempty"`
	Conns int    `json:"conns"`
	// Start is when the agent's measured window began (its own clock).
	Start time.Time `json:"start"`
	// Duration is its measured wall time in seconds.
	Duration float64 `json:"duration_s"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	// TotalRequests counts its correct replies over the whole run,
	// warm-up included: what the server answered to it.
	TotalRequests int64 `json:"total_requests,omitempty"`
	// InFlight counts its requests unanswered when it stopped.
	InFlight   int64   `json:"in_flight,omitempty"`
	Throughput float64 `json:"throughput_rps"`
	ClientCPU  float64 `json:"client_cpu_s"`
	// ClientUtil is its CPU use over the CPUs it may use, 0..1.
	ClientUtil float64 `json:"client_util"`
	// ClientBound is its saturation verdict.
	ClientBound bool `json:"client_bound"`
	// LateStart is how far its measured window began after the scheduled
	// start, in seconds (0 when on time or unscheduled).
	LateStart float64 `json:"late_start_s,omitempty"`
	// EarlyEnd is how far its measured window ended before the scheduled
	// end, in seconds (0 when on time or unscheduled).
	EarlyEnd float64 `json:"early_end_s,omitempty"`
}

// NewSeries encodes per-interval histograms (latencies in microseconds)
// starting at start, each every long.
func NewSeries(start time.Time, every time.Duration, hists []*hdrhistogram.Histogram) (*Series, error) {
	if every <= 0 {
		return nil, errors.New("series: interval must be positive")
	}
	s := &Series{Start: start, Interval: Duration(every), Histograms: make([]string, len(hists))}
	for i, h := range hists {
		b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			return nil, fmt.Errorf("series: interval %d: %w", i, err)
		}
		s.Histograms[i] = string(b)
	}
	return s, nil
}

// Decode returns the series' histograms, one per interval.
func (s *Series) Decode() ([]*hdrhistogram.Histogram, error) {
	if s.Interval <= 0 {
		return nil, fmt.Errorf("%w: series interval %s: want a positive duration", ErrInvalidValue, s.Interval)
	}
	out := make([]*hdrhistogram.Histogram, len(s.Histograms))
	for i, enc := range s.Histograms {
		h, err := hdrhistogram.Decode([]byte(enc))
		if err != nil {
			return nil, fmt.Errorf("series: interval %d: %w", i, err)
		}
		out[i] = h
	}
	return out, nil
}

// End returns when the series' last interval ends.
func (s *Series) End() time.Time {
	return s.Start.Add(time.Duration(len(s.Histograms)) * time.Duration(s.Interval))
}
