package results

import (
	"fmt"
	"io"
	"strings"
)

// Text returns the recommendation as one paragraph starting with
// "Recommendation:", e.g. "Recommendation: for sleep[delay=2ms] at 500
// connections, pool:workers=64: 41.2k requests per server-CPU-second, 12%
// more than goroutine (paired over 5 repetitions: +12.1% [+5.0%, +20.3%]
// at 94% confidence; Mann-Whitney p=0.008), meeting p99<=20ms (p99
// 15.1ms). ... What would change the answer: ...".
func (rc Recommendation) Text() string {
	var b strings.Builder
	w := rc.Win
	at := fmt.Sprintf("for %s at %s", rc.Cell.WorkloadLabel(), plural(rc.Cell.Conns, "connection"))
	switch {
	case w.Best == "" && rc.Goal.IsZero():
		fmt.Fprintf(&b, "Recommendation: %s, none: no target served every client.", at)
	case w.Best == "":
		fmt.Fprintf(&b, "Recommendation: %s, none: no target served every client and met %s.", at, rc.Goal)
	default:
		fmt.Fprintf(&b, "Recommendation: %s, %s: %s %s", at, w.Best, w.Metric.Format(w.BestStat.Median), w.Metric.Label)
		if w.RunnerUp == "" {
			b.WriteString(", the only target ranked")
		} else {
			fmt.Fprintf(&b, ", %.0f%% more than %s (%s)", 100*w.Margin, w.RunnerUp, rc.confidence())
		}
		if !rc.Goal.IsZero() {
			fmt.Fprintf(&b, ", meeting %s", rc.Goal)
			if rc.BestCheck != "" {
				fmt.Fprintf(&b, " (%s)", rc.BestCheck)
			}
		}
		b.WriteString(".")
	}
	if s := rc.BestSLO; s != nil {
		fmt.Fprintf(&b, " Under the goal %s sustains %s.", w.Best, sloText(s))
		if r := rc.RunnerUpSLO; r != nil {
			fmt.Fprintf(&b, " %s sustains %s.", w.RunnerUp, sloText(r))
		}
	}
	var left []string
	left = append(left, w.Starved...)
	left = append(left, rc.Missed...)
	if len(left) > 0 {
		fmt.Fprintf(&b, " Not ranked: %s.", strings.Join(left, "; "))
	}
	if len(rc.Elsewhere) > 0 {
		fmt.Fprintf(&b, " The best differs %s.", strings.Join(rc.Elsewhere, ", "))
	}
	if len(rc.Changes) > 0 {
		fmt.Fprintf(&b, " What would change the answer: %s.", strings.Join(rc.Changes, "; "))
	}
	return b.String()
}

// confidence says how sure the margin is: the paired interval when the
// run paired the repetitions, the Mann-Whitney p-value, and whether the
// medians' intervals overlap.
func (rc Recommendation) confidence() string {
	var parts []string
	if p := rc.Paired; p.N > 0 {
		if p.OK {
			parts = append(parts, fmt.Sprintf("paired over %d repetitions: %+.1f%% [%+.1f%%, %+.1f%%] at %.0f%% confidence",
				p.N, 100*p.Change, 100*p.Lo, 100*p.Hi, 100*p.Confidence))
		} else {
			parts = append(parts, fmt.Sprintf("paired over %d repetitions: %+.1f%%, too few for an interval", p.N, 100*p.Change))
		}
	}
	parts = append(parts, fmt.Sprintf("Mann-Whitney p=%.3g", rc.P))
	if rc.Win.Tie {
		parts = append(parts, "within the noise: a tie")
	} else {
		parts = append(parts, "beyond the noise")
	}
	return strings.Join(parts, "; ")
}

// sloText describes a search's answer: "up to 9.10k req/s offered (p99
// 15.1ms there; 10.0k broke it: p99 25ms > 20ms), within 10%", and how
// many samples each rate measured when more than one.
func sloText(s *SLOSearch) string {
	if s.Rate == 0 {
		t := "no rate tried"
		if len(s.Steps) > 0 {
			t += fmt.Sprintf(" (the lowest, %s req/s, broke it: %s)", formatRate(s.Broke), s.BrokeBy)
		}
		if s.ClientBound {
			t += ", limited by the load generator: it woke up late, and late sends count against the goal"
		}
		return t + repsText(s)
	}
	t := fmt.Sprintf("up to %s req/s offered (%s there", formatRate(s.Rate), foundValues(s))
	switch {
	case s.Broke == 0:
		t += fmt.Sprintf("; no rate tried broke it, the search stopped after %d steps)", len(s.Steps))
	case s.Converged:
		t += fmt.Sprintf("; %s broke it: %s), within %.0f%%", formatRate(s.Broke), s.BrokeBy, 100*s.Precision)
	default:
		t += fmt.Sprintf("; %s broke it: %s), not converged to %.0f%% in %d steps", formatRate(s.Broke), s.BrokeBy, 100*s.Precision, len(s.Steps))
	}
	if s.ClientBound {
		t += ", limited by the load generator"
	}
	return t + repsText(s)
}

// foundValues describes what s's goal bounds at the rate found, e.g.
// "p99 15.1ms" or "p50 2.1ms, loss 0.2%": its latency and loss bounds (the
// loss from the step at that rate), or the p99 when it bounds only errors.
func foundValues(s *SLOSearch) string {
	goal, _ := ParseGoal(s.Goal)
	var parts []string
	for _, b := range goal.Bounds {
		switch b.Name {
		case "errors":
		case "loss":
			if st := s.stepAt(s.Rate); st != nil && st.LossRatio != nil {
				parts = append(parts, "loss "+b.format(*st.LossRatio))
			}
		default:
			parts = append(parts, b.Name+" "+b.format(b.Seconds(s.Latency)))
		}
	}
	if len(parts) == 0 {
		return "p99 " + formatSeconds(s.Latency.P99*1e-6)
	}
	return strings.Join(parts, ", ")
}

// repsText says how many samples each step of s measured, "" for one:
// ", each rate measured 3 times and judged on the median".
func repsText(s *SLOSearch) string {
	if n := s.SamplesPerStep(); n > 1 {
		return fmt.Sprintf(", each rate measured %d times and judged on the median", n)
	}
	return ""
}

// WriteRecommendations writes Recommend(r)'s paragraphs to w, separated by
// blank lines; nothing when r has no scenario.
func WriteRecommendations(w io.Writer, r *Run) error {
	for i, rc := range Recommend(r) {
		sep := ""
		if i > 0 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "%s%s\n", sep, rc.Text()); err != nil {
			return fmt.Errorf("write recommendation: %w", err)
		}
	}
	return nil
}
