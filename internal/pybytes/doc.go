// Package pybytes is the one Go version of what the seed's Python code does
// to bytes: bytes.strip() and bytes.upper(), which touch ASCII only (Go's
// bytes.TrimSpace and bytes.ToUpper also rewrite Unicode), and
// file.readline() on a buffered reader. The handlers, the reference
// servers and the load generator's reply checks all use it, so that a
// server and the client checking it cannot disagree. It imports only the
// standard library.
package pybytes
