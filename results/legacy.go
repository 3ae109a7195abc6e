package results

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Runs of schema 1.x wrote a scenario's warnings as English text. Reading
// such a run turns each text back into a structured Warning here, and only
// here: nothing else in the module looks at a warning's words.

// legacyWarning returns the structured form of an old warning text. The
// result's String is always exactly text: a text that no kind reproduces
// becomes a Note.
func legacyWarning(text string) Warning {
	w := parseLegacyWarning(text)
	if w.String() != text {
		return NoteWarning(text)
	}
	return w
}

// parseLegacyWarning guesses the kind and data of text; legacyWarning
// checks the guess.
func parseLegacyWarning(text string) Warning {
	var w Warning
	switch {
	case text == "client-bound":
		// Every repetition; the count is filled in from the samples.
		return Warning{Kind: ClientBound}
	case strings.HasPrefix(text, "client-bound ("):
		w.Kind = ClientBound
		fmt.Sscanf(text, "client-bound (%d of %d reps)", &w.Reps, &w.OfReps)
	case strings.HasPrefix(text, "machine-bound "):
		w.Kind = MachineBound
	case strings.HasPrefix(text, "errors: "):
		w.Kind = ReplyErrors
		fmt.Sscanf(text, "errors: %d in %d of %d reps", &w.Errors, &w.Reps, &w.OfReps)
		if _, first, ok := strings.Cut(text, " (first: "); ok {
			w.Detail = strings.TrimSuffix(first, ")")
		}
	case strings.HasPrefix(text, "starved "):
		w.Kind = Starved
		fmt.Sscanf(text, "starved %d of %d clients", &w.Clients, &w.OfClients)
	case strings.HasPrefix(text, "spread "):
		w.Kind = HighSpread
		var pct int
		fmt.Sscanf(text, "spread %d%%", &pct)
		w.Spread = float64(pct) / 100
		if i := strings.LastIndex(text, " ("); i >= 0 {
			w.Metric = metricNameOfLabel(strings.TrimSuffix(text[i+2:], ")"))
		}
	case strings.Contains(text, " clients slow (1 byte per "):
		w.Kind = SlowClients
		fmt.Sscanf(text, "%d of %d clients slow", &w.Clients, &w.OfClients)
		_, rest, _ := strings.Cut(text, "(1 byte per ")
		d, _, _ := strings.Cut(rest, ")")
		if v, err := time.ParseDuration(d); err == nil {
			w.Delay = Duration(v)
		}
	case text == "no slow client at 1 connection":
		w.Kind = NoSlowClient
	case strings.HasPrefix(text, "failed rep "):
		w.Kind = FailedRep
		fmt.Sscanf(text, "failed rep %d:", &w.Rep)
		_, w.Detail, _ = strings.Cut(text, ": ")
	default:
		return NoteWarning(text)
	}
	return w
}

// metricNameOfLabel returns the name of the metric with the given label,
// or label itself if no metric has it.
func metricNameOfLabel(label string) string {
	for _, m := range metrics {
		if m.Label == label {
			return m.Name
		}
	}
	return label
}

// upgradeLegacy completes the warnings of a 1.x run from its samples where
// the old text left the data out: "client-bound" meant every repetition.
func upgradeLegacy(r *Run) {
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		for j := range sc.Warnings {
			w := &sc.Warnings[j]
			if w.Kind == ClientBound && w.OfReps == 0 {
				w.Reps, w.OfReps = len(sc.Samples), len(sc.Samples)
			}
		}
	}
}

// UnmarshalJSON decodes a warning as Write encodes it (an object), or as
// schema 1.x wrote it (a string of English, turned back into its kind and
// data; a text no kind reproduces becomes a Note).
func (w *Warning) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err == nil {
		*w = legacyWarning(text)
		return nil
	}
	type plain Warning // without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("warning: %w", err)
	}
	*w = Warning(p)
	return nil
}
