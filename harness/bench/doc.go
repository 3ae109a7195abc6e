// Package bench runs sockbench's benchmark matrix: server targets
// (strategies of this project, hand-written reference servers, external
// servers) x workloads x connection counts, repeated, and returns the run as
// a results.Run.
//
// Every server under test runs in its own process, started through a
// Launcher (by default the running executable re-executed as
// "sockbench serve" or "sockbench refserve"), so that the load generator's
// scheduler and garbage collector do not pollute it. A fresh server process
// is started for every sample, that is for every (target, cell, repetition):
// its peak RSS, CPU time and memory are its own, and one repetition cannot
// leave state for the next. Repetitions interleave the targets
// (for rep: for cell: for target), so slow drift of the machine spreads over
// all of them instead of biasing one; see Schedule.
//
// For each sample the harness drives harness/load against the server and
// reads the server's /proc files (CPU time, context switches, RSS, peak
// RSS) and its control channel ("stats": goroutines). Optionally the server
// is pinned to CPU 1 and the harness process (every thread) to CPU 0.
//
// The package never imports a strategy: strategy specs are opaque strings
// handed to the server process.
package bench
