package results

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// TableOptions selects what the tables show.
type TableOptions struct {
	// Metrics are the metrics to tabulate, one table each; nil means
	// DefaultMetrics, in which case metrics nothing measured are left out
	// and the errors table appears only if some repetition had errors.
	Metrics []Metric
}

// metricTable is one metric across a run: rows are cells (workload,
// params, mode, conns), columns are strategies.
type metricTable struct {
	metric     Metric
	strategies []string
	rows       []tableRow
	reps       int // largest number of values in a cell
}

type tableRow struct {
	cell  Key
	stats []*Stat // per strategy; nil where the strategy has no scenario or no values
	notes [][]int // per strategy footnote numbers (into the run's notes)
	// rowNotes are the notes every strategy of the row shares (such as
	// "one connection measures the machine"): written once, beside conns,
	// instead of in every cell.
	rowNotes []int
	best     []bool
	// starved is true where the scenario left clients without any reply:
	// its numbers describe only the clients it served, so it is not
	// marked best while a strategy that served everybody has a value.
	starved []bool
}

// spreadSummary is one line saying how many scenarios of r vary across
// repetitions more than the harness accepts, or "" if none.
func spreadSummary(r *Run) string {
	n := 0
	for i := range r.Scenarios {
		// Every table cell shows the spread as its ±: tables leave
		// HighSpread out of their footnotes and count it here instead.
		if _, ok := r.Scenarios[i].Warning(HighSpread); ok {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	advice := "pin with --pin, measure longer (--duration) or more often (--reps)"
	if r.Config.Pinning != "" {
		advice = "measure longer (--duration), more often (--reps) or on a quieter machine"
	}
	return fmt.Sprintf("%d of %d scenarios vary across repetitions beyond the harness's limit (a large ± in the tables): %s before trusting small differences", n, len(r.Scenarios), advice)
}

// Cells returns the distinct cells of r (scenario keys without the
// strategy) in table order: workloads in first-seen order, then params,
// mode and conns ascending.
func (r *Run) Cells() []Key {
	order := map[string]int{}
	seen := map[Key]bool{}
	var cells []Key
	for i := range r.Scenarios {
		k := r.Scenarios[i].Key().Cell()
		if _, ok := order[k.Workload]; !ok {
			order[k.Workload] = len(order)
		}
		if !seen[k] {
			seen[k] = true
			cells = append(cells, k)
		}
	}
	sort.SliceStable(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		if order[a.Workload] != order[b.Workload] {
			return order[a.Workload] < order[b.Workload]
		}
		if a.Params != b.Params {
			return a.Params < b.Params
		}
		if a.Mode != b.Mode {
			return a.Mode < b.Mode
		}
		return a.Conns < b.Conns
	})
	return cells
}

// ByKey maps each scenario key of r to its scenario (the first, should a
// key repeat). The scenarios are r's own, not copies.
func (r *Run) ByKey() map[Key]*Scenario {
	m := make(map[Key]*Scenario, len(r.Scenarios))
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		if _, dup := m[sc.Key()]; !dup {
			m[sc.Key()] = sc
		}
	}
	return m
}

// buildTables builds one table per metric and the run's footnotes: the
// scenarios' warnings other than spread, numbered once for all tables.
func buildTables(r *Run, opts TableOptions) ([]*metricTable, []string) {
	ms := opts.Metrics
	auto := ms == nil
	if auto {
		ms = append(DefaultMetrics(), countedMetrics...) // unmeasured ones are left out
	}
	strategies := r.Strategies()
	cells := r.Cells()
	idx := r.ByKey()
	var out []*metricTable
	var notes []string
	noteIdx := map[string]int{}
	for _, m := range ms {
		t := &metricTable{metric: m, strategies: strategies}
		any, nonzero := false, false
		for _, c := range cells {
			row := tableRow{cell: c, stats: make([]*Stat, len(strategies)), notes: make([][]int, len(strategies)),
				best: make([]bool, len(strategies)), starved: make([]bool, len(strategies))}
			for j, s := range strategies {
				k := c
				k.Strategy = s
				sc, ok := idx[k]
				if !ok {
					continue
				}
				st := sc.Stat(m)
				if st.N() == 0 {
					continue
				}
				any = true
				if st.Max != 0 {
					nonzero = true
				}
				t.reps = max(t.reps, st.N())
				row.stats[j] = &st
				for _, w := range sc.Warnings {
					switch w.Kind {
					case Starved:
						row.starved[j] = true
					case HighSpread:
						continue
					}
					text := w.String()
					n, ok := noteIdx[text]
					if !ok {
						notes = append(notes, text)
						n = len(notes)
						noteIdx[text] = n
					}
					row.notes[j] = append(row.notes[j], n)
				}
			}
			markBest(&row, m)
			hoistRowNotes(&row)
			t.rows = append(t.rows, row)
		}
		if !any || (auto && m.Name == "errors" && !nonzero) {
			continue
		}
		out = append(out, t)
	}
	return out, notes
}

// markBest marks the strategies whose median is best in the row, if at
// least two strategies have values and they are not all equal. Strategies
// that starved clients compete only when every strategy of the row did.
func markBest(row *tableRow, m Metric) {
	allStarved := true
	for j, st := range row.stats {
		if st != nil && !row.starved[j] {
			allStarved = false
		}
	}
	eligible := func(j int) bool { return row.stats[j] != nil && (allStarved || !row.starved[j]) }
	bestV := math.NaN()
	total := 0
	for j, st := range row.stats {
		if st != nil {
			total++
		}
		if !eligible(j) {
			continue
		}
		if math.IsNaN(bestV) || (m.Better == HigherIsBetter && st.Median > bestV) || (m.Better == LowerIsBetter && st.Median < bestV) {
			bestV = st.Median
		}
	}
	if total < 2 {
		return
	}
	marked := 0
	for j, st := range row.stats {
		if eligible(j) && st.Median == bestV {
			row.best[j] = true
			marked++
		}
	}
	if marked == total { // all equal: nobody is best
		clear(row.best)
	}
}

// cellText formats a Stat as "13.2k ±2%" (no spread with one value).
func cellText(st *Stat) string {
	if st == nil {
		return "-"
	}
	s := st.Metric.Format(st.Median)
	if st.N() > 1 {
		s += fmt.Sprintf(" ±%.0f%%", 100*st.Spread)
	}
	return s
}

var superDigits = []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")

func superscript(n int) string {
	var b []rune
	for _, c := range fmt.Sprint(n) {
		b = append(b, superDigits[c-'0'])
	}
	return string(b)
}

func noteMarks(ns []int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, superscript(n))
	}
	return strings.Join(parts, "˒")
}

func (t *metricTable) title() string {
	m := t.metric
	unit := m.Unit
	if unit == "s" {
		unit = "time"
	} else if unit == "B" {
		unit = "bytes"
	}
	return fmt.Sprintf("%s (%s, %s is better; median ±spread over %d reps; * best)", m.Label, unit, m.Better, t.reps)
}

// WriteTable writes r as aligned plain-text tables for a terminal: a header
// describing the run, then one table per metric with a row per (workload,
// params, mode, conns) and a column per strategy. Each cell holds the median
// and the spread (±%, the furthest repetition from the median); '*' marks
// the best strategy of the row; superscripts refer to the scenarios'
// warnings, listed once after the last table.
func WriteTable(w io.Writer, r *Run, opts TableOptions) error {
	ew := &errWriter{w: w}
	writeHeader(ew, r, "")
	tables, notes := buildTables(r, opts)
	for _, t := range tables {
		fmt.Fprintf(ew, "\n%s\n", t.title())
		header := []string{"workload", "mode", "conns"}
		header = append(header, t.strategies...)
		rows := [][]string{header}
		marks := [][]string{make([]string, len(header))}
		for _, row := range t.rows {
			line := []string{row.cell.WorkloadLabel(), row.cell.Mode, fmt.Sprint(row.cell.Conns) + noteMarks(row.rowNotes)}
			mk := []string{"", "", ""}
			for j, st := range row.stats {
				line = append(line, cellText(st))
				m := "  "
				if row.best[j] {
					m = " *"
				}
				mk = append(mk, m+noteMarks(row.notes[j]))
			}
			rows = append(rows, line)
			marks = append(marks, mk)
		}
		writeAligned(ew, rows, marks, 3)
	}
	if len(notes) > 0 {
		fmt.Fprintf(ew, "\nnotes:\n")
		for i, n := range notes {
			fmt.Fprintf(ew, "%s %s\n", superscript(i+1), n)
		}
	}
	return ew.err
}

// writeAligned writes rows with columns separated by two spaces; the first
// left columns are left-aligned, the rest right-aligned with their marks
// (left-aligned) after them. It is not text/tabwriter because tabwriter's
// AlignRight applies to every column of a table, and these tables need
// names left-aligned beside right-aligned numbers.
func writeAligned(w io.Writer, rows, marks [][]string, left int) {
	ncol := len(rows[0])
	width := make([]int, ncol)
	mwidth := make([]int, ncol)
	for i, row := range rows {
		for j, c := range row {
			width[j] = max(width[j], utf8.RuneCountInString(c))
			mwidth[j] = max(mwidth[j], utf8.RuneCountInString(marks[i][j]))
		}
	}
	for i, row := range rows {
		var b strings.Builder
		for j, c := range row {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			if j < left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
				mk := marks[i][j]
				b.WriteString(mk + strings.Repeat(" ", mwidth[j]-utf8.RuneCountInString(mk)))
			}
			if j < ncol-1 {
				b.WriteString("  ")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// writeHeader describes the run's environment and configuration; prefix
// starts every line (e.g. "" or "> ").
func writeHeader(w io.Writer, r *Run, prefix string) {
	for _, l := range headerLines(r) {
		fmt.Fprintf(w, "%s%s\n", prefix, l)
	}
}

func headerLines(r *Run) []string {
	e, c := r.Env, r.Config
	var lines []string
	date := ""
	if !e.Date.IsZero() {
		date = e.Date.UTC().Format("2006-01-02 15:04 MST")
	}
	lines = append(lines, strings.Join(strings.Fields(fmt.Sprintf("sockbench %s run %s %s", e.ToolVersion, date, e.Commit)), " "))
	lines = append(lines, fmt.Sprintf("%s %s/%s, %s, %d CPUs, GOMAXPROCS %d, kernel %s", e.GoVersion, e.GOOS, e.GOARCH, orDash(e.CPUModel), e.NumCPU, e.GOMAXPROCS, orDash(e.Kernel)))
	cfg := fmt.Sprintf("%d repetitions of %s (warm-up %s)", c.Repetitions, c.Duration, c.Warmup)
	if c.Interleaved {
		cfg += ", strategies interleaved"
	}
	if c.Pinning != "" {
		cfg += ", pinned " + c.Pinning
	} else {
		cfg += ", unpinned"
	}
	if c.Backlog > 0 {
		cfg += fmt.Sprintf(", backlog %d", c.Backlog)
	}
	lines = append(lines, cfg)
	for _, wn := range HeaderWarnings(r) {
		lines = append(lines, "warning: "+wn)
	}
	return lines
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// hoistRowNotes moves the notes that every cell with a value carries (two
// cells or more) from the cells to the row.
func hoistRowNotes(row *tableRow) {
	var present [][]int
	for j, st := range row.stats {
		if st != nil {
			present = append(present, row.notes[j])
		}
	}
	if len(present) < 2 {
		return
	}
	for _, n := range present[0] {
		common := true
		for _, ns := range present[1:] {
			common = common && slices.Contains(ns, n)
		}
		if common {
			row.rowNotes = append(row.rowNotes, n)
		}
	}
	if len(row.rowNotes) == 0 {
		return
	}
	for j := range row.notes {
		row.notes[j] = slices.DeleteFunc(row.notes[j], func(n int) bool { return slices.Contains(row.rowNotes, n) })
	}
}

// WriteMarkdown writes r as Markdown: the run description as a quote, then
// one GitHub-flavoured table per metric, laid out as in WriteTable. Every
// string from the run is escaped, HTML included, so that a run file cannot
// inject markup into a page that renders the Markdown.
func WriteMarkdown(w io.Writer, r *Run, opts TableOptions) error {
	ew := &errWriter{w: w}
	for _, l := range headerLines(r) {
		fmt.Fprintf(ew, "> %s\n", mdEscape(l))
	}
	tables, notes := buildTables(r, opts)
	for _, t := range tables {
		fmt.Fprintf(ew, "\n#### %s\n\n", mdEscape(t.title()))
		fmt.Fprintf(ew, "| workload | mode | conns |")
		for _, s := range t.strategies {
			fmt.Fprintf(ew, " %s |", mdEscape(s))
		}
		fmt.Fprintf(ew, "\n|---|---|--:|%s\n", strings.Repeat("--:|", len(t.strategies)))
		for _, row := range t.rows {
			fmt.Fprintf(ew, "| %s | %s | %d%s |", mdEscape(row.cell.WorkloadLabel()), mdEscape(row.cell.Mode), row.cell.Conns, noteMarks(row.rowNotes))
			for j, st := range row.stats {
				c := mdEscape(cellText(st))
				if row.best[j] {
					c = "**" + c + "** \\*"
				}
				fmt.Fprintf(ew, " %s%s |", c, noteMarks(row.notes[j]))
			}
			fmt.Fprintln(ew)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(ew, "\nNotes:\n\n")
		for i, n := range notes {
			fmt.Fprintf(ew, "%s %s  \n", superscript(i+1), mdEscape(n))
		}
	}
	return ew.err
}

// mdReplacer escapes Markdown's table and emphasis characters and HTML
// (which Markdown renderers pass through): "&" first of all, so that an
// entity in the input shows as written.
var mdReplacer = strings.NewReplacer("&", "&amp;", "|", "\\|", "*", "\\*", "_", "\\_", "<", "&lt;", ">", "&gt;", "`", "\\`")

func mdEscape(s string) string { return mdReplacer.Replace(s) }

// errWriter remembers the first write error and drops later writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	if err != nil {
		e.err = err
	}
	return n, err
}
