package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/internal/reportargs"
	"github.com/gosocketserver/socketserver/results"
)

func TestBenchBadFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"zero reps", []string{"--reps", "0"}, "--reps 0: want 1..1000"},
		{"zero conns", []string{"--conns", "1,0"}, `--conns: "0" is not a connection count`},
		{"word conns", []string{"--conns", "many"}, `--conns: "many"`},
		{"zero duration", []string{"--duration", "0s"}, "--duration 0s: want 1ms..1h0m0s"},
		{"negative warm-up", []string{"--warmup", "-1s"}, "--warmup -1s"},
		{"unknown workload", []string{"--workloads", "keepalive,nosuch"}, `unknown workload "nosuch"`},
		{"bad workload option", []string{"--workloads", "echo:size=0"}, "positive byte count"},
		{"unknown strategy", []string{"--strategies", "sync;forky"}, `unknown strategy "forky"`},
		{"bad strategy option", []string{"--strategies", "pool:workers=0"}, "workers"},
		{"unknown reference", []string{"--strategy", "reference:fork"}, "unknown reference server"},
		{"both strategy flags", []string{"--strategy", "sync", "--strategies", "goroutine"}, "not both"},
		{"exec-addr alone", []string{"--exec-addr", "127.0.0.1:1"}, "--exec-addr needs --exec"},
		{"zero rate", []string{"--rate", "0"}, "--rate 0"},
		{"empty workloads", []string{"--workloads", " ; "}, "--workloads: empty list"},
		{"arguments", []string{"extra"}, "unexpected arguments"},
		{"conns beyond the file limit", []string{"--conns", "1,100000", "--out", "-"}, "100000 connections (+0 idle) need about 100064 open files, but the limit is"},
		{"conns beyond the range", []string{"--conns", "1000000"}, `--conns: "1000000" is not a connection count in 1..100000`},
		{"huge reps", []string{"--reps", "1000000"}, "--reps 1000000: want 1..1000"},
		{"huge duration", []string{"--duration", "1000h"}, "--duration 1000h0m0s: want 1ms..1h0m0s"},
		{"infinite rate", []string{"--rate", "Inf"}, "--rate +Inf: want requests per second above 0 and at most 1e+07"},
		{"NaN rate", []string{"--rate", "NaN"}, "--rate NaN"},
		{"huge reference pool", []string{"--strategy", "reference:pool:workers=1000000"}, `option workers="1000000": want an integer in 1..10000`},
		{"unknown flag", []string{"--nosuch"}, "flag provided but not defined"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"bench"}, tt.args...), &stdout, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tt.want)
			}
		})
	}
}

func TestSplitSpecs(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"sync,goroutine", []string{"sync", "goroutine"}},
		{"sync;pool:workers=8,queue=64", []string{"sync", "pool:workers=8,queue=64"}},
		{"pool:workers=8,queue=64", []string{"pool:workers=8,queue=64"}},
		{" keepalive ; churn ;", []string{"keepalive", "churn"}},
		{"", nil},
	} {
		if diff := cmp.Diff(tt.want, splitSpecs(tt.in)); diff != "" {
			t.Errorf("splitSpecs(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestBenchDefaults(t *testing.T) {
	cfg, err := benchConfig(benchFlags{workloads: defaultBenchWorkloads, conns: defaultBenchConns,
		duration: defaultBenchDuration, warmup: defaultBenchWarmup, reps: defaultBenchReps, rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range cfg.Targets {
		names = append(names, tg.Name)
	}
	want := []string{"sync", "goroutine", "pool:workers=64", "eventloop", "reference:goroutine"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("default targets (-want +got):\n%s", diff)
	}
	if len(cfg.Workloads) != 2 || !cmp.Equal(cfg.Conns, []int{1, 16, 256}) || cfg.Reps != 6 {
		t.Errorf("default matrix: %d workloads, conns %v, %d reps", len(cfg.Workloads), cfg.Conns, cfg.Reps)
	}
}

// TestBaselineIsTheDefaultMatrix keeps the committed baseline honest: it
// must be a run of exactly the default matrix (targets, workloads,
// connection counts, repetitions, duration) with every repetition present,
// so that "sockbench bench" followed by "sockbench compare
// results/baseline/default.json" compares like with like. Changing the
// defaults means re-measuring the baseline.
func TestBaselineIsTheDefaultMatrix(t *testing.T) {
	run, err := results.ReadFile("../../results/baseline/default.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := benchConfig(benchFlags{workloads: defaultBenchWorkloads, conns: defaultBenchConns,
		duration: defaultBenchDuration, warmup: defaultBenchWarmup, reps: defaultBenchReps, rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	if run.Config.Repetitions != defaultBenchReps || time.Duration(run.Config.Duration) != defaultBenchDuration || time.Duration(run.Config.Warmup) != defaultBenchWarmup {
		t.Errorf("baseline config %+v; defaults are %d reps of %s after %s", run.Config, defaultBenchReps, defaultBenchDuration, defaultBenchWarmup)
	}
	type cell struct {
		strategy, workload string
		conns              int
	}
	var want, got []cell
	for _, tg := range cfg.Targets {
		for _, w := range cfg.Workloads {
			for _, c := range cfg.Conns {
				want = append(want, cell{tg.Name, w.Name, c})
			}
		}
	}
	for _, sc := range run.Scenarios {
		got = append(got, cell{sc.Strategy, sc.Workload, sc.Conns})
		if len(sc.Samples) != defaultBenchReps {
			t.Errorf("%s %s %d: %d samples, want %d", sc.Strategy, sc.Workload, sc.Conns, len(sc.Samples), defaultBenchReps)
		}
	}
	less := func(a, b cell) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) }
	slices.SortFunc(want, less)
	slices.SortFunc(got, less)
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(cell{})); diff != "" {
		t.Errorf("baseline scenarios differ from the default matrix (-want +got):\n%s", diff)
	}
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// sockbenchBinary builds this command once into a temporary directory,
// for tests that need real server processes.
func sockbenchBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sockbench-test-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sockbench")
		goCmd, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("the go command is needed to build sockbench: %w", err)
			os.RemoveAll(dir)
			return
		}
		out, err := exec.Command(goCmd, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			binPath = string(out)
		}
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, binPath)
	}
	return binPath
}

// launchBuiltBinary makes bench start its servers from the sockbench
// binary built for the tests (the test binary cannot serve) until the test
// ends, and returns the binary's path.
func launchBuiltBinary(t *testing.T) string {
	t.Helper()
	bin := sockbenchBinary(t)
	old := benchLauncher
	benchLauncher = func(ctx context.Context, args []string) (*exec.Cmd, error) {
		return exec.CommandContext(ctx, bin, args...), nil
	}
	t.Cleanup(func() { benchLauncher = old })
	return bin
}

// TestBenchEndToEnd runs a tiny matrix with real "sockbench serve" and
// "sockbench refserve" processes and checks the table and the saved run.
func TestBenchEndToEnd(t *testing.T) {
	launchBuiltBinary(t)

	out := filepath.Join(t.TempDir(), "run.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "sync;reference:pool:workers=2", "--workloads", "keepalive",
		"--conns", "3", "--duration", "200ms", "--warmup", "50ms", "--reps", "1", "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"requests per server-CPU-second", "reference:pool:workers=2", "starved 2 of 3 clients", "starved 1 of 3 clients"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "wrote "+out) {
		t.Errorf("stderr %q does not say where the run went", stderr.String())
	}
	r, err := results.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Scenarios) != 2 {
		t.Fatalf("%d scenarios, want 2", len(r.Scenarios))
	}
	for _, sc := range r.Scenarios {
		s := sc.Samples[0]
		// ServerCPU is counted in clock ticks (10 ms): a short sample on a
		// busy machine may use less than one, so only its sign is checked.
		if s.Requests <= 0 || s.Errors != 0 || s.ServerCPU < 0 || s.PeakRSS <= 0 || s.Goroutines <= 0 {
			t.Errorf("%s: %+v", sc.Strategy, s)
		}
	}
	if !cmp.Equal(r.Config.Args[:2], []string{"sockbench", "bench"}) {
		t.Errorf("args recorded: %q", r.Config.Args)
	}
}

func TestBenchOldConfig(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	flags := func(old, strategies, addr string) benchFlags {
		return benchFlags{strategies: strategies, workloads: "keepalive", conns: "1", duration: time.Second,
			reps: 1, rate: 1, old: old, addr: addr}
	}
	cfg, err := benchConfig(flags(exe, "sync;reference:goroutine", "127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	var names, exes []string
	for _, tg := range cfg.Targets {
		names = append(names, tg.Name)
		exes = append(exes, tg.Exe)
	}
	if diff := cmp.Diff([]string{"sync", "old:sync", "reference:goroutine", "old:reference:goroutine", "external:127.0.0.1:1"}, names); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", exe, "", exe, ""}, exes); diff != "" {
		t.Errorf("executables (-want +got):\n%s", diff)
	}

	notExec := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		f    benchFlags
		want string
	}{
		{"missing", flags(filepath.Join(t.TempDir(), "nope"), "sync", ""), "no such file"},
		{"not executable", flags(notExec, "sync", ""), "not an executable file"},
		{"directory", flags(t.TempDir(), "sync", ""), "not an executable file"},
		{"only an external target", flags(exe, "", "127.0.0.1:1"), "no strategy or reference target"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := benchConfig(tt.f); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("benchConfig: %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestSplitOldBuild(t *testing.T) {
	r := &results.Run{Warnings: []string{"unpinned"}, Scenarios: []results.Scenario{
		{Strategy: "goroutine", Workload: "keepalive", Conns: 16},
		{Strategy: "old:goroutine", Workload: "keepalive", Conns: 16},
		{Strategy: "old:reference:goroutine", Workload: "keepalive", Conns: 16},
		{Strategy: "reference:goroutine", Workload: "keepalive", Conns: 16},
	}}
	old, cur := splitOldBuild(r, "/tmp/sockbench-main")
	strategiesOf := func(r *results.Run) []string {
		var s []string
		for _, sc := range r.Scenarios {
			s = append(s, sc.Strategy)
		}
		return s
	}
	if diff := cmp.Diff([]string{"goroutine", "reference:goroutine"}, strategiesOf(old)); diff != "" {
		t.Errorf("old run (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"goroutine", "reference:goroutine"}, strategiesOf(cur)); diff != "" {
		t.Errorf("current run (-want +got):\n%s", diff)
	}
	if len(old.Warnings) != 2 || !strings.Contains(old.Warnings[1], "/tmp/sockbench-main") {
		t.Errorf("old run's warnings %q do not name the executable", old.Warnings)
	}
	if len(cur.Warnings) != 1 || len(r.Warnings) != 1 {
		t.Errorf("warnings leaked: current %q, original %q", cur.Warnings, r.Warnings)
	}
	if r.Scenarios[1].Strategy != "old:goroutine" {
		t.Errorf("the original run was modified: %q", r.Scenarios[1].Strategy)
	}
}

// TestBenchOldEndToEnd measures a build against itself through --old: two
// runs with the same scenarios come out, and compare accepts them.
func TestBenchOldEndToEnd(t *testing.T) {
	bin := launchBuiltBinary(t)

	dir := t.TempDir()
	newOut, oldOut := filepath.Join(dir, "new.json"), filepath.Join(dir, "old.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "goroutine", "--workloads", "keepalive",
		"--conns", "2", "--duration", "100ms", "--warmup", "20ms", "--reps", "2", "--old", bin,
		"--out", newOut, "--old-out", oldOut}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "old:goroutine") {
		t.Errorf("the table has no old:goroutine column:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "sockbench compare --correction holm "+oldOut+" "+newOut) {
		t.Errorf("stderr does not say how to compare:\n%s", stderr.String())
	}
	for _, f := range []string{oldOut, newOut} {
		r, err := results.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Scenarios) != 1 || r.Scenarios[0].Strategy != "goroutine" || len(r.Scenarios[0].Samples) != 2 {
			t.Fatalf("%s: scenarios %+v", f, r.Scenarios)
		}
		// ServerCPU may be 0 ticks in 100 ms on a busy machine (it was
		// once); PeakRSS says the server's stats were read.
		if s := r.Scenarios[0].Samples[0]; s.Requests <= 0 || s.ServerCPU < 0 || s.PeakRSS <= 0 {
			t.Errorf("%s: sample %+v", f, s)
		}
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"compare", oldOut, newOut}, &stdout, &stderr); code == 2 {
		t.Errorf("compare old new: exit 2; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "goroutine keepalive closed conns=2") {
		t.Errorf("compare did not match the scenario:\n%s", stdout.String())
	}
}

// TestDefaultReps checks that --old raises the default number of
// repetitions to what a Holm-corrected comparison needs, and that an
// explicit --reps always wins.
func TestDefaultReps(t *testing.T) {
	tests := []struct {
		args []string
		want int
	}{
		{nil, defaultBenchReps},
		{[]string{"--old", "/bin/true"}, defaultBenchOldReps},
		{[]string{"--old", "/bin/true", "--reps", "3"}, 3},
		{[]string{"--reps", "7"}, 7},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("bench", flag.ContinueOnError)
		reps := fs.Int("reps", defaultBenchReps, "")
		old := fs.String("old", "", "")
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if got := defaultReps(fs, *old, *reps); got != tt.want {
			t.Errorf("%q: %d repetitions, want %d", tt.args, got, tt.want)
		}
	}
}

// TestBenchOldBuildFails checks that an old build that cannot serve (here a
// script that rejects the flags, as a build too old would) makes bench exit
// 1 with the old build's own error message, after writing what it measured.
func TestBenchOldBuildFails(t *testing.T) {
	launchBuiltBinary(t)

	dir := t.TempDir()
	fake := filepath.Join(dir, "sockbench-old")
	script := "#!/bin/sh\necho 'flag provided but not defined: -control' >&2\nexit 2\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	newOut, oldOut := filepath.Join(dir, "new.json"), filepath.Join(dir, "old.json")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--strategies", "goroutine", "--no-reference", "--workloads", "keepalive",
		"--conns", "1", "--duration", "50ms", "--warmup", "0", "--reps", "1", "--old", fake,
		"--out", newOut, "--old-out", oldOut, "--quiet"}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{"incomplete", "old:goroutine keepalive conns=1", "flag provided but not defined: -control"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	r, err := results.ReadFile(newOut)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Scenarios) != 1 {
		t.Errorf("the current build's run has %d scenarios, want its 1 measured", len(r.Scenarios))
	}
}

// TestDefaultOutputsIgnored checks that the files a default bench and
// report write in the working folder are in the repository's .gitignore.
func TestDefaultOutputsIgnored(t *testing.T) {
	data, err := os.ReadFile("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	for _, want := range []string{"/" + defaultBenchOut, "/" + defaultBenchOldOut, "/" + reportargs.DefaultOut + "/"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".gitignore lacks %q", want)
		}
	}
}
