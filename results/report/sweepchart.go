package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gosocketserver/socketserver/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// sweepKey is one swept spec under one workload: the curves of a sweep
// chart share it, and the swept value varies along the x axis.
type sweepKey struct {
	spec, option string
	g            group
}

// sweepMetrics are the figures drawn against a swept value.
var sweepMetrics = []string{"throughput_rps", "latency_p99", "cpu_per_request_us"}

// sweepCharts draws, for every swept spec (see results.SweepPoint) and
// workload, throughput, p99 latency and server CPU per request against the
// swept value, one line per connection count (medians, bars from the
// smallest to the largest repetition, crosses where clients starved), and,
// when the run searched a goal, the highest rate meeting it.
func sweepCharts(r *results.Run) ([]*Chart, error) {
	groups := map[sweepKey][]*results.Scenario{}
	var order []sweepKey
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		if sc.Sweep == nil {
			continue
		}
		k := sweepKey{sc.Sweep.Spec, sc.Sweep.Option, group{sc.Workload, sc.Key().Params, sc.Mode}}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], sc)
	}
	var charts []*Chart
	for _, k := range order {
		scs := groups[k]
		for _, name := range sweepMetrics {
			m, _ := results.MetricByName(name)
			ch, err := sweepChart(k, m.Label, m.Unit, m.Name, scs, func(sc *results.Scenario) (results.Stat, bool) {
				st := sc.Stat(m)
				return st, st.N() > 0
			})
			if err != nil {
				return nil, err
			}
			if ch != nil {
				charts = append(charts, ch)
			}
		}
		ch, err := sweepChart(k, "highest rate meeting "+r.Config.Goal, "req/s", "slo_rate", scs, func(sc *results.Scenario) (results.Stat, bool) {
			if sc.SLO == nil || sc.SLO.Rate == 0 {
				return results.Stat{}, false
			}
			v := sc.SLO.Rate
			return results.Stat{Median: v, Min: v, Max: v}, true
		})
		if err != nil {
			return nil, err
		}
		if ch != nil {
			charts = append(charts, ch)
		}
	}
	return charts, nil
}

// sweepChart draws one figure of a sweep: value(sc) against the swept
// value, a line per connection count; nil when fewer than two points.
func sweepChart(k sweepKey, label, unit, name string, scs []*results.Scenario, value func(*results.Scenario) (results.Stat, bool)) (*Chart, error) {
	byConns := map[int][]*results.Scenario{}
	var conns []int
	for _, sc := range scs {
		if _, ok := byConns[sc.Conns]; !ok {
			conns = append(conns, sc.Conns)
		}
		byConns[sc.Conns] = append(byConns[sc.Conns], sc)
	}
	sort.Ints(conns)
	var hi float64
	for _, sc := range scs {
		if st, ok := value(sc); ok {
			hi = math.Max(hi, st.Max)
		}
	}
	scale, unitText := 1.0, unit
	if unit == "s" {
		unitText, scale = timeUnit(hi)
	} else if hi >= 1e3 {
		unitText, scale = "k "+unit, 1e3
	}
	var ss []series
	xlo, xhi, ymax := math.Inf(1), math.Inf(-1), 0.0
	for _, c := range conns {
		g := byConns[c]
		sort.Slice(g, func(i, j int) bool { return g[i].Sweep.X < g[j].Sweep.X })
		s := series{name: fmt.Sprintf("%d conns", c)}
		for _, sc := range g {
			st, ok := value(sc)
			if !ok {
				continue
			}
			pt := plotter.XY{X: sc.Sweep.X, Y: st.Median / scale}
			s.xys = append(s.xys, pt)
			s.errs = append(s.errs, struct{ Low, High float64 }{(st.Median - st.Min) / scale, (st.Max - st.Median) / scale})
			xlo, xhi, ymax = math.Min(xlo, pt.X), math.Max(xhi, pt.X), math.Max(ymax, st.Max/scale)
			if sc.StarvedClients() > 0 {
				s.starved = append(s.starved, pt)
			}
		}
		if len(s.xys) > 0 {
			ss = append(ss, s)
		}
	}
	n := 0
	for _, s := range ss {
		n = max(n, len(s.xys))
	}
	if n < 2 {
		return nil, nil
	}
	title := fmt.Sprintf("%s: %s against %s", k.g.label(), label, k.spec)
	p := newPlot(title)
	p.X.Label.Text = fmt.Sprintf("%s (points: medians; bars: smallest to largest repetition; ×: clients starved)", k.option)
	p.Y.Label.Text = fmt.Sprintf("%s (%s)", label, unitText)
	p.Y.Min, p.Y.Max = 0, ymax*1.05 // the legend is below the axes
	if xlo > 0 && xhi/xlo >= 8 {
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = xlo/1.2, xhi*1.2
	} else {
		pad := math.Max((xhi-xlo)*0.05, 0.5)
		p.X.Min, p.X.Max = xlo-pad, xhi+pad
	}
	p.X.Tick.Marker = plot.ConstantTicks(sweepTicks(scs))
	for i, s := range ss {
		if err := addSeries(p, i, s); err != nil {
			return nil, fmt.Errorf("chart %s: %w", title, err)
		}
	}
	chartName := slug(name) + "-sweep-" + slug(strings.Join([]string{k.spec, k.g.workload, k.g.params, k.g.mode}, "-"))
	return &Chart{Name: chartName, Title: title, plot: p}, nil
}

// sweepTicks labels the x axis with the swept values as written.
func sweepTicks(scs []*results.Scenario) []plot.Tick {
	seen := map[float64]bool{}
	var ticks []plot.Tick
	for _, sc := range scs {
		if !seen[sc.Sweep.X] {
			seen[sc.Sweep.X] = true
			ticks = append(ticks, plot.Tick{Value: sc.Sweep.X, Label: sc.Sweep.Value})
		}
	}
	sort.Slice(ticks, func(i, j int) bool { return ticks[i].Value < ticks[j].Value })
	return ticks
}
