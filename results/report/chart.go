package report

import (
	"fmt"
	"hash/fnv"
	"image/color"
	"math"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/gosocketserver/socketserver/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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

// Render encodes the chart as "png" or "svg". A chart the plotting
// library cannot draw is an error, never a panic.
func (c *Chart) Render(format string) (_ []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("render chart %s: %v", c.Name, v)
		}
	}()
	b, err := render(c.plot, format)
	if err != nil {
		return nil, fmt.Errorf("render chart %s: %w", c.Name, err)
	}
	return b, nil
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
// connection against connections (numeric axis, logarithmic when it spans
// a factor of 8 or more) with one line per strategy: the medians, an error
// bar from the smallest to the largest repetition, and a cross where the
// server starved clients (such a strategy's line is dashed), skipping
// metrics nothing measured; and per workload and connection count, latency
// percentile curves on a logarithmic "nines" axis (50%, 90%, 99%,
// 99.9%...) and a logarithmic latency axis, one line per repetition (not
// merged), from each repetition's HDR histogram or, without one, its
// recorded percentiles; and for a workload measured at several offered
// loads, latency against the load (see loadCharts); for a swept option,
// figures against the swept value (see sweepCharts); and for an SLO
// search, its steps against the goal (see sloCharts).
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
	byLoad, err := loadCharts(r)
	if err != nil {
		return nil, err
	}
	charts = append(charts, byLoad...)
	for _, more := range []func(*results.Run) ([]*Chart, error){sweepCharts, sloCharts} {
		cs, err := more(r)
		if err != nil {
			return nil, err
		}
		charts = append(charts, cs...)
	}
	return charts, nil
}

// maxTitle is the longest title, in bytes, that fits on one line of a
// chart; a longer latency chart title is broken in two.
const maxTitle = 80

func newPlot(title string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	useChartFont(p)
	p.Add(plotter.NewGrid())
	return p
}

func connsChart(g group, m results.Metric, conns []int, strategies []string, idx map[results.Key]*results.Scenario) (*Chart, error) {
	title := fmt.Sprintf("%s: %s", g.label(), m.Label)
	p := newPlot(title)
	p.X.Label.Text = "connections (points: medians; bars: smallest to largest repetition)"
	unit, scale := axisUnit(m, idx)
	p.Y.Label.Text = fmt.Sprintf("%s (%s)", m.Label, unit)
	p.Y.Min = 0
	ss, ymax := connsSeries(g, m, scale, conns, strategies, idx)
	if len(ss) == 0 {
		return nil, nil
	}
	// The legend is drawn below the axes (render): no head room needed.
	p.Y.Max = ymax * 1.05
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
	starving := false
	for i, s := range ss {
		if err := addSeries(p, i, s); err != nil {
			return nil, fmt.Errorf("chart %s: %w", title, err)
		}
		starving = starving || len(s.starved) > 0
	}
	if starving {
		// One legend entry explains the crosses of every strategy.
		key, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", title, err)
		}
		key.GlyphStyle = starvedGlyph(color.Black)
		p.Legend.Add("× = clients starved: the point describes only the clients served", key)
	}
	return &Chart{Name: slug(m.Name) + "-" + g.slug(), Title: title, plot: p}, nil
}

// series is one strategy's line on a connections chart: the medians, the
// distance from each median down to the smallest and up to the largest
// repetition, and the points where the server starved clients.
type series struct {
	name    string
	xys     plotter.XYs
	errs    plotter.YErrors
	starved plotter.XYs
}

// connsSeries collects one series per strategy that measured m (values
// divided by scale), and the largest value of any repetition.
func connsSeries(g group, m results.Metric, scale float64, conns []int, strategies []string, idx map[results.Key]*results.Scenario) ([]series, float64) {
	var out []series
	var ymax float64
	for _, s := range strategies {
		sr := series{name: s}
		var starvedAt []string
		for _, c := range conns {
			sc, ok := idx[results.Key{Strategy: s, Workload: g.workload, Params: g.params, Mode: g.mode, Conns: c}]
			if !ok {
				continue
			}
			st := sc.Stat(m)
			if st.N() == 0 {
				continue
			}
			pt := plotter.XY{X: float64(c), Y: st.Median / scale}
			sr.xys = append(sr.xys, pt)
			sr.errs = append(sr.errs, struct{ Low, High float64 }{(st.Median - st.Min) / scale, (st.Max - st.Median) / scale})
			ymax = math.Max(ymax, st.Max/scale)
			if _, ok := sc.Warning(results.Starved); ok {
				starvedAt = append(starvedAt, strconv.Itoa(c))
				sr.starved = append(sr.starved, pt)
			}
		}
		if len(sr.xys) == 0 {
			continue
		}
		if len(starvedAt) > 0 {
			// A starving server's numbers are those of the few clients
			// it served: the legend must say so.
			sr.name += " (starves clients at " + strings.Join(starvedAt, ", ") + ")"
		}
		out = append(out, sr)
	}
	return out, ymax
}

// addSeries draws s in the i-th colour: its median line and points, the
// range of its repetitions as error bars, and a large cross on every point
// where it starved clients. A strategy that starves anywhere is dashed.
func addSeries(p *plot.Plot, i int, s series) error {
	line, points, err := plotter.NewLinePoints(s.xys)
	if err != nil {
		return err
	}
	c := plotutil.Color(i)
	line.Color = c
	points.Color, points.Shape = c, seriesShapes[i%len(seriesShapes)]
	if len(s.starved) > 0 {
		line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	}
	bars, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{s.xys, s.errs})
	if err != nil {
		return err
	}
	bars.Color, bars.CapWidth = c, vg.Points(4)
	p.Add(bars, line, points)
	if len(s.starved) > 0 {
		crosses, err := plotter.NewScatter(s.starved)
		if err != nil {
			return err
		}
		crosses.GlyphStyle = starvedGlyph(c)
		p.Add(crosses)
	}
	p.Legend.Add(s.name, line, points)
	return nil
}

// seriesShapes are the strategies' point shapes: plotutil's, without the
// cross and the plus, which could be taken for starvedGlyph.
var seriesShapes = []draw.GlyphDrawer{
	draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
	draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{},
}

// faint is c mixed three parts in four with white: a starving server's
// latency lines, drawn so they cannot be read as the best.
func faint(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	mix := func(v uint32) uint8 { return uint8((v>>8 + 3*255) / 4) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 255}
}

// starvedGlyph marks a point measured while clients were starved.
func starvedGlyph(c color.Color) draw.GlyphStyle {
	return draw.GlyphStyle{Color: c, Radius: vg.Points(6), Shape: draw.CrossGlyph{}}
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
		name    string
		reps    []plotter.XYs // one per repetition: x = 1/(1-q), y = µs
		starved bool          // the lines describe only the clients served
	}
	var curves []curve
	lo, hi := math.Inf(1), 0.0
	for _, s := range strategies {
		sc, ok := idx[results.Key{Strategy: s, Workload: g.workload, Params: g.params, Mode: g.mode, Conns: conns}]
		if !ok {
			continue
		}
		reps, err := latencyCurves(sc)
		if err != nil {
			return nil, err
		}
		if len(reps) == 0 {
			continue
		}
		for _, xys := range reps {
			for _, p := range xys {
				lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
			}
		}
		name := s
		w, starved := sc.Warning(results.Starved)
		if starved {
			// The starved clients have no latency at all: the lines
			// are those of the few served, not a fast server.
			name += fmt.Sprintf(" (%s: faint lines, only the %d served)", w.String(), conns-w.Clients)
		}
		curves = append(curves, curve{name, reps, starved})
	}
	if len(curves) == 0 {
		return nil, nil
	}
	unit, scale := timeUnit(hi * 1e-6)
	title := fmt.Sprintf("%s, %d conns: latency by percentile, one line per repetition", g.label(), conns)
	p := newPlot(title)
	if len(title) > maxTitle {
		p.Title.Text = fmt.Sprintf("%s, %d conns:\nlatency by percentile, one line per repetition", g.label(), conns)
	}
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "latency (" + unit + ", log scale)"
	p.X.Scale = plot.LogScale{}
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	// Log axes need positive bounds; the legend is below the axes.
	p.Y.Min, p.Y.Max = lo*1e-6/scale/1.25, hi*1e-6/scale*1.25
	xmax := 1.0
	for i, c := range curves {
		for j, xys := range c.reps {
			for k := range xys {
				xys[k].Y *= 1e-6 / scale
				xmax = math.Max(xmax, xys[k].X)
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("chart %s: %w", title, err)
			}
			l.Color, l.Dashes = plotutil.Color(i), plotutil.Dashes(i)
			if c.starved {
				l.Color, l.Width = faint(l.Color), l.Width/2
			}
			p.Add(l)
			if j == 0 {
				p.Legend.Add(c.name, l)
			}
		}
	}
	var ticks []plot.Tick
	for _, t := range nines {
		if t.Value <= xmax*1.0001 {
			ticks = append(ticks, t)
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	// A single latency (one request) puts every point at x = 1; a log axis
	// from 1 to 1 would be widened by the plotting library to [0, 2].
	p.X.Min, p.X.Max = 1, math.Max(xmax, 2)
	return &Chart{Name: fmt.Sprintf("latency-%s-c%d", g.slug(), conns), Title: title, plot: p}, nil
}

// logTicks marks a logarithmic axis at 1, 2 and 5 times the powers of ten
// (labelled) and at the other integer multiples (unlabelled), so that a
// range narrower than a decade still has labels.
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	if !(min > 0) || !(max >= min) {
		return ticks
	}
	for e := math.Floor(math.Log10(min)); math.Pow(10, e) <= max; e++ {
		for m := 1.0; m < 10; m++ {
			v := m * math.Pow(10, e)
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
				t.Label = strconv.FormatFloat(r, 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// latencyCurves returns, for every repetition of sc, points
// (1/(1-q), latency µs) with positive latencies: from the repetition's
// histogram, 20 points per decade of nines up to the resolution its count
// allows; otherwise from its recorded percentiles. Repetitions are not
// merged, so that one bad repetition shows as one line instead of
// dominating a merged tail.
func latencyCurves(sc *results.Scenario) ([]plotter.XYs, error) {
	var out []plotter.XYs
	for i := range sc.Samples {
		smp := &sc.Samples[i]
		var xys plotter.XYs
		if smp.Histogram != nil && smp.Histogram.TotalCount() > 0 {
			if err := smp.Histogram.Validate(); err != nil {
				return nil, fmt.Errorf("chart %s: repetition %d: %w", sc.Key(), smp.Rep, err)
			}
			xys = histogramCurve(smp.Histogram.HDR())
		} else {
			for _, pt := range []struct{ x, y float64 }{
				{2, smp.Latency.P50}, {10, smp.Latency.P90}, {100, smp.Latency.P99}, {1000, smp.Latency.P999},
			} {
				if pt.y > 0 {
					xys = append(xys, plotter.XY{X: pt.x, Y: pt.y})
				}
			}
		}
		if len(xys) > 0 {
			out = append(out, xys)
		}
	}
	return out, nil
}

// histogramCurve samples h at 20 points per decade of nines, up to what
// its count resolves, and ends at its maximum; zero latencies are left
// out (the axis is logarithmic).
func histogramCurve(h *hdrhistogram.Histogram) plotter.XYs {
	var xys plotter.XYs
	xmax := math.Min(1e6, float64(h.TotalCount()))
	for i := 0; ; i++ {
		x := math.Pow(10, float64(i)/20)
		if x > xmax {
			break
		}
		if v := float64(h.ValueAtPercentile(100 * (1 - 1/x))); v > 0 {
			xys = append(xys, plotter.XY{X: x, Y: v})
		}
	}
	if v := float64(h.Max()); v > 0 {
		xys = append(xys, plotter.XY{X: xmax, Y: v})
	}
	return xys
}
