package report

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/gosocketserver/socketserver/results"
)

// htmlData feeds htmlTemplate.
type htmlData struct {
	Title string
	// Recommendations are results.Recommend's paragraphs: the page
	// leads with them.
	Recommendations []string
	Wins            []htmlWin
	Env             [][2]string
	Config          [][2]string
	Warnings        []string
	Tables          []results.Table
	Notes           []results.Footnote // footnotes of the tables' cells
	Charts          []htmlChart
}

// htmlWin is one row of the page's first section: what won a cell, why.
type htmlWin struct {
	Workload, Mode string
	Conns          int
	Best           string // "none" when every target starved clients
	Reason         string
}

type htmlChart struct {
	Title string
	Name  string
	PNG   template.URL // data: URL
}

// WriteHTML writes a self-contained HTML page describing r: first the
// recommendation for each workload (results.Recommend), then what won
// each workload at each connection count and why (results.Wins: the best
// target that starved no client, with its margin), then environment,
// configuration, warnings, the tables of WriteTable and the given charts
// as inline base64 PNG images. The page references no external resource
// (no scripts, fonts, style sheets or images by URL).
func WriteHTML(w io.Writer, r *results.Run, charts []*Chart, opts results.TableOptions) error {
	e, c := r.Env, r.Config
	d := htmlData{
		Title: "sockbench report",
		Env: [][2]string{
			{"date", e.Date.UTC().Format("2006-01-02 15:04:05 MST")}, {"sockbench", e.ToolVersion}, {"commit", e.Commit},
			{"Go", e.GoVersion}, {"OS/arch", e.GOOS + "/" + e.GOARCH}, {"CPU", e.CPUModel},
			{"CPUs", fmt.Sprint(e.NumCPU)}, {"GOMAXPROCS", fmt.Sprint(e.GOMAXPROCS)}, {"kernel", e.Kernel}, {"host", e.Hostname},
		},
		Config: [][2]string{
			{"duration", c.Duration.String()}, {"warm-up", c.Warmup.String()}, {"repetitions", fmt.Sprint(c.Repetitions)},
			{"interleaved", fmt.Sprint(c.Interleaved)}, {"pinning", orDash(c.Pinning)}, {"command", strings.Join(c.Args, " ")},
		},
		Warnings: results.HeaderWarnings(r),
	}
	if e.Date.IsZero() {
		d.Env[0][1] = ""
	}
	for _, rc := range results.Recommend(r) {
		d.Recommendations = append(d.Recommendations, rc.Text())
	}
	for _, w := range results.Wins(r) {
		best := w.Best
		if best == "" {
			best = "none"
		}
		d.Wins = append(d.Wins, htmlWin{Workload: w.Cell.WorkloadLabel(), Mode: w.Cell.Mode, Conns: w.Cell.Conns, Best: best, Reason: w.Reason()})
	}
	d.Tables, d.Notes = results.Tables(r, opts)
	for _, ch := range charts {
		png, err := ch.Render("png")
		if err != nil {
			return fmt.Errorf("write html: %w", err)
		}
		d.Charts = append(d.Charts, htmlChart{Title: ch.Title, Name: ch.Name,
			PNG: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))})
	}
	if err := htmlTemplate().Execute(w, d); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

// htmlTemplate parses the page's template on first use, not at program
// start: the sockbench binary that links this package also serves, and
// serving must not pay for the report's initialisation.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(htmlPage))
})

// htmlPage is the page's template; it fetches nothing from elsewhere.
const htmlPage = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
h3 { font-size: 1em; margin: 1.5em 0 .4em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; }
th { background: #f4f4f4; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.best { background: #e6f4ea; font-weight: 600; }
table.kv th { width: 9em; }
.rec { background: #eef4ff; border-left: 4px solid #3060c0; padding: .5em .9em; margin: .5em 0; }
.warn { background: #fff4e5; border-left: 4px solid #f0a020; padding: .4em .8em; margin: .3em 0; }
.notes { font-size: .85em; color: #555; margin: .2em 0 1em; }
figure { margin: 1.5em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #555; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 2em; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{if .Recommendations}}<section id="recommendation"><h2>Recommendation</h2>
{{range .Recommendations}}<p class="rec">{{.}}</p>
{{end}}</section>
{{end}}{{if .Wins}}<section id="what-won"><h2>What won</h2>
<p>For each workload and connection count, the best target by its median among those that starved no client (a target that leaves clients unserved can look faster for it), and its margin over the runner-up.</p>
<table>
<tr><th>workload</th><th>mode</th><th>conns</th><th>winner</th><th>why</th></tr>
{{range .Wins}}<tr><td>{{.Workload}}</td><td>{{.Mode}}</td><td class="num">{{.Conns}}</td><td><b>{{.Best}}</b></td><td>{{.Reason}}</td></tr>
{{end}}</table></section>
{{end}}<div class="grid">
<section><h2>Environment</h2>
<table class="kv">{{range .Env}}{{if index . 1}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}{{end}}</table></section>
<section><h2>Configuration</h2>
<table class="kv">{{range .Config}}{{if index . 1}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}{{end}}</table></section>
</div>
{{range .Warnings}}<p class="warn">warning: {{.}}</p>
{{end}}
<h2>Results</h2>
<p>Each cell is the median over the repetitions, ± the furthest repetition from it. The best strategy of a row is highlighted and marked *.</p>
{{range .Tables}}<h3>{{.Title}}</h3>
<table>
<tr><th>workload</th><th>mode</th><th>conns</th>{{range .Strategies}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.Workload}}</td><td>{{.Mode}}</td><td class="num">{{.Conns}}{{.Marks}}</td>{{range .Cells}}<td class="num{{if .Best}} best{{end}}">{{.Text}}{{if .Best}} *{{end}}{{.Marks}}</td>{{end}}</tr>
{{end}}</table>
{{end}}
{{if .Notes}}<h3>Notes</h3>
<div class="notes">{{range .Notes}}<div>{{.Mark}} {{.Text}}</div>{{end}}</div>{{end}}
<h2>Charts</h2>
{{range .Charts}}<figure id="{{.Name}}"><img src="{{.PNG}}" alt="{{.Title}}" width="672" height="384"><figcaption>{{.Title}}</figcaption></figure>
{{end}}
</body>
</html>
`

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
