package results

import (
	"fmt"
	"strings"
)

// WarningKind says what a scenario's Warning is about. Its value is the
// stable name written into run files.
type WarningKind string

// The kinds of scenario warnings. Each kind's doc names the Warning fields
// that carry its data; the other fields are zero.
const (
	// ClientBound: the load generator, not the server, was saturated in
	// Reps of OfReps repetitions.
	ClientBound WarningKind = "client-bound"
	// MachineBound: one connection with a trivial handler measures the
	// machine's cross-core wake-up, the same for every strategy. No data.
	MachineBound WarningKind = "machine-bound"
	// ReplyErrors: Errors wrong, missing or failed replies in Reps of
	// OfReps repetitions; Detail quotes the first error, if known.
	ReplyErrors WarningKind = "errors"
	// Starved: Clients of OfClients well-behaved clients got no reply at
	// all in some repetition (the most of any repetition). The scenario's
	// figures describe only the clients it served.
	Starved WarningKind = "starved"
	// HighSpread: a repetition differs from the median of Metric (a
	// Metric.Name) by the fraction Spread, more than the harness accepts.
	// Every table cell shows the spread as its ±.
	HighSpread WarningKind = "spread"
	// SlowClients: Clients of OfClients clients were slow on purpose (one
	// byte per Delay); the figures are the other clients'.
	SlowClients WarningKind = "slow-clients"
	// NoSlowClient: the workload asks for slow clients, but at one
	// connection there is none. No data.
	NoSlowClient WarningKind = "no-slow-client"
	// FailedRep: repetition Rep (1-based) could not be measured; Detail
	// says why.
	FailedRep WarningKind = "failed-rep"
	// Note: free text in Detail, for anything else (and for a warning of
	// an old run that no kind describes).
	Note WarningKind = "note"
)

// Warning says why a scenario's numbers may not be trusted. It holds the
// data the warning is about; its text (String) is derived from that data
// whenever it is printed, so readers test Kind and read the fields instead
// of parsing English.
type Warning struct {
	Kind WarningKind `json:"kind"`
	// Reps and OfReps count repetitions: those concerned and those measured.
	Reps   int `json:"reps,omitempty"`
	OfReps int `json:"of_reps,omitempty"`
	// Clients and OfClients count client connections: those concerned and
	// those they are counted among.
	Clients   int `json:"clients,omitempty"`
	OfClients int `json:"of_clients,omitempty"`
	// Errors counts failed replies over all repetitions.
	Errors int64 `json:"errors,omitempty"`
	// Metric names the metric (Metric.Name) a spread is about, and Spread
	// is the furthest repetition's relative distance from the median.
	Metric string  `json:"metric,omitempty"`
	Spread float64 `json:"spread,omitempty"`
	// Delay is a slow client's pause between bytes.
	Delay Duration `json:"delay,omitempty"`
	// Rep is a failed repetition's number, counted from 1.
	Rep int `json:"rep,omitempty"`
	// Detail is a quoted error or, for Note, the whole text.
	Detail string `json:"detail,omitempty"`
}

// NoteWarning returns a Warning of kind Note with the given text.
func NoteWarning(text string) Warning { return Warning{Kind: Note, Detail: text} }

// String returns the warning's text, derived from its data, e.g.
// "client-bound (2 of 3 reps)" or "starved 15 of 16 clients".
func (w Warning) String() string {
	switch w.Kind {
	case ClientBound:
		if w.Reps == w.OfReps {
			return "client-bound"
		}
		return fmt.Sprintf("client-bound (%d of %d reps)", w.Reps, w.OfReps)
	case MachineBound:
		return "machine-bound (1 connection: measures the cross-core wake-up, not the strategy)"
	case ReplyErrors:
		s := fmt.Sprintf("errors: %d in %d of %d reps", w.Errors, w.Reps, w.OfReps)
		if w.Detail != "" {
			s += " (first: " + w.Detail + ")"
		}
		return s
	case Starved:
		return fmt.Sprintf("starved %d of %d clients", w.Clients, w.OfClients)
	case HighSpread:
		return fmt.Sprintf("spread %.0f%% across reps (%s)", w.Spread*100, metricLabel(w.Metric))
	case SlowClients:
		return fmt.Sprintf("%d of %d clients slow (1 byte per %s); the figures are the other clients'", w.Clients, w.OfClients, w.Delay)
	case NoSlowClient:
		return "no slow client at 1 connection"
	case FailedRep:
		return fmt.Sprintf("failed rep %d: %s", w.Rep, w.Detail)
	case Note:
		return w.Detail
	}
	if w.Detail != "" {
		return fmt.Sprintf("%s: %s", w.Kind, w.Detail)
	}
	return string(w.Kind)
}

// metricLabel returns the label of the named metric, or the name itself.
func metricLabel(name string) string {
	if m, ok := MetricByName(name); ok {
		return m.Label
	}
	return name
}

// Warning returns sc's first warning of the given kind and true, or a zero
// Warning and false if it has none.
func (sc *Scenario) Warning(kind WarningKind) (Warning, bool) {
	for _, w := range sc.Warnings {
		if w.Kind == kind {
			return w, true
		}
	}
	return Warning{}, false
}

// warningTexts returns the texts of ws.
func warningTexts(ws []Warning) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = w.String()
	}
	return out
}

// joinWarnings returns the texts of ws separated by "; ".
func joinWarnings(ws []Warning) string { return strings.Join(warningTexts(ws), "; ") }
