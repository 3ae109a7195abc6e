// Package blackbox checks, from the outside, any server that speaks the
// seed's protocol: the client sends a line, the server answers it stripped
// of ASCII whitespace and with a-z upper-cased, without a newline, and
// closes. It is the black-box half of the conformance suite and the engine
// of "sockbench conform"; it imports neither testing nor goleak, so a
// binary that serves can carry it.
//
// [CheckAddr] runs the protocol-level checks against an address: the
// seed's exchange, odd bytes with Python's strip and upper semantics, a
// line without newline then a half-close, huge and byte-by-byte writes,
// resets, a burst of 20 clients, capacity per the expected
// [socketserver.Concurrency], and a slow client. Python's
// socketserver.TCPServer passes it with [socketserver.Serial],
// ThreadingTCPServer with [socketserver.Unbounded].
//
// [MeasureConcurrency] finds the concurrency a server shows, by counting:
// the smallest number of silent clients whose holding makes a further
// client wait. "sockbench conform" without --expect measures it and then
// checks the server against what it found.
package blackbox
