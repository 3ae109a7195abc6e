package results

import (
	"fmt"
	"reflect"
)

// SLOSearch is the outcome of "bench --slo" for one scenario: the open-loop
// search for the highest offered rate at which the target met the run's
// goal, with latency measured from each request's intended send time (no
// coordinated omission). The true limit lies in [Rate, Broke) when both
// are set; Converged says whether that interval is within Precision.
type SLOSearch struct {
	// Goal is the goal searched for, as ParseGoal reads it.
	Goal string `json:"goal"`
	// Precision is the relative width the search stops at: Broke/Rate - 1
	// <= Precision once Converged (0.1 = within 10%).
	Precision float64 `json:"precision"`
	// Rate is the highest offered rate (requests/s in total) that met the
	// goal; 0 when no rate tried did.
	Rate float64 `json:"rate_rps"`
	// Latency is the latency measured at Rate.
	Latency Latency `json:"latency"`
	// RequestsPerCPU is the ranking figure measured at Rate (requests per
	// server-CPU-second; 0 when not measured).
	RequestsPerCPU float64 `json:"requests_per_cpu_s,omitempty"`
	// Broke is the lowest offered rate that missed the goal; 0 when every
	// rate tried met it (the search stopped at its step or rate limit).
	Broke float64 `json:"broke_rps,omitempty"`
	// BrokeBy says how Broke missed the goal, e.g. "p99 31.2ms > 20ms".
	BrokeBy string `json:"broke_by,omitempty"`
	// ClientBound reports that the load generator, not the server, was
	// saturated at Broke: the limit found may be the generator's.
	ClientBound bool `json:"client_bound,omitempty"`
	// Converged reports that Broke/Rate - 1 <= Precision.
	Converged bool `json:"converged"`
	// Steps are the rates tried, in order.
	Steps []SLOStep `json:"steps"`
	// Reps is how many samples each step measured ("bench --slo-reps");
	// 0 (runs before it existed) means 1.
	Reps int `json:"reps,omitempty"`
}

// stepAt returns the last step of s that tried rate and met the goal, or
// nil.
func (s *SLOSearch) stepAt(rate float64) *SLOStep {
	for i := len(s.Steps) - 1; i >= 0; i-- {
		if st := &s.Steps[i]; st.Rate == rate && st.Met {
			return st
		}
	}
	return nil
}

// SamplesPerStep returns Reps, or 1 when it is not recorded.
func (s *SLOSearch) SamplesPerStep() int { return max(s.Reps, 1) }

// SLOStep is one offered rate tried by an SLOSearch: one sample of the
// run's warm-up and duration, or with SLOSearch.Reps above 1 that many,
// judged on their medians (see Goal.CheckSamples): then Achieved,
// Latency, RequestsPerCPU and LossRatio are the medians over Samples,
// Requests and Errors their sums, and ClientBound is set when any sample
// was client-bound.
type SLOStep struct {
	Rate     float64 `json:"rate_rps"`     // offered
	Achieved float64 `json:"achieved_rps"` // good replies per second
	Latency  Latency `json:"latency"`
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	// RequestsPerCPU is the step's requests per server-CPU-second (0 when
	// not measured).
	RequestsPerCPU float64 `json:"requests_per_cpu_s,omitempty"`
	Met            bool    `json:"met"`
	// Missed says why the step missed the goal: bounds missed, a rate not
	// kept up with, or the sample's failure.
	Missed      string `json:"missed,omitempty"`
	ClientBound bool   `json:"client_bound,omitempty"`
	// LossRatio is the share of the requests sent that got no reply
	// (datagram workloads; nil otherwise).
	LossRatio *float64 `json:"loss_ratio,omitempty"`
	// Samples holds every sample of the step, in the order measured,
	// when the search measured more than one per step; nil otherwise.
	Samples []SLOSample `json:"samples,omitempty"`
}

// SLOSample is one of the samples of an SLOStep measured several times:
// its own figures and its own verdict, which the step's does not follow
// alone.
type SLOSample struct {
	Achieved       float64  `json:"achieved_rps"`
	Latency        Latency  `json:"latency"`
	Requests       int64    `json:"requests"`
	Errors         int64    `json:"errors"`
	RequestsPerCPU float64  `json:"requests_per_cpu_s,omitempty"`
	Starved        int      `json:"starved,omitempty"`
	LossRatio      *float64 `json:"loss_ratio,omitempty"`
	ClientBound    bool     `json:"client_bound,omitempty"`
	// Met is this sample's verdict on its own.
	Met bool `json:"met"`
	// Missed says why this sample, alone, missed the goal (as
	// SLOStep.Missed).
	Missed string `json:"missed,omitempty"`
}

// SweepPoint records that a scenario's target is one value of a swept
// strategy spec (see "bench --strategies 'pool:workers=8..256'").
type SweepPoint struct {
	// Spec is the spec as written, with its sweep: "pool:workers=8..256".
	// Scenarios with the same Spec form one curve.
	Spec string `json:"spec"`
	// Option is the swept option, "workers".
	Option string `json:"option"`
	// Value is the option's value for this scenario as written, "64".
	Value string `json:"value"`
	// X is Value as a number: the integer, or a duration in seconds.
	X float64 `json:"x"`
}

// validateSLO checks that every number of s (nil is fine) is finite and in
// 0..MaxValue, as validate checks samples.
func validateSLO(s *SLOSearch) error {
	if s == nil {
		return nil
	}
	if field, v, ok := firstOutOfRange(reflect.ValueOf(*s), "slo"); !ok {
		return fmt.Errorf("%s = %v: want a finite number in 0..%g", field, v, MaxValue)
	}
	for i, st := range s.Steps {
		path := fmt.Sprintf("slo.steps[%d]", i)
		if field, v, ok := firstOutOfRange(reflect.ValueOf(st), path); !ok {
			return fmt.Errorf("%s = %v: want a finite number in 0..%g", field, v, MaxValue)
		}
		if err := validateShare(path+".LossRatio", st.LossRatio); err != nil {
			return err
		}
		for j, sm := range st.Samples {
			spath := fmt.Sprintf("%s.samples[%d]", path, j)
			if field, v, ok := firstOutOfRange(reflect.ValueOf(sm), spath); !ok {
				return fmt.Errorf("%s = %v: want a finite number in 0..%g", field, v, MaxValue)
			}
			if err := validateShare(spath+".LossRatio", sm.LossRatio); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateShare checks that a share (nil is fine) is in 0..1.
func validateShare(field string, v *float64) error {
	if v != nil && !(*v >= 0 && *v <= 1) {
		return fmt.Errorf("%s = %v: want a share in 0..1", field, *v)
	}
	return nil
}
