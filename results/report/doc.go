// Package report draws a sockbench run: charts (PNG and SVG, with
// gonum.org/v1/plot) and a self-contained HTML page, and writes every view
// of a run into a directory (the tables, CSV, Go benchmark format and JSON
// come from package results: results.WriteView).
//
// It is the only package of the module that imports plotting, and only the
// sockbench-report command imports it: package results, which the harness
// uses, and the sockbench command, whose serve is what gets measured, stay
// free of it (a linked package's init runs at every start of a binary).
package report
