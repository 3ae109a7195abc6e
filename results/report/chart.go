package report

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gosocketserver/socketserver/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Chart is one figure of a run, ready to render as PNG or SVG.
type Chart struct {
	// Name is a file-system-safe base name, e.g. "throughput-keepalive-closed".
	Name string
	// Title describes the chart, e.g. "keepalive (closed): throughput".
	Title string
	plot  *plot.Plot
}

// Chart sizes.
const (
	chartWidth  = 7 * vg.Inch
	chartHeight = 4 * vg.Inch
)

// Render encodes the chart as "png" or "svg".
func (c *Chart) Render(format string) ([]byte, error) {
	wt, err := c.plot.WriterTo(chartWidth, chartHeight, format)
	if err != nil {
		return nil, fmt.Errorf("render chart %s: %w", c.Name, err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render chart %s: %w", c.Name, err)
	}
	return buf.Bytes(), nil
}

// group is a workload with its params and mode: the lines of a chart share
// it, and conns varies along the x axis.
type group struct{ workload, params, mode string }

func (g group) label() string {
	k := results.Key{Workload: g.workload, Params: g.params, Mode: g.mode}
	s := k.WorkloadLabel()
	if g.mode != "" {
		s += " (" + g.mode + ")"
	}
	return s
}

// maxGroupSlug bounds a group's part of a chart's file name, so that
// every name fits a file system's 255-byte limit whatever the run's
// workload names are (a 300-byte one stopped the report halfway).
const maxGroupSlug = 80

// slug returns the group's part of its charts' file names: its slug, or,
// when longer than maxGroupSlug, the slug's start and a hash of the whole,
// which keeps distinct long names distinct.
func (g group) slug() string {
	s := slug(strings.Join([]string{g.workload, g.params, g.mode}, "-"))
	if len(s) <= maxGroupSlug {
		return s
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	return fmt.Sprintf("%s-%08x", strings.TrimRight(s[:maxGroupSlug-9], "-"), h.Sum32())
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// Charts draws r: per workload (with its params and mode), throughput,
// requests per server-CPU-second, CPU per request and memory per
// connection against connections with one line per strategy (medians),
// skipping metrics nothing measured; and per workload and connection count,
// latency percentile curves per strategy from the merged HDR histograms of
// the repetitions, on a logarithmic "nines" axis (50%, 90%, 99%, 99.9%...).
// Without histograms the curves use the recorded percentiles.
func Charts(r *results.Run) ([]*Chart, error) {
	var groups []group
	seen := map[group]bool{}
	for _, c := range r.Cells() {
		g := group{c.Workload, c.Params, c.Mode}
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	idx := r.ByKey()
	strategies := r.Strategies()
	var charts []*Chart
	for _, g := range groups {
		var conns []int
		for _, c := range r.Cells() {
			if (group{c.Workload, c.Params, c.Mode}) == g {
				conns = append(conns, c.Conns)
			}
		}
		for _, name := range []string{"throughput_rps", "requests_per_cpu_s", "cpu_per_request_us", "mem_per_conn_bytes"} {
			m, _ := results.MetricByName(name)
			ch, err := connsChart(g, m, conns, strategies, idx)
			if err != nil {
				return nil, err
			}
			if ch != nil {
				charts = append(charts, ch)
			}
		}
		for _, c := range conns {
			ch, err := latencyChart(g, c, strategies, idx)
			if err != nil {
				return nil, err
			}
			if ch != nil {
				charts = append(charts, ch)
			}
		}
	}
	return charts, nil
}

func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Legend.Top = true
	p.Legend.Left = false
	p.Add(plotter.NewGrid())
	return p
}

func connsChart(g group, m results.Metric, conns []int, strategies []string, idx map[results.Key]*results.Scenario) (*Chart, error) {
	title := fmt.Sprintf("%s: %s", g.label(), m.Label)
	p := newPlot(title)
	p.X.Label.Text = "connections"
	unit, scale := axisUnit(m, idx)
	p.Y.Label.Text = fmt.Sprintf("%s (%s, median)", m.Label, unit)
	p.Y.Min = 0
	var args []any
	var ymax float64
	for _, s := range strategies {
		var xys plotter.XYs
		var starvedAt []string
		for _, c := range conns {
			sc, ok := idx[results.Key{Strategy: s, Workload: g.workload, Params: g.params, Mode: g.mode, Conns: c}]
			if !ok {
				continue
			}
			if st := sc.Stat(m); st.N() > 0 {
				xys = append(xys, plotter.XY{X: float64(c), Y: st.Median / scale})
				ymax = math.Max(ymax, st.Median/scale)
				if _, ok := sc.Warning(results.Starved); ok {
					starvedAt = append(starvedAt, strconv.Itoa(c))
				}
			}
		}
		if len(xys) > 0 {
			name := s
			if len(starvedAt) > 0 {
				// A starving server's numbers are those of the few clients
				// it served: the legend must say so.
				name += " (starves clients at " + strings.Join(starvedAt, ", ") + ")"
			}
			args = append(args, name, xys)
		}
	}
	if len(args) == 0 {
		return nil, nil
	}
	// Head room for the legend (top left), and margins so that the first
	// and last tick labels are not clipped.
	p.Y.Max = ymax * 1.35
	p.Legend.Left = true
	lo, hi := float64(conns[0]), float64(conns[len(conns)-1])
	if conns[0] > 0 && len(conns) > 2 && hi/lo >= 8 {
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = lo/1.2, hi*1.2
	} else {
		pad := math.Max((hi-lo)*0.05, 0.5)
		p.X.Min, p.X.Max = lo-pad, hi+pad
	}
	var ticks []plot.Tick
	for _, c := range conns {
		ticks = append(ticks, plot.Tick{Value: float64(c), Label: strconv.Itoa(c)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	if err := plotutil.AddLinePoints(p, args...); err != nil {
		return nil, fmt.Errorf("chart %s: %w", title, err)
	}
	return &Chart{Name: slug(m.Name) + "-" + g.slug(), Title: title, plot: p}, nil
}

// axisUnit picks a display unit for a metric's axis from the largest
// value in the run.
func axisUnit(m results.Metric, idx map[results.Key]*results.Scenario) (string, float64) {
	var hi float64
	for _, sc := range idx {
		if st := sc.Stat(m); st.N() > 0 {
			hi = math.Max(hi, st.Max)
		}
	}
	switch m.Unit {
	case "s":
		return timeUnit(hi)
	case "B":
		switch {
		case hi >= 1<<30:
			return "GiB", 1 << 30
		case hi >= 1<<20:
			return "MiB", 1 << 20
		case hi >= 1<<10:
			return "KiB", 1 << 10
		}
		return "B", 1
	}
	switch {
	case hi >= 1e6:
		return "M " + m.Unit, 1e6
	case hi >= 1e3:
		return "k " + m.Unit, 1e3
	}
	return m.Unit, 1
}

func timeUnit(hiSeconds float64) (string, float64) {
	switch {
	case hiSeconds >= 1:
		return "s", 1
	case hiSeconds >= 1e-3:
		return "ms", 1e-3
	}
	return "µs", 1e-6
}

// nines are the x ticks of a latency chart: x = 1/(1-q).
var nines = []plot.Tick{
	{Value: 1, Label: "0%"}, {Value: 2, Label: "50%"}, {Value: 10, Label: "90%"},
	{Value: 100, Label: "99%"}, {Value: 1e3, Label: "99.9%"}, {Value: 1e4, Label: "99.99%"},
	{Value: 1e5, Label: "99.999%"}, {Value: 1e6, Label: "99.9999%"},
}

func latencyChart(g group, conns int, strategies []string, idx map[results.Key]*results.Scenario) (*Chart, error) {
	type curve struct {
		name string
		xys  plotter.XYs // x = 1/(1-q), y = µs
	}
	var curves []curve
	var hi float64
	for _, s := range strategies {
		sc, ok := idx[results.Key{Strategy: s, Workload: g.workload, Params: g.params, Mode: g.mode, Conns: conns}]
		if !ok {
			continue
		}
		xys, err := latencyCurve(sc)
		if err != nil {
			return nil, err
		}
		if len(xys) == 0 {
			continue
		}
		for _, p := range xys {
			hi = math.Max(hi, p.Y)
		}
		name := s
		if w, ok := sc.Warning(results.Starved); ok {
			name += " (" + w.String() + ": no latency)"
		}
		curves = append(curves, curve{name, xys})
	}
	if len(curves) == 0 {
		return nil, nil
	}
	unit, scale := timeUnit(hi * 1e-6)
	title := fmt.Sprintf("%s, %d conns: latency by percentile", g.label(), conns)
	p := newPlot(title)
	p.Legend.Left = true
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "latency (" + unit + ")"
	p.X.Scale = plot.LogScale{}
	p.Y.Min = 0
	var args []any
	xmax := 1.0
	for _, c := range curves {
		for i := range c.xys {
			c.xys[i].Y *= 1e-6 / scale
			xmax = math.Max(xmax, c.xys[i].X)
		}
		args = append(args, c.name, c.xys)
	}
	var ticks []plot.Tick
	for _, t := range nines {
		if t.Value <= xmax*1.0001 {
			ticks = append(ticks, t)
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	p.X.Min, p.X.Max = 1, xmax
	if err := plotutil.AddLines(p, args...); err != nil {
		return nil, fmt.Errorf("chart %s: %w", title, err)
	}
	return &Chart{Name: fmt.Sprintf("latency-%s-c%d", g.slug(), conns), Title: title, plot: p}, nil
}

// latencyCurve returns points (1/(1-q), latency µs) for sc: from the merged
// histogram, 20 points per decade of nines up to the resolution the count
// allows; otherwise from the median recorded percentiles.
func latencyCurve(sc *results.Scenario) (plotter.XYs, error) {
	h, err := sc.MergedHistogram()
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", sc.Key(), err)
	}
	var xys plotter.XYs
	if h != nil && h.TotalCount() > 0 {
		xmax := math.Min(1e6, float64(h.TotalCount()))
		for i := 0; ; i++ {
			x := math.Pow(10, float64(i)/20)
			if x > xmax {
				break
			}
			q := 100 * (1 - 1/x)
			xys = append(xys, plotter.XY{X: x, Y: float64(h.ValueAtPercentile(q))})
		}
		xys = append(xys, plotter.XY{X: xmax, Y: float64(h.Max())})
		return xys, nil
	}
	pts := []struct {
		x float64
		f func(*results.Sample) float64
	}{
		{2, func(s *results.Sample) float64 { return s.Latency.P50 }},
		{10, func(s *results.Sample) float64 { return s.Latency.P90 }},
		{100, func(s *results.Sample) float64 { return s.Latency.P99 }},
		{1000, func(s *results.Sample) float64 { return s.Latency.P999 }},
	}
	for _, pt := range pts {
		var vals []float64
		for i := range sc.Samples {
			if v := pt.f(&sc.Samples[i]); v > 0 {
				vals = append(vals, v)
			}
		}
		if len(vals) == 0 {
			continue
		}
		sort.Float64s(vals)
		xys = append(xys, plotter.XY{X: pt.x, Y: vals[len(vals)/2]})
	}
	return xys, nil
}
