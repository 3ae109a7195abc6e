package results

// Table is one metric across a run as WriteTable lays it out, for views
// that draw tables themselves (an HTML page): a row per cell (workload,
// params, mode, conns), a column per strategy.
type Table struct {
	// Title names the metric, its unit and direction and the repetitions,
	// e.g. "throughput (req/s, higher is better; median ±spread over 5
	// reps; * best)".
	Title      string
	Strategies []string
	Rows       []TableRow
}

// TableRow is one cell of the matrix across strategies.
type TableRow struct {
	// Workload is the workload with its params, e.g. "echo[size=1024]".
	Workload string
	Mode     string
	Conns    int
	// Marks are the footnote marks every cell of the row shares (e.g.
	// "one connection measures the machine"), shown once beside Conns
	// and left out of the cells' Marks.
	Marks string
	// Cells holds one entry per strategy, in Table.Strategies' order.
	Cells []TableCell
}

// TableCell is one strategy's value in a row.
type TableCell struct {
	// Text is the median and spread, e.g. "13.2k ±2%", or "-" where the
	// strategy has no value.
	Text string
	// Best marks the best median of the row.
	Best bool
	// Marks are the superscript footnote marks, e.g. "¹˒³", referring to
	// the notes Tables returns.
	Marks string
}

// Footnote is a scenario warning the tables refer to, with its mark.
type Footnote struct {
	Mark string // superscript number, e.g. "³"
	Text string
}

// Tables returns the tables WriteTable writes for r and their footnotes:
// the scenarios' warnings other than HighSpread (which every cell shows as
// its ±), each numbered once for all tables.
func Tables(r *Run, opts TableOptions) ([]Table, []Footnote) {
	tables, notes := buildTables(r, opts)
	out := make([]Table, 0, len(tables))
	for _, t := range tables {
		tt := Table{Title: t.title(), Strategies: t.strategies}
		for _, row := range t.rows {
			tr := TableRow{Workload: row.cell.WorkloadLabel(), Mode: row.cell.Mode, Conns: row.cell.Conns, Marks: noteMarks(row.rowNotes)}
			for j, st := range row.stats {
				tr.Cells = append(tr.Cells, TableCell{Text: cellText(st), Best: row.best[j], Marks: noteMarks(row.notes[j])})
			}
			tt.Rows = append(tt.Rows, tr)
		}
		out = append(out, tt)
	}
	fns := make([]Footnote, len(notes))
	for i, n := range notes {
		fns[i] = Footnote{Mark: superscript(i + 1), Text: n}
	}
	return out, fns
}

// HeaderWarnings returns the warnings the tables print above themselves:
// the run's own, then one line counting the scenarios whose repetitions
// vary more than the harness accepts, if any do.
func HeaderWarnings(r *Run) []string {
	ws := append([]string(nil), r.Warnings...)
	if s := spreadSummary(r); s != "" {
		ws = append(ws, s)
	}
	return ws
}
