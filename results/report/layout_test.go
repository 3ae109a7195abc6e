package report

import (
	"fmt"
	"image/color"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestLegendNeverCoversData lays out every chart of a run and requires
// the legend's band and the data area to be disjoint, and the data area to
// start right under the title (no band of empty space, as gonum/plot
// leaves on a log axis with a label).
func TestLegendNeverCoversData(t *testing.T) {
	charts, err := Charts(threeReps())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		t.Run(c.Name, func(t *testing.T) {
			lh := legendHeight(c.plot)
			if lh <= 0 {
				t.Fatal("chart has no legend")
			}
			cv := draw.New(vgimg.New(chartWidth, chartHeight+lh))
			l := layout(c.plot, cv)
			body := *c.plot
			body.X.Label.Text, body.Y.Label.Text = "", "" // as drawBody lays out log axes
			data := body.DataCanvas(l.plot)
			if l.legend.Max.Y > data.Min.Y {
				t.Errorf("legend band %v overlaps the data area %v", l.legend.Rectangle, data.Rectangle)
			}
			if gap := l.plot.Max.Y - data.Max.Y; gap > 3*vg.Centimeter/2 {
				t.Errorf("%.0f pt between the canvas top and the data area: more than a title", gap.Points())
			}
		})
	}
}

// TestChartsUseOneSansSerifFont renders a chart and finds only the chart
// font in it.
func TestChartsUseOneSansSerifFont(t *testing.T) {
	charts, err := Charts(threeReps())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		svg, err := c.Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		s := string(svg)
		if strings.Contains(s, "Serif") || !strings.Contains(s, "font-family:Liberation Sans") {
			t.Errorf("%s: want every text in Liberation Sans", c.Name)
		}
	}
}

// TestStarvingLatencyIsFaint checks that a strategy that starved clients
// has its latency lines drawn faint and labelled as the served few.
func TestStarvingLatencyIsFaint(t *testing.T) {
	r := threeReps()
	r.Scenarios[1].Samples[0].Histogram = nil
	charts, err := Charts(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		if c.Name != "latency-keepalive-closed-c16" {
			continue
		}
		svg, err := c.Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(svg), "faint lines, only the 4 served") {
			t.Errorf("latency chart at 16 does not say the lines are the 4 clients served")
		}
		r, g, b, _ := faint(plotutil.Color(0)).RGBA()
		if want := fmt.Sprintf("stroke:#%02X%02X%02X", r>>8, g>>8, b>>8); !strings.Contains(string(svg), want) {
			t.Errorf("latency chart has no line drawn faint (%s)", want)
		}
		if !isFaint(faint(plotutil.Color(0))) {
			t.Errorf("faint(%v) = %v is not faint", plotutil.Color(0), faint(plotutil.Color(0)))
		}
		return
	}
	t.Fatalf("no latency chart at 16 connections in %v", names(charts))
}

func isFaint(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return min(r, g, b) >= 0xb000
}
