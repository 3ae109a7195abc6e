package bench

import (
	"fmt"

	"github.com/gosocketserver/socketserver/harness/load"
)

// WithProtocol returns w speaking p instead of its own protocol (for an
// external server with its own request and reply), with label recorded in
// its Params as "protocol". Workloads in which the load generator does not
// use a load.Protocol (churn, which speaks the seed's client, and idle's
// idle connections aside) refuse it with an error wrapping ErrBadSpec, as
// do those whose slow clients send the seed's line byte by byte.
func (w Workload) WithProtocol(p load.Protocol, label string) (Workload, error) {
	if w.Datagram() {
		return Workload{}, fmt.Errorf("%w: workload %s speaks the docs' UDP protocol; a protocol spec applies to stream workloads", ErrBadSpec, w.Name)
	}
	if w.Mode == load.Churn || w.slowShare > 0 {
		return Workload{}, fmt.Errorf("%w: workload %s speaks the seed's protocol; a protocol spec applies to keepalive, open, pipelined, echo, cpu, sleep and idle", ErrBadSpec, w.Name)
	}
	params := make(map[string]string, len(w.Params)+1)
	for k, v := range w.Params {
		params[k] = v
	}
	params["protocol"] = label
	w.Params, w.protocol = params, p
	return w, nil
}
