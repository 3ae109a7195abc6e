package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gosocketserver/socketserver/results"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)

// minLoads is how many offered loads a workload needs for a latency
// against offered load chart.
const minLoads = 3

// loadGroup is a workload whose scenarios differ only in the offered load
// (the rate parameter): the x axis of a load chart.
type loadGroup struct{ workload, params, mode string }

// loadLine is one line of a load chart: a strategy at a connection count.
type loadLine struct {
	strategy string
	conns    int
}

// loadCharts draws, for every workload measured at minLoads or more offered
// loads (rate=R) with otherwise equal parameters, latency p50 and p99
// against the offered load: one line per strategy and connection count,
// medians with a bar from the smallest to the largest repetition, on a
// logarithmic latency axis. It shows the utilisation knee: latency flat
// while the load is well below capacity, then climbing.
func loadCharts(r *results.Run) ([]*Chart, error) {
	groups := map[loadGroup]map[loadLine]map[float64]*results.Scenario{}
	var order []loadGroup
	for i := range r.Scenarios {
		sc := &r.Scenarios[i]
		rate, err := strconv.ParseFloat(sc.Params["rate"], 64)
		if err != nil || !(rate > 0) {
			continue
		}
		rest := map[string]string{}
		for k, v := range sc.Params {
			if k != "rate" {
				rest[k] = v
			}
		}
		g := loadGroup{sc.Workload, results.Key{Params: paramsString(rest)}.Params, sc.Mode}
		if groups[g] == nil {
			groups[g] = map[loadLine]map[float64]*results.Scenario{}
			order = append(order, g)
		}
		l := loadLine{sc.Strategy, sc.Conns}
		if groups[g][l] == nil {
			groups[g][l] = map[float64]*results.Scenario{}
		}
		groups[g][l][rate] = sc
	}
	var charts []*Chart
	for _, g := range order {
		rates := loadRates(groups[g])
		if len(rates) < minLoads {
			continue
		}
		for _, name := range []string{"latency_p50", "latency_p99"} {
			m, _ := results.MetricByName(name)
			ch, err := loadChart(g, m, rates, groups[g])
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

// paramsString writes params as a Key writes them ("a=1,b=2", sorted).
func paramsString(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k+"="+p[k])
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

// loadRates lists the offered loads of a group, ascending.
func loadRates(lines map[loadLine]map[float64]*results.Scenario) []float64 {
	seen := map[float64]bool{}
	var rates []float64
	for _, byRate := range lines {
		for rate := range byRate {
			if !seen[rate] {
				seen[rate] = true
				rates = append(rates, rate)
			}
		}
	}
	sort.Float64s(rates)
	return rates
}

// loadSeries collects one series per line of the group, in strategy then
// connection order, with values in seconds divided by scale, and the
// smallest and largest values of any repetition.
func loadSeries(m results.Metric, scale float64, rates []float64, lines map[loadLine]map[float64]*results.Scenario) ([]series, float64, float64) {
	keys := make([]loadLine, 0, len(lines))
	for l := range lines {
		keys = append(keys, l)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].strategy != keys[j].strategy {
			return keys[i].strategy < keys[j].strategy
		}
		return keys[i].conns < keys[j].conns
	})
	var out []series
	lo, hi := math.Inf(1), 0.0
	for _, l := range keys {
		s := series{name: fmt.Sprintf("%s, %d conns", l.strategy, l.conns)}
		for _, rate := range rates {
			sc, ok := lines[l][rate]
			if !ok {
				continue
			}
			st := sc.Stat(m)
			if st.N() == 0 || !(st.Min > 0) {
				continue
			}
			pt := plotter.XY{X: rate, Y: st.Median / scale}
			s.xys = append(s.xys, pt)
			s.errs = append(s.errs, struct{ Low, High float64 }{(st.Median - st.Min) / scale, (st.Max - st.Median) / scale})
			lo, hi = math.Min(lo, st.Min/scale), math.Max(hi, st.Max/scale)
			if _, ok := sc.Warning(results.Starved); ok {
				s.starved = append(s.starved, pt)
			}
		}
		if len(s.xys) > 0 {
			out = append(out, s)
		}
	}
	return out, lo, hi
}

// loadChart draws metric m of one group against the offered load.
func loadChart(g loadGroup, m results.Metric, rates []float64, lines map[loadLine]map[float64]*results.Scenario) (*Chart, error) {
	var hiSeconds float64
	for _, byRate := range lines {
		for _, sc := range byRate {
			if st := sc.Stat(m); st.N() > 0 {
				hiSeconds = math.Max(hiSeconds, st.Max)
			}
		}
	}
	unit, scale := timeUnit(hiSeconds)
	ss, lo, hi := loadSeries(m, scale, rates, lines)
	if len(ss) == 0 {
		return nil, nil
	}
	label := group{g.workload, g.params, g.mode}.label()
	title := fmt.Sprintf("%s: %s against offered load", label, m.Label)
	p := newPlot(title)
	p.X.Label.Text = "offered load (req/s; points: medians; bars: smallest to largest repetition)"
	p.Y.Label.Text = fmt.Sprintf("%s (%s, log scale)", m.Label, unit)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	// The legend is below the axes (render): no head room needed.
	p.Y.Min, p.Y.Max = lo/1.25, hi*1.25
	pad := (rates[len(rates)-1] - rates[0]) * 0.05
	p.X.Min, p.X.Max = rates[0]-pad, rates[len(rates)-1]+pad
	var ticks []plot.Tick
	for _, rate := range rates {
		ticks = append(ticks, plot.Tick{Value: rate, Label: strconv.FormatFloat(rate, 'f', -1, 64)})
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	for i, s := range ss {
		if err := addSeries(p, i, s); err != nil {
			return nil, fmt.Errorf("chart %s: %w", title, err)
		}
	}
	name := slug(m.Name) + "-by-load-" + slug(strings.Join([]string{g.workload, g.params, g.mode}, "-"))
	return &Chart{Name: name, Title: title, plot: p}, nil
}
