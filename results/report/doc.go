// Package report draws a sockbench run: charts (PNG and SVG, with
// gonum.org/v1/plot) and a self-contained HTML page, and writes every view
// of a run into a directory (the tables, CSV and Go benchmark format come
// from package results).
//
// It is the only package of the module that imports plotting: package
// results, which the harness and the serving command use, stays free of it.
package report
