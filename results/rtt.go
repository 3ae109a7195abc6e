package results

// RTTEmulation records how a run's round trips were produced, when any
// workload asked for one (the workload's Params then carry "rtt" and
// "jitter"). Runs without round trips have none.
type RTTEmulation struct {
	// Method is "emulated in load generator" or "netem".
	Method string `json:"method"`
	// Distribution says how each delay is drawn and how the handshake is
	// modelled.
	Distribution string `json:"distribution,omitempty"`
	// Reproduces and Omits say what the method reproduces of a real path
	// and what not.
	Reproduces string `json:"reproduces,omitempty"`
	Omits      string `json:"omits,omitempty"`
	// NetemProbe is what a probe of "tc qdisc add ... netem" in a
	// throw-away network namespace answered: "available" or
	// "unavailable: " and why.
	NetemProbe string `json:"netem_probe,omitempty"`
}
