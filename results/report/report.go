package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gosocketserver/socketserver/results"
)

// Formats are the formats Write knows, in the order it writes
// them: "txt" (table.txt), "md" (table.md), "csv" (run.csv), "bench"
// (bench.txt, Go benchmark format), "json" (run.json), "png" and "svg" (one
// file per chart) and "html" (report.html, self-contained).
var Formats = []string{"txt", "md", "csv", "bench", "json", "png", "svg", "html"}

// ParseFormats parses a comma-separated list of report formats (see Formats); an empty
// list means every format. It accepts "table" for "txt" and "markdown" for
// "md".
func ParseFormats(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return append([]string(nil), Formats...), nil
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch f {
		case "table", "text":
			f = "txt"
		case "markdown":
			f = "md"
		}
		ok := false
		for _, k := range Formats {
			ok = ok || k == f
		}
		if !ok {
			return nil, fmt.Errorf("unknown report format %q (known: %s)", f, strings.Join(Formats, ", "))
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

// Write writes the views of r in the given formats (nil means all of
// Formats) into dir, creating it if needed, and returns the paths
// written in order. Existing files of the same names are replaced. On error
// it returns the paths written so far.
func Write(dir string, r *results.Run, formats []string) ([]string, error) {
	if formats == nil {
		formats = Formats
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write report: %w", err)
	}
	var written []string
	put := func(name string, data []byte) error {
		p := filepath.Join(dir, name)
		if err := writeFileAtomic(p, data); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
		written = append(written, p)
		return nil
	}
	gen := func(name string, f func(io.Writer) error) error {
		var buf bytes.Buffer
		if err := f(&buf); err != nil {
			return fmt.Errorf("write report %s: %w", name, err)
		}
		return put(name, buf.Bytes())
	}
	var charts []*Chart
	needCharts := false
	for _, f := range formats {
		needCharts = needCharts || f == "png" || f == "svg" || f == "html"
	}
	if needCharts {
		var err error
		if charts, err = Charts(r); err != nil {
			return nil, fmt.Errorf("write report: %w", err)
		}
	}
	for _, f := range formats {
		var err error
		switch f {
		case "txt":
			err = gen("table.txt", func(w io.Writer) error { return results.WriteTable(w, r, results.TableOptions{}) })
		case "md":
			err = gen("table.md", func(w io.Writer) error { return results.WriteMarkdown(w, r, results.TableOptions{}) })
		case "csv":
			err = gen("run.csv", func(w io.Writer) error { return results.WriteCSV(w, r) })
		case "bench":
			err = gen("bench.txt", func(w io.Writer) error { return results.WriteBench(w, r) })
		case "json":
			err = gen("run.json", func(w io.Writer) error { return results.Write(w, r) })
		case "png", "svg":
			for _, c := range charts {
				var data []byte
				if data, err = c.Render(f); err != nil {
					break
				}
				if err = put(c.Name+"."+f, data); err != nil {
					break
				}
			}
		case "html":
			err = gen("report.html", func(w io.Writer) error { return WriteHTML(w, r, charts, results.TableOptions{}) })
		default:
			err = fmt.Errorf("write report: unknown format %q", f)
		}
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place with mode 0644, so that a failed write never leaves half a
// file where a good one was.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".report-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
