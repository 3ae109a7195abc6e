package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/internal/callgrind"
	"github.com/gosocketserver/socketserver/results"
)

// callgrindBenchmarks are the Go benchmarks "sockbench callgrind" counts:
// the pieces of a request with no kernel in them.
var callgrindBenchmarks = []struct{ pkg, bench string }{
	{".", "BenchmarkLines"},
	{".", "BenchmarkMessageFeed"},
	{"./internal/pybytes", "BenchmarkUpperInPlace"},
	{"./internal/pybytes", "BenchmarkStrip"},
	{"./internal/pybytes", "BenchmarkReadLine"},
	{"./harness/load", "BenchmarkUpperLineReadReply"},
}

func init() {
	var list strings.Builder
	for _, b := range callgrindBenchmarks {
		fmt.Fprintf(&list, "\t%-20s %s\n", b.pkg, b.bench)
	}
	register(&command{
		name:    "callgrind",
		summary: "count instructions per operation of the request path's Go benchmarks under valgrind (exact, for compare --gate)",
		usage: `Usage:

	sockbench callgrind [--out FILE] [--ops N] [--bench REGEXP]

Run in a checkout of this module (it builds test binaries with "go test
-c"). For each benchmark below, runs it under valgrind's callgrind twice,
with 100 and 100+N operations, and stores the difference of the
instructions executed inside the benchmark function, outside the Go
runtime (its mem* primitives excepted), divided by N: instructions per
operation that repeat exactly for the same binary (GOGC=off, GOMAXPROCS=1,
no asynchronous preemption; each count is the largest of --runs runs, as
a run now and then loses a few hundred instructions to the scheduler's
preemption). The result is a run file with one scenario
per benchmark (strategy "callgrind", workload PKG.BENCHMARK), so

	sockbench compare --gate old-callgrind.json new-callgrind.json

gates it (metric ir_per_op, limit +1% and +1 instruction).

Benchmarks:

` + list.String() + `
Flags:

	--out FILE       where to write the run (default "callgrind.json")
	--ops N          operations measured per benchmark (default 2000)
	--runs N         runs of each count, the largest kept (default 3)
	--bench REGEXP   only the benchmarks whose name matches

Examples:

	sockbench callgrind --out new-callgrind.json
	sockbench callgrind --bench 'Lines|ReadLine' --ops 5000 --out -

A benchmark that the tree does not have (an older commit) is skipped with
a note.

Exit status: 0 done, 1 a build or a valgrind run failed or nothing was
measured, 2 bad usage, 4 valgrind not installed (nothing measured).
`,
		run: runCallgrind,
	})
}

func runCallgrind(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("callgrind", stderr)
	out := fs.String("out", "callgrind.json", "")
	ops := fs.Int64("ops", 2000, "")
	runs := fs.Int("runs", 3, "")
	filter := fs.String("bench", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "sockbench callgrind: "+format+"\n", a...)
		return code
	}
	re, err := regexp.Compile(*filter)
	if err != nil || fs.NArg() > 0 || *ops < 1 || *runs < 1 {
		return fail(2, "usage: sockbench callgrind [--out FILE] [--ops N >= 1] [--runs N >= 1] [--bench REGEXP]")
	}
	version, err := callgrind.Version(ctx)
	if err != nil {
		return fail(4, "%v", err)
	}
	dir, err := os.MkdirTemp("", "sockbench-callgrind-")
	if err != nil {
		return fail(1, "%v", err)
	}
	defer os.RemoveAll(dir)
	run := &results.Run{Schema: results.SchemaVersion, Env: bench.CurrentEnv(""),
		Config: results.Config{Repetitions: 1, Args: append([]string{"sockbench", "callgrind"}, args...)}}
	run.Env.Counters = map[string]string{results.CountCallgrindIr: version + " callgrind: instructions in the benchmark, outside the runtime"}
	bins := map[string]string{}
	for _, b := range callgrindBenchmarks {
		if !re.MatchString(b.bench) {
			continue
		}
		bin, ok := bins[b.pkg]
		if !ok {
			bin = filepath.Join(dir, strings.NewReplacer("/", "_", ".", "root").Replace(b.pkg)+".test")
			cmd := exec.CommandContext(ctx, "go", "test", "-c", "-o", bin, b.pkg)
			if msg, err := cmd.CombinedOutput(); err != nil {
				return fail(1, "build %s: %v: %s", b.pkg, err, strings.TrimSpace(string(msg)))
			}
			bins[b.pkg] = bin
		}
		start := time.Now()
		res, err := callgrind.Count(ctx, bin, b.bench, 100, *ops, *runs, dir)
		if errors.Is(err, callgrind.ErrNoBenchmark) {
			fmt.Fprintf(stderr, "sockbench callgrind: %s: no %s here; skipped\n", b.pkg, b.bench)
			continue
		}
		if err != nil {
			return fail(1, "%v", err)
		}
		fmt.Fprintf(stderr, "sockbench callgrind: %s %s: %.2f instructions/op (%s)\n", b.pkg, b.bench, res.PerOp(), time.Since(start).Round(time.Millisecond))
		run.Scenarios = append(run.Scenarios, results.Scenario{
			Strategy: "callgrind", Workload: callgrindWorkload(b.pkg, b.bench), Mode: "callgrind", Conns: 1,
			Samples: []results.Sample{{Requests: res.Ops, Counts: map[string]int64{results.CountCallgrindIr: res.Instructions}}},
		})
	}
	if len(run.Scenarios) == 0 {
		return fail(1, "nothing measured: no benchmark matching %q found", *filter)
	}
	if err := writeRunFile(*out, run, stdout); err != nil {
		return fail(1, "%v", err)
	}
	return 0
}

// callgrindWorkload names a benchmark's scenario: "pybytes.BenchmarkStrip",
// "socketserver.BenchmarkLines" for the root package.
func callgrindWorkload(pkg, bench string) string {
	name := filepath.Base(pkg)
	if pkg == "." {
		name = "socketserver"
	}
	return name + "." + bench
}

// writeRunFile writes r to path, or to stdout for "-".
func writeRunFile(path string, r *results.Run, stdout io.Writer) error {
	if path == "-" {
		return results.Write(stdout, r)
	}
	return results.WriteFile(path, r)
}
