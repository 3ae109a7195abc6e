package results

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ReportFormats are the formats of a report directory ("sockbench report"),
// in the order they are written: "txt" (table.txt), "md" (table.md), "csv"
// (run.csv), "bench" (bench.txt, Go benchmark format), "json" (run.json),
// "png" and "svg" (one file per chart) and "html" (report.html). The drawn
// ones (see DrawnFormat) are written by package results/report; the others
// by WriteView.
var ReportFormats = []string{"txt", "md", "csv", "bench", "json", "png", "svg", "html"}

// ErrDrawnFormat is returned by WriteView for a format that needs charts
// (png, svg, html): package results/report writes those.
var ErrDrawnFormat = errors.New("format needs charts")

// DrawnFormat reports whether format f needs charts drawn (png, svg, html),
// which only package results/report, and the command linking it, can write.
func DrawnFormat(f string) bool {
	return f == "png" || f == "svg" || f == "html"
}

// ParseReportFormats parses a comma-separated list of report formats (see
// ReportFormats), lower-cased and without duplicates, in the order given;
// an empty list means every format. It accepts "table" and "text" for
// "txt" and "markdown" for "md".
func ParseReportFormats(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return slices.Clone(ReportFormats), nil
	}
	var out []string
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch f {
		case "table", "text":
			f = "txt"
		case "markdown":
			f = "md"
		}
		if !slices.Contains(ReportFormats, f) {
			return nil, fmt.Errorf("unknown report format %q (known: %s)", f, strings.Join(ReportFormats, ", "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// viewFiles names the file of each format WriteView writes.
var viewFiles = map[string]string{"txt": "table.txt", "md": "table.md", "csv": "run.csv", "bench": "bench.txt", "json": "run.json"}

// WriteViewTo writes the view of r in one format that needs no charts (txt,
// md, csv, bench or json) to w, as WriteView writes it into its file; this
// is how "sockbench report --format bench --out -" writes to stdout. For
// png, svg and html it returns an error wrapping ErrDrawnFormat and writes
// nothing.
func WriteViewTo(w io.Writer, r *Run, format string) error {
	var gen func(io.Writer) error
	switch format {
	case "txt":
		gen = func(w io.Writer) error {
			return errors.Join(WriteTable(w, r, TableOptions{}), WriteShares(w, r, false))
		}
	case "md":
		gen = func(w io.Writer) error {
			return errors.Join(WriteMarkdown(w, r, TableOptions{}), WriteShares(w, r, true))
		}
	case "csv":
		gen = func(w io.Writer) error { return WriteCSV(w, r) }
	case "bench":
		gen = func(w io.Writer) error { return WriteBench(w, r) }
	case "json":
		gen = func(w io.Writer) error { return Write(w, r) }
	default:
		if DrawnFormat(format) {
			return fmt.Errorf("write report %s: %w", format, ErrDrawnFormat)
		}
		return fmt.Errorf("write report: unknown format %q", format)
	}
	var buf bytes.Buffer
	if err := gen(&buf); err != nil {
		return fmt.Errorf("write report %s: %w", viewFiles[format], err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write report %s: %w", format, err)
	}
	return nil
}

// WriteView writes the view of r in one format that needs no charts (txt,
// md, csv, bench or json) into dir, which must exist, replacing a file of
// the same name, and returns the path written. For png, svg and html it
// returns an error wrapping ErrDrawnFormat and writes nothing.
func WriteView(dir string, r *Run, format string) (string, error) {
	var buf bytes.Buffer
	if err := WriteViewTo(&buf, r, format); err != nil {
		return "", err
	}
	p := filepath.Join(dir, viewFiles[format])
	if err := writeFile(p, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write report: %w", err)
	}
	return p, nil
}

// WriteViews writes the views of r in formats that need no charts into dir,
// creating it if needed, and returns the paths written in order. A drawn
// format among them is an error wrapping ErrDrawnFormat, found before
// anything is written. On a later error it returns the paths written so far.
func WriteViews(dir string, r *Run, formats []string) ([]string, error) {
	for _, f := range formats {
		if DrawnFormat(f) {
			return nil, fmt.Errorf("write report %s: %w", f, ErrDrawnFormat)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write report: %w", err)
	}
	var written []string
	for _, f := range formats {
		p, err := WriteView(dir, r, f)
		if err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}
