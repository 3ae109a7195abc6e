package callgrind

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// ErrNoValgrind reports that valgrind is not installed.
var ErrNoValgrind = errors.New("valgrind not found")

// ErrNoBenchmark reports a test binary without the benchmark asked for
// (an older tree, say).
var ErrNoBenchmark = errors.New("no such benchmark")

// A Result is the instruction count of one benchmark.
type Result struct {
	// Ops is the difference of the two operation counts, Instructions
	// that of the counted instructions (see Counted).
	Ops, Instructions int64
}

// PerOp returns Instructions / Ops.
func (r Result) PerOp() float64 { return float64(r.Instructions) / float64(r.Ops) }

// Version returns valgrind's version ("valgrind-3.19.0"), or an error
// wrapping ErrNoValgrind.
func Version(ctx context.Context) (string, error) {
	path, err := exec.LookPath("valgrind")
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoValgrind, err)
	}
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("valgrind --version: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Count runs benchmark bench (a name such as "BenchmarkLines", matched
// exactly) of the test binary testBin under callgrind, with base and
// base+ops operations, and returns the counted instructions of the
// difference. Each of the two counts is the largest of runs runs: now and
// then a run loses a few hundred instructions (when the Go scheduler
// preempts the benchmark, callgrind's view of the call stack can leave
// the benchmark function for a moment), never gains any. dir holds
// callgrind's output files.
func Count(ctx context.Context, testBin, bench string, base, ops int64, runs int, dir string) (Result, error) {
	if base < 1 || ops < 1 || runs < 1 {
		return Result{}, fmt.Errorf("callgrind %s: want base, ops and runs >= 1, got %d, %d and %d", bench, base, ops, runs)
	}
	var lo, hi int64
	for range runs {
		l, err := run(ctx, testBin, bench, base, dir)
		if err != nil {
			return Result{}, err
		}
		h, err := run(ctx, testBin, bench, base+ops, dir)
		if err != nil {
			return Result{}, err
		}
		lo, hi = max(lo, l), max(hi, h)
	}
	return Result{Ops: ops, Instructions: hi - lo}, nil
}

// run returns the counted instructions of one run of bench with n
// operations.
func run(ctx context.Context, testBin, bench string, n int64, dir string) (int64, error) {
	out := filepath.Join(dir, fmt.Sprintf("%s.%s.%d.out", filepath.Base(testBin), bench, n))
	// Collect inside the benchmark function only (its callees included):
	// the test framework's start, its threads and its output stay out.
	cmd := exec.CommandContext(ctx, "valgrind", "--tool=callgrind", "--callgrind-out-file="+out,
		"--collect-atstart=no", "--toggle-collect=*."+bench,
		testBin, "-test.run=^$", "-test.bench=^"+regexp.QuoteMeta(bench)+"$",
		"-test.benchtime="+strconv.FormatInt(n, 10)+"x", "-test.count=1", "-test.benchmem=false")
	cmd.Env = append(os.Environ(), "GOGC=off", "GOMAXPROCS=1", "GODEBUG=asyncpreemptoff=1")
	var stderr, stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("callgrind %s %s (%dx): %w: %s", filepath.Base(testBin), bench, n, err, lastLine(stderr.String()))
	}
	if !strings.Contains(stdout.String(), bench) {
		return 0, fmt.Errorf("callgrind %s: %w: %s", filepath.Base(testBin), ErrNoBenchmark, bench)
	}
	f, err := os.Open(out)
	if err != nil {
		return 0, fmt.Errorf("callgrind %s: %w", bench, err)
	}
	defer f.Close()
	costs, err := SelfCosts(f)
	if err != nil {
		return 0, fmt.Errorf("callgrind %s: %w", bench, err)
	}
	return countedTotal(costs), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
