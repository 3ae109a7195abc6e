package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/internal/spec"
	"github.com/gosocketserver/socketserver/results"
)

// This file holds the datagram workloads: the docs' UDPServer protocol
// (handler dgram-upper) over UDP, closed or open loop, measured with
// load.RunDatagram (unixgram.go has the same over Unix datagram sockets). A datagram can be lost: a request unanswered within
// the workload's timeout is counted in the sample's Lost and LossRatio,
// never in its latency or its errors.

// DefaultDatagramTimeout is how long a datagram request waits for its
// reply before it counts as lost, when the workload does not say.
const DefaultDatagramTimeout = 100 * time.Millisecond

// DatagramHandler is the handler datagram workloads start the server with.
const DatagramHandler = "dgram-upper"

var optDgramTimeout = spec.Option{Name: "timeout", Kind: spec.Duration, Default: DefaultDatagramTimeout.String(),
	Doc: "a request unanswered this long counts as lost", Min: int64(time.Millisecond), Max: int64(10 * time.Second)}

func init() {
	workloads["udp"] = workloadInfo{"handler dgram-upper over UDP, closed loop: one datagram in flight per client socket (--conns sockets); loss is its own metric",
		[]string{optDgramTimeout.String()},
		func(sp *spec.Spec, _ float64) (Workload, error) {
			return parseDatagram(sp, "udp", "udp", load.Closed, 0)
		}}
	workloads["udp-open"] = workloadInfo{"handler dgram-upper over UDP, open loop at a fixed total rate over --conns sockets (latency from the intended send time); loss is its own metric",
		[]string{fmt.Sprintf("rate (above 0, at most %g, default --rate): datagrams per second in total", MaxRate), optDgramTimeout.String()},
		func(sp *spec.Spec, rate float64) (Workload, error) {
			return parseDatagram(sp, "udp-open", "udp", load.Open, rate)
		}}
}

// parseDatagram parses the options of a datagram workload over network:
// timeout, and rate in open loop (rate is the default there).
func parseDatagram(sp *spec.Spec, name, network string, mode load.Mode, rate float64) (Workload, error) {
	d, err := sp.DurationOpt(optDgramTimeout)
	if err != nil {
		return Workload{}, err
	}
	w := Workload{Name: name, Handler: DatagramHandler, Mode: mode, network: network, timeout: d,
		Params: map[string]string{"timeout": d.String()}}
	if mode != load.Open {
		return w, sp.Unused("timeout")
	}
	if v, ok := sp.Opts["rate"]; ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0 && f <= MaxRate) {
			return Workload{}, fmt.Errorf("option rate=%q: want datagrams per second above 0 and at most %g", v, MaxRate)
		}
		rate = f
		_, _ = sp.Int("rate", 0, 0) // mark used
	}
	w.rate = rate
	w.Params["rate"] = strconv.FormatFloat(rate, 'g', -1, 64)
	return w, sp.Unused("timeout", "rate")
}

// Datagram reports whether w is a datagram workload, which only
// strategies that execute datagrams can serve.
func (w Workload) Datagram() bool { return w.network != "" }

// workloadArgs returns the server's arguments for w: those of args, with
// the network for a datagram workload, and for a unixgram one the socket
// path unixPath (removed by the server when it exits).
func (t Target) workloadArgs(w Workload, backlog int, unixPath string) []string {
	if t.Kind != KindStrategy || !w.Datagram() {
		return t.args(w.Handler, backlog)
	}
	s := t.serveInvocation(w.Handler, backlog)
	s.Network = w.network
	if unixPath != "" {
		s.Addr, s.Unix, s.RemoveSocket = serveproto.DefaultServe().Addr, unixPath, true
	}
	return s.Args()
}

// skipReason says why t does not serve w, or "" when it does.
func (t Target) skipReason(w Workload) string {
	switch {
	case !t.serves(w) && w.Datagram():
		return "reference servers do not speak datagrams"
	case !t.serves(w):
		return "reference servers speak upper, upperlines and echo only"
	case w.Datagram() && t.StreamOnly:
		return "the strategy serves streams only (it cannot execute datagrams)"
	case w.network == "unixgram" && t.Kind == KindExternal && t.Exec != "":
		return "a server started from a command is not told the harness's socket path (give a running server's path as its address)"
	}
	return ""
}

// runLoad drives the load lcfg describes: the stream load generator, or
// the datagram one for a datagram workload (then dres is its result and
// res the same figures as a load.Result).
func (w Workload) runLoad(ctx context.Context, lcfg load.Config) (res *load.Result, dres *load.DatagramResult, err error) {
	if !w.Datagram() {
		res, err = load.Run(ctx, lcfg)
		return res, nil, err
	}
	dcfg := load.DatagramConfig{Network: w.network, Addr: lcfg.Addr, Clients: lcfg.Conns, Timeout: w.timeout}
	if lcfg.Mode == load.Open {
		dcfg.Rate = lcfg.Rate
	}
	if lcfg.Warmup > 0 {
		wcfg := dcfg
		wcfg.Duration = lcfg.Warmup
		if _, err := load.RunDatagram(ctx, wcfg); err != nil {
			return nil, nil, fmt.Errorf("warm-up: %w", err)
		}
	}
	dcfg.Duration = lcfg.Duration
	if lcfg.OnMeasure != nil {
		lcfg.OnMeasure(true)
	}
	dres, err = load.RunDatagram(ctx, dcfg)
	if lcfg.OnMeasure != nil {
		lcfg.OnMeasure(false)
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, nil, err
	}
	res = &load.Result{Requests: dres.Received, Elapsed: dres.Elapsed, Latency: dres.Latency}
	if dcfg.Rate > 0 && dres.Elapsed > 0 {
		res.TargetRate = dcfg.Rate
		res.AchievedRate = float64(dres.Sent) / dres.Elapsed.Seconds()
	}
	return res, dres, nil
}

// addLoss records a datagram load's losses in s.
func addLoss(s *results.Sample, d *load.DatagramResult) {
	lost, ratio := d.Lost, d.LossRate()
	s.Lost, s.LossRatio = &lost, &ratio
}
