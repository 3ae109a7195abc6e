package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"github.com/gosocketserver/socketserver/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// sloCharts draws, for every cell whose targets ran an SLO search, the
// latency the goal bounds against the offered rate of every step tried, a
// line per target, with the goal as a horizontal line: where a target's
// line crosses it is the highest rate it sustains.
func sloCharts(r *results.Run) ([]*Chart, error) {
	goal, err := results.ParseGoal(r.Config.Goal)
	if err != nil {
		return nil, nil // no goal, no search to draw
	}
	bound := results.Bound{Name: "p99"}
	for _, b := range goal.Bounds {
		if b.Name != "errors" {
			bound = b
			break
		}
	}
	idx := r.ByKey()
	var charts []*Chart
	for _, cell := range r.Cells() {
		var scs []*results.Scenario
		for _, s := range r.Strategies() {
			k := cell
			k.Strategy = s
			if sc, ok := idx[k]; ok && sc.SLO != nil && len(sc.SLO.Steps) > 0 {
				scs = append(scs, sc)
			}
		}
		if len(scs) == 0 {
			continue
		}
		ch, err := sloChart(cell, goal, bound, scs)
		if err != nil {
			return nil, err
		}
		if ch != nil {
			charts = append(charts, ch)
		}
	}
	return charts, nil
}

// sloChart draws one cell's search steps.
func sloChart(cell results.Key, goal results.Goal, b results.Bound, scs []*results.Scenario) (*Chart, error) {
	lo, hi := math.Inf(1), 0.0
	rlo, rhi := math.Inf(1), 0.0
	for _, sc := range scs {
		for _, st := range sc.SLO.Steps {
			if v := b.Seconds(st.Latency); v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
				rlo, rhi = math.Min(rlo, st.Rate), math.Max(rhi, st.Rate)
			}
		}
	}
	if hi == 0 || b.Limit == 0 && b.Name != "p99" {
		return nil, nil
	}
	hi = math.Max(hi, b.Limit)
	lo = math.Min(lo, math.Max(b.Limit, 1e-9))
	unit, scale := timeUnit(hi)
	title := fmt.Sprintf("%s conns=%d: %s against offered rate, searching %s", cell.WorkloadLabel(), cell.Conns, b.Name, goal)
	p := newPlot(title)
	p.X.Label.Text = "offered rate (req/s, log scale; open loop, latency from intended send times)"
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	p.X.Min, p.X.Max = rlo/1.3, rhi*1.3
	p.Y.Label.Text = fmt.Sprintf("%s (%s, log scale)", b.Name, unit)
	p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, logTicks{}
	p.Y.Min, p.Y.Max = lo/scale/1.25, hi/scale*1.25 // the legend is below the axes
	for i, sc := range scs {
		steps := append([]results.SLOStep(nil), sc.SLO.Steps...)
		sort.Slice(steps, func(a, c int) bool { return steps[a].Rate < steps[c].Rate })
		s := series{name: fmt.Sprintf("%s: %s", sc.Strategy, rateText(sc.SLO.Rate))}
		for _, st := range steps {
			if v := b.Seconds(st.Latency); v > 0 {
				pt := plotter.XY{X: st.Rate, Y: v / scale}
				s.xys = append(s.xys, pt)
				s.errs = append(s.errs, struct{ Low, High float64 }{})
				if !st.Met {
					s.starved = append(s.starved, pt)
				}
			}
		}
		if len(s.xys) == 0 {
			continue
		}
		if err := addSeries(p, i, s); err != nil {
			return nil, fmt.Errorf("chart %s: %w", title, err)
		}
	}
	if b.Limit > 0 {
		line, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: b.Limit / scale}, {X: p.X.Max, Y: b.Limit / scale}})
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", title, err)
		}
		line.Color, line.Width = color.Black, vg.Points(1.5)
		line.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(line)
		p.Legend.Add("goal "+b.String(), line)
	}
	key, err := plotter.NewScatter(plotter.XYs{{}})
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", title, err)
	}
	key.GlyphStyle = starvedGlyph(color.Black)
	p.Legend.Add("× = missed: latency, errors, a connection unanswered or the rate not kept up", key)
	name := "slo-" + slug(fmt.Sprintf("%s-%s-c%d", cell.WorkloadLabel(), cell.Mode, cell.Conns))
	return &Chart{Name: name, Title: title, plot: p}, nil
}

// rateText formats the highest rate found, "none" for 0.
func rateText(v float64) string {
	if v == 0 {
		return "no rate met the goal"
	}
	m, _ := results.MetricByName("throughput_rps")
	return "up to " + m.Format(v) + " req/s"
}
