package results

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// HasShares reports whether some sample of r has load agents' shares: r is
// an agent's share or a run merged from several.
func HasShares(r *Run) bool {
	for i := range r.Scenarios {
		for j := range r.Scenarios[i].Samples {
			if len(r.Scenarios[i].Samples[j].Shares) > 0 {
				return true
			}
		}
	}
	return false
}

// WriteShares writes, for every sample with load agents' shares, one row
// per agent (host, connections, requests, throughput over its own window,
// CPU use, saturation verdict, late start or early end) and one row for
// the whole ("all": the sample's own figures, over the common window), as
// an aligned text table, or as a Markdown table when markdown is set. It
// writes nothing for a run without shares.
func WriteShares(w io.Writer, r *Run, markdown bool) error {
	if !HasShares(r) {
		return nil
	}
	head := []string{"scenario", "rep", "agent", "host", "conns", "requests", "req/s", "client cpu", "client-bound", "window"}
	var rows [][]string
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		for j := range sc.Samples {
			s := &sc.Samples[j]
			if len(s.Shares) == 0 {
				continue
			}
			name := sc.Key().String()
			for _, sh := range s.Shares {
				rows = append(rows, []string{name, strconv.Itoa(s.Rep), strconv.Itoa(sh.Agent), sh.Host, strconv.Itoa(sh.Conns),
					strconv.FormatInt(sh.Requests, 10), fmt.Sprintf("%.0f", sh.Throughput), fmt.Sprintf("%.0f%%", 100*sh.ClientUtil),
					yesNo(sh.ClientBound), shareWindow(sh)})
			}
			rows = append(rows, []string{name, strconv.Itoa(s.Rep), "all", "", strconv.Itoa(sc.Conns), strconv.FormatInt(s.Requests, 10),
				fmt.Sprintf("%.0f", s.Throughput), "", yesNo(s.ClientBound), fmt.Sprintf("common %.3gs", s.Duration)})
		}
	}
	if markdown {
		return writeMarkdownRows(w, head, rows)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nLoad agents (each agent over its own window; all: the merged figures over the common window)")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

func writeMarkdownRows(w io.Writer, head []string, rows [][]string) error {
	var b strings.Builder
	b.WriteString("\n**Load agents** (each agent over its own window; all: the merged figures over the common window)\n\n")
	b.WriteString("| " + strings.Join(head, " | ") + " |\n|" + strings.Repeat(" --- |", len(head)) + "\n")
	for _, row := range rows {
		esc := make([]string, len(row))
		for i, c := range row {
			esc[i] = mdReplacer.Replace(c)
		}
		b.WriteString("| " + strings.Join(esc, " | ") + " |\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// shareWindow describes an agent's measured window: its length, and how
// late it began or how early it ended.
func shareWindow(sh Share) string {
	s := fmt.Sprintf("%.3gs", sh.Duration)
	if sh.LateStart > 0 {
		s += fmt.Sprintf(", started %.3gs late", sh.LateStart)
	}
	if sh.EarlyEnd > 0 {
		s += fmt.Sprintf(", ended %.3gs early", sh.EarlyEnd)
	}
	return s
}
