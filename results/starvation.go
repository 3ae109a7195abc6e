package results

import "fmt"

// Starvation records, for one compared scenario, how many clients each
// side left without any reply: a strategy that starves clients serves fewer
// of them, so its figures can look better while it serves worse, and a
// verdict of "~" or an improvement says nothing about that.
type Starvation struct {
	// Key identifies the new scenario (for CompareStrategies, the cell with
	// the compared strategy).
	Key Key
	// OldName and NewName label the two sides, as in Delta.
	OldName, NewName string
	// Old and New are the clients starved on each side (the most of any
	// repetition), of Conns clients.
	Old, New int
	Conns    int
}

// Worse reports whether the new side starved more clients than the old.
func (s Starvation) Worse() bool { return s.New > s.Old }

// String describes the starvation as a verdict line, e.g. "keepalive
// ... conns=256: pool:workers=64 starved 192 of 256 clients, goroutine 0".
func (s Starvation) String() string {
	return fmt.Sprintf("%s: %s starved %d of %d clients, %s %d", s.Key, s.NewName, s.New, s.Conns, s.OldName, s.Old)
}

// StarvedClients returns the scenario's count of starved clients: the most of
// any repetition, from its Starved warning or else its samples.
func (s *Scenario) StarvedClients() int {
	n := 0
	for _, w := range s.Warnings {
		if w.Kind == Starved {
			n = max(n, w.Clients)
		}
	}
	for i := range s.Samples {
		n = max(n, s.Samples[i].Starved)
	}
	return n
}

// noteStarvation records in c the compared pair's starved clients when
// either side starved any.
func (c *Comparison) noteStarvation(k Key, oldName, newName string, osc, nsc *Scenario) {
	o, n := osc.StarvedClients(), nsc.StarvedClients()
	if o == 0 && n == 0 {
		return
	}
	c.Starvations = append(c.Starvations, Starvation{Key: k, OldName: oldName, NewName: newName, Old: o, New: n, Conns: nsc.Conns})
}

// StarvedMore returns the starvations in which the new side starved more
// clients than the old: "sockbench compare --fail-on-starved" fails on them.
func (c *Comparison) StarvedMore() []Starvation {
	var out []Starvation
	for _, s := range c.Starvations {
		if s.Worse() {
			out = append(out, s)
		}
	}
	return out
}
