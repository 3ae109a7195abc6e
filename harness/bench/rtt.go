package bench

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/internal/spec"
	"github.com/gosocketserver/socketserver/results"
)

// RTTMethod is how the harness applies a workload's round trip, as
// recorded in results.RTTEmulation.Method.
const RTTMethod = "emulated in load generator"

// RTT returns the round trip w's load generator emulates (zero: none).
func (w Workload) RTT() load.RTT { return w.rtt }

// WithRTT returns w with its connections held for the round trip r, and
// r recorded in its Params ("rtt", and "jitter" when set), so that the
// same workload at two round trips is two rows of a run. A zero r
// returns w unchanged. Pipelined workloads refuse it (ErrBadSpec).
func (w Workload) WithRTT(r load.RTT) (Workload, error) {
	if r.Delay == 0 {
		return w, nil
	}
	if w.Datagram() {
		return Workload{}, fmt.Errorf("%w: workload %s: rtt is not emulated for datagrams", ErrBadSpec, w.Name)
	}
	if w.Mode == load.Pipelined {
		return Workload{}, fmt.Errorf("%w: workload %s: rtt is not emulated in pipelined mode", ErrBadSpec, w.Name)
	}
	params := make(map[string]string, len(w.Params)+2)
	for k, v := range w.Params {
		params[k] = v
	}
	params["rtt"] = r.Delay.String()
	if r.Jitter > 0 {
		params["jitter"] = r.Jitter.String()
	}
	w.Params, w.rtt = params, r
	return w, nil
}

// takeRTT removes the options rtt and jitter, which every workload
// accepts, from sp and returns the round trip they give.
func takeRTT(sp *spec.Spec) (load.RTT, error) {
	v, ok := sp.Opts["rtt"]
	j, hasJitter := sp.Opts["jitter"]
	delete(sp.Opts, "rtt")
	delete(sp.Opts, "jitter")
	if !ok {
		if hasJitter {
			return load.RTT{}, fmt.Errorf("option jitter needs rtt")
		}
		return load.RTT{}, nil
	}
	s := v
	if hasJitter {
		s += ",jitter=" + j
	}
	return load.ParseRTT(s)
}

// rttEmulation is what a run records about its round trips: nil when no
// workload emulates one.
func rttEmulation(ctx context.Context, ws []Workload) *results.RTTEmulation {
	on := false
	for _, w := range ws {
		on = on || w.rtt.Delay > 0
	}
	if !on {
		return nil
	}
	return &results.RTTEmulation{
		Method:       RTTMethod,
		Distribution: "each one-way leg rtt/2 + uniform[-jitter/2, +jitter/2); handshake 1 RTT before a keep-alive dial, 1.5 RTT before a churn dial",
		Reproduces:   "connection occupancy per request (rtt + service time, Little's law), latency including the round trips",
		Omits:        "TCP slow start and congestion window, loss and retransmission, bandwidth, SYN-queue occupancy",
		NetemProbe:   probeNetem(ctx),
	}
}

// netemProbeTimeout bounds the netem probe.
const netemProbeTimeout = 3 * time.Second

// probeNetem tries "tc qdisc add dev lo root netem delay 1ms" in a new,
// throw-away network namespace (so nothing on this host changes) and
// returns what happened: "available", or "unavailable: " and the reason
// ("Error: Specification error..." on kernels without netem, or a missing
// tool or privilege). The harness emulates round trips in the load
// generator either way: it has no netem path of its own between client
// and server; the probe says whether one could be built.
func probeNetem(ctx context.Context) string {
	if _, err := exec.LookPath("unshare"); err != nil {
		return "unavailable: unshare not found"
	}
	if _, err := exec.LookPath("tc"); err != nil {
		return "unavailable: tc not found"
	}
	ctx, cancel := context.WithTimeout(ctx, netemProbeTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "unshare", "--net", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms").CombinedOutput()
	if err != nil {
		msg := strings.Join(strings.Fields(string(out)), " ")
		if msg == "" {
			msg = err.Error()
		}
		return "unavailable: " + msg
	}
	return "available"
}
