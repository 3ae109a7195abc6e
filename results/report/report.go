package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/gosocketserver/socketserver/results"
)

// Formats are the formats Write knows, in the order it writes them:
// results.ReportFormats. "png" and "svg" are one file per chart and "html"
// is report.html, self-contained; the others are results.WriteView's.
var Formats = results.ReportFormats

// ParseFormats parses a comma-separated list of report formats (see
// Formats); an empty list means every format. It is
// results.ParseReportFormats.
func ParseFormats(list string) ([]string, error) { return results.ParseReportFormats(list) }

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
	var charts []*Chart
	if slices.ContainsFunc(formats, results.DrawnFormat) {
		var err error
		if charts, err = Charts(r); err != nil {
			return nil, fmt.Errorf("write report: %w", err)
		}
	}
	var written []string
	for _, f := range formats {
		var paths []string
		var err error
		switch f {
		case "png", "svg":
			paths, err = writeCharts(dir, charts, f)
		case "html":
			paths, err = writeHTML(dir, r, charts)
		default:
			var p string
			p, err = results.WriteView(dir, r, f)
			if err == nil {
				paths = []string{p}
			}
		}
		written = append(written, paths...)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// writeCharts renders every chart in format f (png or svg) into dir and
// returns the paths written.
func writeCharts(dir string, charts []*Chart, f string) ([]string, error) {
	var written []string
	for _, c := range charts {
		data, err := c.Render(f)
		if err != nil {
			return written, fmt.Errorf("write report: %w", err)
		}
		p := filepath.Join(dir, c.Name+"."+f)
		if err := writeFileAtomic(p, data); err != nil {
			return written, fmt.Errorf("write report: %w", err)
		}
		written = append(written, p)
	}
	return written, nil
}

// writeHTML writes report.html into dir.
func writeHTML(dir string, r *results.Run, charts []*Chart) ([]string, error) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r, charts, results.TableOptions{}); err != nil {
		return nil, fmt.Errorf("write report report.html: %w", err)
	}
	p := filepath.Join(dir, "report.html")
	if err := writeFileAtomic(p, buf.Bytes()); err != nil {
		return nil, fmt.Errorf("write report: %w", err)
	}
	return []string{p}, nil
}

// writeFileAtomic writes data to path with results.WriteBytes: a regular
// file is replaced atomically (a failed write never leaves half a file
// where a good one was), and a symbolic link, device or pipe is never
// replaced.
func writeFileAtomic(path string, data []byte) error {
	return results.WriteBytes(path, data, 0o644)
}
