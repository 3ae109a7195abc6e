// Package load is the project's load generator: the client side of a
// benchmark, usable against any address that speaks the protocol (a server
// of this project, Python's socketserver, anyone's). It imports nothing of
// the project.
//
// # Modes
//
// Run drives Config.Conns connections (workers) in one of four modes:
//
//   - Closed: each connection loops write request, read reply, record.
//     One request in flight per connection, so the offered load adapts to
//     the server: throughput and latency at a given concurrency.
//   - Churn: each worker loops the seed's client: dial, send one line,
//     read to EOF, check, close; latency runs from the start of the dial.
//     This measures connection setup and teardown, not keep-alive serving.
//   - Pipelined: each connection keeps Config.Depth requests in flight, a
//     writer goroutine batching as many requests as there are free slots
//     into one write and a reader goroutine checking the replies in order.
//   - Open: requests have intended send times at a fixed total
//     Config.Rate, spread across the connections with staggered phases,
//     one request in flight per connection (as wrk2 does).
//
// Config.Slow of the connections can be slow clients (one byte at a time)
// and Config.Idle extra connections can be held open and idle, to see how a
// server treats its well-behaved clients meanwhile. Every reply is checked
// by a Protocol (UpperLine, Echo, or the caller's own); a wrong, missing or
// late reply is an error, counted and sampled, and the connection is
// redialed. Results before the end of Config.Warmup are discarded without
// pausing the load.
//
// # Round trips
//
// Loopback answers in tens of microseconds, so every connection is held
// only as long as the server works on it. Config.RTT emulates a network
// round trip in the generator (these kernels have no netem): each request
// waits half the RTT before it is written and each reply half the RTT
// after it is read, with a stated jitter, so the server sees connections
// held as long as distant clients hold them, and Little's law decides
// what a serial server, a pool and a goroutine per connection can carry
// (see RTT for the handshake and what is not reproduced). The waits are
// held on one delay wheel per Run (a heap of deadlines and one timerfd
// goroutine), not a sleeping goroutine or a timer per request; how late
// each wait ended is sampled in Result.RTTLag.
//
// # Protocols from data
//
// UpperLine and Echo speak this project's protocols; Framed (built by
// ParseProtocol from a spec string or a JSON file) speaks a server's own:
// a request payload, a reply framed by a delimiter, a length prefix or a
// fixed size, and an optional regular expression the reply must match.
//
// # Coordinated omission
//
// A closed-loop generator waits for each reply before sending the next
// request, so when the server stalls it stops sending and records one slow
// request instead of every request that would have arrived during the
// stall: it coordinates with the server and omits the bad samples. Open
// mode avoids this the way wrk2 does: each request's latency runs from its
// intended send time, not from when it was actually sent, so requests
// queued behind a stall carry the time they waited. Sends that go out
// late are never silent: Result.LateSends and MaxSendLag report them, and
// AchievedRate sits beside TargetRate. Result.UncorrectedLatency keeps the
// latencies measured from the actual send as well, to show what a closed
// loop would have hidden.
//
// Measuring from the intended time also charges the generator's own
// lateness to the server, so the pacing must be precise: Go's timers wake
// up to about 1 ms late in an idle process on Linux, so Open workers sleep
// on a timerfd read through the netpoller instead (late by the kernel's
// timer slack, tens of microseconds), falling back to Go timers elsewhere.
//
// # Saturation verdict
//
// On a small machine the generator often saturates before the server.
// Run reads this process's CPU time (getrusage(RUSAGE_SELF)) at both ends
// of the measured interval and sets Result.ClientBound when it used at
// least SaturatedUtil (90%) of the CPUs it may use (min of GOMAXPROCS and
// the CPUs in its affinity mask), or, in Open mode, when more than 1% of
// sends were late although their connection was ready in time (the
// generator itself woke up late). A ClientBound result measures the
// client: compare servers by their CPU per request instead. The verdict
// assumes the server runs in another process (with an in-process server
// its CPU counts as the client's) and on other CPUs: when client and server
// share the CPUs unpinned, a client below 90% may still be starved by the
// server, and only pinning them apart makes the verdict sharp.
//
// # Cost
//
// The hot path does not allocate in Closed mode (a request is sent from the
// same bytes each time and replies are checked in the reader's buffer),
// each worker records into its own HDR histogram (merged at the end, no
// shared lock), and the measured interval is an atomic phase each worker
// reads after every reply. Each worker's histogram takes about 140 KiB
// (Open workers two).
package load
