package results

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// BenchName is the base name of every benchmark line WriteBench writes.
const BenchName = "BenchmarkServe"

// StarvedUnit is the benchmark-format unit of the clients a repetition
// left without any reply (Sample.Starved). Every line carries it, zero
// included, so that benchstat prints it beside the figures it qualifies: a
// pool that looks faster while it starves clients shows it there.
const StarvedUnit = "starved-clients"

// WriteBench writes r in the Go benchmark format read by benchstat and
// golang.org/x/perf/benchfmt: configuration lines (goos, goarch, cpu, ...),
// "Unit UNIT Better=higher|lower" metadata lines, then one line per
// repetition:
//
//	BenchmarkServe/strategy=pool:workers=8,queue=64/workload=keepalive/mode=closed/conns=64-2 500000 1.3e+05 req/cpu-sec ...
//
// The iteration count is the number of requests; values are in base units
// (seconds, bytes); each line ends with the starved clients (StarvedUnit).
// Name values are escaped with EscapeNameValue, so
// "benchstat -col /strategy FILE" compares strategies directly. The
// "-N" suffix is GOMAXPROCS, as "go test" writes it (omitted when 1).
func WriteBench(w io.Writer, r *Run) error {
	ew := &errWriter{w: w}
	e := r.Env
	cfg := [][2]string{
		{"goos", e.GOOS}, {"goarch", e.GOARCH}, {"cpu", e.CPUModel},
		{"go", e.GoVersion}, {"kernel", e.Kernel}, {"commit", e.Commit},
		{"sockbench", e.ToolVersion}, {"pinning", r.Config.Pinning},
	}
	if !e.Date.IsZero() {
		cfg = append(cfg, [2]string{"date", e.Date.UTC().Format("2006-01-02T15:04:05Z")})
	}
	for _, kv := range cfg {
		if v := configValue(kv[1]); v != "" {
			fmt.Fprintf(ew, "%s: %s\n", kv[0], v)
		}
	}
	ms := Metrics()
	for _, m := range ms {
		fmt.Fprintf(ew, "Unit %s Better=%s\n", m.BenchUnit, m.Better)
	}
	fmt.Fprintf(ew, "Unit %s Better=%s\n", StarvedUnit, LowerIsBetter)
	fmt.Fprintln(ew)
	suffix := ""
	if e.GOMAXPROCS > 1 {
		suffix = "-" + strconv.Itoa(e.GOMAXPROCS)
	}
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		name := BenchName + benchSubName(sc) + suffix
		for j := range sc.Samples {
			s := &sc.Samples[j]
			var b strings.Builder
			b.WriteString(name)
			fmt.Fprintf(&b, " %d", max(s.Requests, 1))
			n := 0
			for _, m := range ms {
				if v, ok := m.Value(s); ok {
					fmt.Fprintf(&b, " %s %s", strconv.FormatFloat(v, 'g', 6, 64), m.BenchUnit)
					n++
				}
			}
			if n == 0 {
				continue // benchfmt needs at least one value
			}
			fmt.Fprintf(&b, " %d %s", s.Starved, StarvedUnit)
			fmt.Fprintln(ew, b.String())
		}
	}
	return ew.err
}

// benchSubName returns "/strategy=S/workload=W[/params...]/mode=M/conns=N";
// conns comes last so a value can never look like a "-N" GOMAXPROCS suffix.
func benchSubName(sc *Scenario) string {
	var b strings.Builder
	part := func(k, v string) {
		if v == "" {
			return
		}
		b.WriteString("/" + k + "=" + EscapeNameValue(v))
	}
	part("strategy", sc.Strategy)
	part("workload", sc.Workload)
	k := sc.Key()
	part("params", k.Params)
	part("mode", sc.Mode)
	part("conns", strconv.Itoa(sc.Conns))
	return b.String()
}

// EscapeNameValue makes v safe as the value of a "/key=value" part of a Go
// benchmark name. ':', ',' and '=' are kept (benchfmt splits parts at '/'
// and keys at the first '=' only, so "pool:workers=8,queue=64" reads back
// unchanged); '%', '/', whitespace and control characters are
// percent-encoded (%25, %2F, %20...). UnescapeNameValue reverses it.
func EscapeNameValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '%' || c == '/' || c <= ' ' || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// UnescapeNameValue reverses EscapeNameValue.
func UnescapeNameValue(v string) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			b.WriteByte(v[i])
			continue
		}
		if i+2 >= len(v) {
			return "", fmt.Errorf("unescape %q: truncated escape at byte %d", v, i)
		}
		n, err := strconv.ParseUint(v[i+1:i+3], 16, 8)
		if err != nil {
			return "", fmt.Errorf("unescape %q: bad escape at byte %d", v, i)
		}
		b.WriteByte(byte(n))
		i += 2
	}
	return b.String(), nil
}

// configValue keeps a configuration value on one line.
func configValue(v string) string {
	return strings.Join(strings.Fields(v), " ")
}
