// Package results holds sockbench's benchmark runs as data: the versioned JSON
// schema of a run (with structured warnings, see Warning), reading and
// writing it, statistics over repetitions, comparison of two runs, and the
// text views of a run (terminal and Markdown tables, CSV, Go benchmark
// format). Charts and the HTML report are package results/report's: results
// links no plotting, so the harness and the serving command stay free of it.
//
// It imports nothing of the project: the benchmark harness fills a Run, and
// everything downstream reads one.
package results

import "time"

// SchemaVersion is the version written into every Run. Readers accept any
// minor version of the same major version and reject other majors, except
// that this package also reads 1.x runs, whose scenario warnings were
// English text (2.0 made them structured: see Warning). 2.1 added
// Config.Backlog. 2.2 added wave 2's optional fields: counted costs
// (Sample.Counts), goals and SLO searches (Config.Goal, Scenario.SLO, a
// goal's loss bound, steps measured several times), datagram loss,
// sweeps, process trees and load agents' shares; a reader rejects a goal
// it cannot parse rather than drop it.
const SchemaVersion = "2.2"

// Run is one invocation of the benchmark harness: the environment it ran in,
// how it was configured, and every scenario with every repetition.
type Run struct {
	// Schema is always SchemaVersion when written by this package.
	Schema    string     `json:"schema"`
	Env       Env        `json:"env"`
	Config    Config     `json:"config"`
	Scenarios []Scenario `json:"scenarios"`
	// Warnings apply to the whole run (for example "machine has 2 cores,
	// client and server share them").
	Warnings []string `json:"warnings,omitempty"`
	// Agent marks the run as one load agent's share ("sockbench load");
	// nil otherwise.
	Agent *Agent `json:"agent,omitempty"`
	// Merged marks a run merged from agents' shares ("sockbench merge");
	// nil otherwise.
	Merged *Merged `json:"merged,omitempty"`
}

// Env describes the machine and build that produced a Run.
type Env struct {
	Date        time.Time `json:"date"`
	ToolVersion string    `json:"tool_version"`
	GoVersion   string    `json:"go_version"`
	GOOS        string    `json:"goos"`
	GOARCH      string    `json:"goarch"`
	CPUModel    string    `json:"cpu_model"`
	NumCPU      int       `json:"num_cpu"`
	GOMAXPROCS  int       `json:"gomaxprocs"`
	Kernel      string    `json:"kernel"`
	Commit      string    `json:"commit,omitempty"`
	Hostname    string    `json:"hostname,omitempty"`
	// Counters says, for each counter of Sample.Counts, how it was
	// measured ("perf stat raw_syscalls:sys_enter", "runtime/metrics"...)
	// or, starting with Unsupported, why it was not.
	Counters map[string]string `json:"counters,omitempty"`
}

// Config records how the harness was asked to run.
type Config struct {
	Duration    Duration `json:"duration"`    // measured time per repetition
	Warmup      Duration `json:"warmup"`      // discarded time before each repetition
	Repetitions int      `json:"repetitions"` // repetitions per scenario
	Interleaved bool     `json:"interleaved"` // strategies interleaved A B C A B C
	// Pinning is empty when unpinned, otherwise e.g. "server=1,client=0".
	Pinning string `json:"pinning,omitempty"`
	// Args is the command line that produced the run, for reproduction.
	Args []string `json:"args,omitempty"`
	// Backlog is the listen backlog of the servers the harness started
	// (0 when not recorded: runs before schema 2.1). A server measured at
	// an address (bench --addr) has its own, which the harness cannot see:
	// "sockbench serve" keeps Python's 5 unless --backlog says otherwise.
	Backlog int `json:"backlog,omitempty"`
	// RTT says how emulated round trips were applied; nil when no
	// workload had one.
	RTT *RTTEmulation `json:"rtt,omitempty"`
	// Goal is the service-level goal of "bench --slo" as written (see
	// ParseGoal), empty when none was given.
	Goal string `json:"goal,omitempty"`
}

// Scenario is one cell of the matrix: a strategy serving a workload at a
// concurrency, measured Repetitions times.
type Scenario struct {
	// Strategy is the full strategy spec, e.g. "pool:workers=8,queue=64",
	// or "reference:goroutine" / "external:python-threading" for reference rows.
	Strategy string `json:"strategy"`
	// Workload names the handler + client pattern, e.g. "keepalive", "churn",
	// "echo", "cpu", "sleep", "slowclients", "idle".
	Workload string `json:"workload"`
	// Params holds the workload's parameters, e.g. {"size":"1024"}.
	Params map[string]string `json:"params,omitempty"`
	// Mode is the load pattern: "closed", "churn", "pipelined" or "open".
	Mode string `json:"mode"`
	// Conns is the number of client connections (the concurrency).
	Conns int `json:"conns"`
	// Samples holds one entry per repetition, in the order they ran.
	Samples []Sample `json:"samples"`
	// Warnings say why this cell's numbers may not be trusted
	// (client-bound, machine-bound, errors, starved clients, ...).
	Warnings []Warning `json:"warnings,omitempty"`
	// Sweep says which option of a swept spec this scenario measured
	// ("pool:workers=8..256"), nil when its target was not swept.
	Sweep *SweepPoint `json:"sweep,omitempty"`
	// SLO is the search for the highest rate meeting the run's Goal, nil
	// when none ran.
	SLO *SLOSearch `json:"slo,omitempty"`
}

// Sample is one repetition of one scenario. Times are in seconds unless the
// field name says otherwise; zero means "not measured".
type Sample struct {
	Rep      int     `json:"rep"`
	Duration float64 `json:"duration_s"` // measured wall time
	Requests int64   `json:"requests"`   // replies received and checked
	Errors   int64   `json:"errors"`     // wrong, missing or failed replies
	// Throughput is Requests / Duration.
	Throughput float64 `json:"throughput_rps"`
	// Latency summarises Histogram.
	Latency Latency `json:"latency"`
	// Histogram is the full latency histogram (microseconds), mergeable.
	Histogram *Histogram `json:"histogram,omitempty"`

	// Server-side resource use during the measured interval.
	ServerCPU      float64 `json:"server_cpu_s"`       // utime+stime
	CPUPerRequest  float64 `json:"cpu_per_request_us"` // ServerCPU / Requests, microseconds
	RequestsPerCPU float64 `json:"requests_per_cpu_s"` // Requests / ServerCPU
	PeakRSS        int64   `json:"peak_rss_bytes"`     // high-water mark of the server
	MemPerConn     int64   `json:"mem_per_conn_bytes"` // (RSS with conns - RSS idle) / conns
	Goroutines     int     `json:"goroutines"`         // server goroutines at the end
	CtxSwitches    int64   `json:"ctx_switches"`       // voluntary + involuntary, server
	Fairness       float64 `json:"fairness"`           // Jain's index over clients, 0..1
	Starved        int     `json:"starved"`            // clients that got no reply at all
	// Counts holds server-side counts over the measured interval, by
	// counter name (CountSyscalls...); a counter not measured is absent.
	Counts map[string]int64 `json:"counts,omitempty"`

	// Process-tree facts (a server of several processes: fork, prefork).
	// ServerCPU then covers the server and its descendants, live and
	// reaped.
	Procs          int     `json:"procs,omitempty"`           // most processes seen in the server's tree
	TreeRSS        int64   `json:"tree_rss_bytes,omitempty"`  // most RSS seen summed over the tree's live processes
	WorkerConns    []int64 `json:"worker_conns,omitempty"`    // connections each worker accepted (prefork), from the server's stats
	WorkerFairness float64 `json:"worker_fairness,omitempty"` // Jain's index over WorkerConns, 0..1

	// Client-side (load generator) facts.
	ClientCPU   float64 `json:"client_cpu_s"`
	ClientBound bool    `json:"client_bound"` // the generator, not the server, was saturated

	// Open-loop only.
	TargetRate   float64 `json:"target_rps,omitempty"`
	AchievedRate float64 `json:"achieved_rps,omitempty"`
	MaxSendLag   float64 `json:"max_send_lag_s,omitempty"` // worst lag of a send behind schedule
	LateSends    int64   `json:"late_sends,omitempty"`     // sends more than 1ms behind schedule

	// Datagram workloads only (nil otherwise): requests whose reply did
	// not come back within the workload's timeout, and their share of the
	// requests sent. Lost requests are in neither Requests nor the
	// latency histogram, and not in Errors.
	Lost      *int64   `json:"lost,omitempty"`
	LossRatio *float64 `json:"loss_ratio,omitempty"`

	// Emulated round trips only (Config.RTT): how much later than asked
	// the generator's delays ended, median and 99th percentile, in
	// microseconds; its own error on every round trip.
	RTTLagP50 float64 `json:"rtt_lag_p50_us,omitempty"`
	RTTLagP99 float64 `json:"rtt_lag_p99_us,omitempty"`
	// RTTHeldRatio is the total time the generator held connections
	// divided by the total delay it drew: 1 when the round trips averaged
	// exactly what was asked (late wake-ups are made up on later waits).
	RTTHeldRatio float64 `json:"rtt_held_ratio,omitempty"`
	// Series holds the latency histograms per interval of the measured
	// window (load agents' shares and merged runs); nil otherwise.
	Series *Series `json:"series,omitempty"`
	// Shares holds each load agent's part of the sample (one in an
	// agent's share, every agent's in a merged run); nil otherwise.
	Shares []Share `json:"shares,omitempty"`
}

// Latency holds latency percentiles in microseconds.
type Latency struct {
	P50  float64 `json:"p50_us"`
	P90  float64 `json:"p90_us"`
	P99  float64 `json:"p99_us"`
	P999 float64 `json:"p999_us"`
	Max  float64 `json:"max_us"`
	Mean float64 `json:"mean_us"`
}

// Histogram is a serialised HDR histogram of latencies in microseconds, in
// the shape of hdrhistogram-go's Snapshot so it can be imported and merged.
type Histogram struct {
	LowestTrackableValue  int64   `json:"lowest"`
	HighestTrackableValue int64   `json:"highest"`
	SignificantFigures    int64   `json:"sigfigs"`
	Counts                []int64 `json:"counts"`
}

// Duration is a time.Duration that encodes in JSON as a string ("5s").
type Duration time.Duration
