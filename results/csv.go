package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvHeader names the columns of WriteCSV; sample columns use the Sample's
// JSON names.
var csvHeader = []string{
	"strategy", "workload", "params", "mode", "conns", "rep",
	"duration_s", "requests", "errors", "throughput_rps",
	"p50_us", "p90_us", "p99_us", "p999_us", "max_us", "mean_us",
	"server_cpu_s", "cpu_per_request_us", "requests_per_cpu_s", "peak_rss_bytes", "mem_per_conn_bytes",
	"goroutines", "ctx_switches", "fairness", "starved", "client_cpu_s", "client_bound",
	"target_rps", "achieved_rps", "max_send_lag_s", "late_sends", "warnings",
}

// csvText neutralises a text cell that a spreadsheet would run as a
// formula (one starting with =, +, -, @, a tab or a carriage return, as
// OWASP lists them) by prefixing a single quote, which spreadsheets show
// as text. Numeric cells are written as they are.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteCSV writes one row per sample (repetition) with every measured
// field, in the units of the JSON schema, after a header row. Params are
// "k=v,k=v" and warnings are joined with "; ". Text cells that a
// spreadsheet would run as a formula are neutralised (see csvText).
func WriteCSV(w io.Writer, r *Run) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	for si := range r.Scenarios {
		sc := &r.Scenarios[si]
		k := sc.Key()
		for _, s := range sc.Samples {
			l := s.Latency
			rec := []string{
				csvText(k.Strategy), csvText(k.Workload), csvText(k.Params), csvText(k.Mode), strconv.Itoa(k.Conns), strconv.Itoa(s.Rep),
				f(s.Duration), i(s.Requests), i(s.Errors), f(s.Throughput),
				f(l.P50), f(l.P90), f(l.P99), f(l.P999), f(l.Max), f(l.Mean),
				f(s.ServerCPU), f(s.CPUPerRequest), f(s.RequestsPerCPU), i(s.PeakRSS), i(s.MemPerConn),
				strconv.Itoa(s.Goroutines), i(s.CtxSwitches), f(s.Fairness), strconv.Itoa(s.Starved),
				f(s.ClientCPU), strconv.FormatBool(s.ClientBound),
				f(s.TargetRate), f(s.AchievedRate), f(s.MaxSendLag), i(s.LateSends),
				csvText(joinWarnings(sc.Warnings)),
			}
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("write csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
