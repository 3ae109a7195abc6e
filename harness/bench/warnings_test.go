package bench

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/gosocketserver/socketserver/results"
)

func TestCellWarnings(t *testing.T) {
	ok := func(tput, rpcpu float64) results.Sample {
		return results.Sample{Requests: 100, Throughput: tput, RequestsPerCPU: rpcpu}
	}
	for _, tt := range []struct {
		name     string
		workload string
		conns    int
		clients  int
		samples  []results.Sample
		firstErr string
		want     []results.Warning
	}{
		{"clean", "keepalive", 16, 16, []results.Sample{ok(100, 1000), ok(105, 1000), ok(96, 1020)}, "", nil},
		{"no samples", "keepalive", 16, 16, nil, "", nil},
		{"machine-bound", "keepalive", 1, 1, []results.Sample{ok(100, 1000)}, "",
			[]results.Warning{{Kind: results.MachineBound}}},
		{"cpu at 1 connection measures the handler", "cpu", 1, 1, []results.Sample{ok(100, 1000)}, "", nil},
		{"sleep at 1 connection measures the handler", "sleep", 1, 1, []results.Sample{ok(100, 1000)}, "", nil},
		{"open at 1 connection is paced by the client", "open", 1, 1, []results.Sample{ok(100, 1000)}, "", nil},
		{"client-bound every rep", "keepalive", 16, 16, []results.Sample{{ClientBound: true}, {ClientBound: true}}, "",
			[]results.Warning{{Kind: results.ClientBound, Reps: 2, OfReps: 2}}},
		{"client-bound some reps", "keepalive", 16, 16, []results.Sample{{ClientBound: true}, {}, {}}, "",
			[]results.Warning{{Kind: results.ClientBound, Reps: 1, OfReps: 3}}},
		{"errors", "keepalive", 16, 16, []results.Sample{{Errors: 3}, {}, {Errors: 2}}, "read reply: timeout",
			[]results.Warning{{Kind: results.ReplyErrors, Errors: 5, Reps: 2, OfReps: 3, Detail: "read reply: timeout"}}},
		{"starved, most of any rep", "keepalive", 256, 256, []results.Sample{{Starved: 190}, {Starved: 192}}, "",
			[]results.Warning{{Kind: results.Starved, Clients: 192, OfClients: 256}}},
		{"starved among well-behaved", "keepalive", 16, 12, []results.Sample{{Starved: 11}}, "",
			[]results.Warning{{Kind: results.Starved, Clients: 11, OfClients: 12}}},
		{"spread", "keepalive", 16, 16, []results.Sample{ok(100, 1000), ok(130, 1000), ok(101, 1000)}, "",
			[]results.Warning{{Kind: results.HighSpread, Metric: "throughput_rps", Spread: 29.0 / 101}}},
		{"spread of both", "keepalive", 16, 16, []results.Sample{ok(100, 1000), ok(80, 700)}, "",
			[]results.Warning{{Kind: results.HighSpread, Metric: "throughput_rps", Spread: 10.0 / 90}, {Kind: results.HighSpread, Metric: "requests_per_cpu_s", Spread: 150.0 / 850}}},
		{"spread just inside", "keepalive", 16, 16, []results.Sample{ok(100, 1000), ok(110, 1000), ok(91, 1000)}, "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mode := "closed"
			if tt.workload == "open" {
				mode = "open"
			}
			sc := &results.Scenario{Workload: tt.workload, Mode: mode, Conns: tt.conns, Samples: tt.samples}
			if diff := cmp.Diff(tt.want, cellWarnings(sc, tt.clients, tt.firstErr), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("cellWarnings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpread(t *testing.T) {
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{
		{nil, 0}, {[]float64{5}, 0}, {[]float64{10, 10}, 0}, {[]float64{9, 10, 12}, 0.2}, {[]float64{0, 0}, 0},
	} {
		if got := spread(tt.xs); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("spread(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}
