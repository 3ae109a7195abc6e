package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chartFont is the typeface of every chart's text: a sans-serif, as the
// HTML report around the charts (gonum/plot's default is a serif).
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// useChartFont sets every text style of p to chartFont, keeping sizes.
func useChartFont(p *plot.Plot) {
	for _, sty := range []*font.Font{
		&p.Title.TextStyle.Font,
		&p.X.Label.TextStyle.Font, &p.X.Tick.Label.Font,
		&p.Y.Label.TextStyle.Font, &p.Y.Tick.Label.Font,
		&p.Legend.TextStyle.Font,
	} {
		sty.Typeface, sty.Variant = chartFont.Typeface, chartFont.Variant
	}
}

// legendGap is the space between the x axis and the legend below it, and
// below the legend.
const legendGap = 6 * vg.Millimeter / 2

// legendIndent aligns the legend with the data area's left edge, roughly
// (the y axis's labels take about this much).
const legendIndent = 12 * vg.Millimeter

// chartLayout is where a chart of the plot p is drawn on a canvas of
// chartWidth by its height: the plot (axes and data) on top, its legend
// in a band below the x axis, so that the legend never covers data.
type chartLayout struct {
	height         vg.Length // the whole canvas
	plot, legend   draw.Canvas
	legendDrawable plot.Legend
}

// layout places p and its legend on c, a canvas of chartWidth by
// legendHeight(p)+chartHeight.
func layout(p *plot.Plot, c draw.Canvas) chartLayout {
	lh := legendHeight(p)
	l := chartLayout{height: c.Max.Y - c.Min.Y, legendDrawable: p.Legend}
	l.plot = draw.Crop(c, 0, 0, lh, 0)
	l.legend = draw.Crop(c, legendIndent, 0, legendGap, -(l.height - lh + legendGap))
	l.legendDrawable.Top, l.legendDrawable.Left = true, true
	l.legendDrawable.XOffs, l.legendDrawable.YOffs = 0, 0
	return l
}

// legendHeight is the height of the band below the plot that p's legend
// needs, 0 without a legend.
func legendHeight(p *plot.Plot) vg.Length {
	r := p.Legend.Rectangle(draw.Canvas{})
	h := r.Max.Y - r.Min.Y
	if h <= 0 {
		return 0
	}
	return h + 2*legendGap
}

// drawBody draws p on c. On a logarithmic axis it draws the axis label
// itself: gonum/plot reserves room for that label around the data value
// halfway between the axis's ends, which on a log scale sits near one end,
// and so leaves a band of empty space beside the data (or clips the label).
func drawBody(p *plot.Plot, c draw.Canvas) {
	area := c
	if _, log := p.X.Scale.(plot.LogScale); log && p.X.Label.Text != "" {
		label := p.X.Label
		p.X.Label.Text = ""
		area = draw.Crop(area, 0, 0, label.TextStyle.Height(label.Text)+label.Padding, 0)
		defer func() {
			data := p.DataCanvas(area)
			sty := label.TextStyle
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
			c.FillText(sty, vg.Point{X: (data.Min.X + data.Max.X) / 2, Y: c.Min.Y}, label.Text)
		}()
	}
	if _, log := p.Y.Scale.(plot.LogScale); log && p.Y.Label.Text != "" {
		label := p.Y.Label
		p.Y.Label.Text = ""
		area = draw.Crop(area, label.TextStyle.Height(label.Text)+label.Padding, 0, 0, 0)
		data := p.DataCanvas(area)
		sty := label.TextStyle
		sty.Rotation += math.Pi / 2
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: c.Min.X, Y: (data.Min.Y + data.Max.Y) / 2}, label.Text)
	}
	p.Draw(area)
}

// render draws p, legend below, in format ("png" or "svg").
func render(p *plot.Plot, format string) ([]byte, error) {
	lh := legendHeight(p)
	cw, err := draw.NewFormattedCanvas(chartWidth, chartHeight+lh, format)
	if err != nil {
		return nil, err
	}
	c := draw.New(cw)
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	l := layout(p, c)
	body := *p
	body.Legend = plot.NewLegend() // drawn below instead
	drawBody(&body, l.plot)
	l.legendDrawable.Draw(l.legend)
	var buf bytes.Buffer
	if _, err := cw.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode %s: %w", format, err)
	}
	return buf.Bytes(), nil
}
