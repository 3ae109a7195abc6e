package docs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain removes the sockbench binary built for the tests once they have
// run, and fails the run if a test leaked a goroutine.
func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// cheapOverrides are appended to documented commands so that they run in a
// fraction of a second in the test while the pages print real settings.
// Go's flag package keeps the last value of a repeated flag.
var cheapOverrides = map[string][]string{
	"bench": {"--duration", "100ms", "--warmup", "0", "--reps", "1", "--slo-steps", "1"},
}

// Timeouts for one documented command and for a background server to print
// its address.
const (
	commandTimeout = 60 * time.Second
	startTimeout   = 15 * time.Second
)

// TestDocCommands runs every sockbench command printed in a ```sh block of
// the docs (and of the repository's README.md) against loopback, with the
// sockbench binary built once. See "How the commands are tested" in
// README.md of this directory for what the test does with each subcommand.
func TestDocCommands(t *testing.T) {
	cmds, err := allCommands()
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) == 0 {
		t.Fatal("no sockbench commands found in the docs")
	}
	bin := buildSockbench(t)
	h := &harness{t: t, bin: bin, work: t.TempDir(), repo: "..", benched: map[string]bool{}}
	defer h.stopAll()

	var file string
	block := -1
	for _, c := range cmds {
		if c.File != file || c.Block != block {
			h.stopBlock() // servers live until the end of their ```sh block
			file, block = c.File, c.Block
		}
		t.Run(c.name(), func(t *testing.T) { h.run(t, c) })
	}
}

// built is the sockbench binary that buildSockbench makes once for all
// tests of this package, with sockbench-report beside it; TestMain removes
// their directory.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildSockbench builds cmd/sockbench and cmd/sockbench-report once into
// one temporary directory, so that "sockbench report" finds the program
// that draws charts beside itself, and returns sockbench's path.
func buildSockbench(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			built.err = fmt.Errorf("the go command is needed to build sockbench: %w", err)
			return
		}
		if built.dir, err = os.MkdirTemp("", "sockbench-docs-"); err != nil {
			built.err = err
			return
		}
		const cmdDir = "github.com/gosocketserver/socketserver/cmd/"
		cmd := exec.Command(goBin, "build", "-o", built.dir+string(filepath.Separator), cmdDir+"sockbench", cmdDir+"sockbench-report")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/sockbench ./cmd/sockbench-report: %w\n%s", err, out)
			return
		}
		built.bin = filepath.Join(built.dir, "sockbench")
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

// harness runs documented commands in a scratch working directory, so the
// files one command writes (a run's JSON) are there for the next one.
type harness struct {
	t    *testing.T
	bin  string
	work string // working directory of every command
	repo string // repository root, for committed inputs (docs/runs/*.json)

	benched map[string]bool // bench commands that already ran and passed

	block  []*server // servers started by the current ```sh block
	shared *server   // seed server for client/conform commands outside a block with a server
	socks  int
}

// run runs one documented command as its subcommand requires.
func (h *harness) run(t *testing.T, c docCommand) {
	args := slices.Clone(c.Args)
	t.Logf("%s:%d: sockbench %s", c.File, c.Line, strings.Join(args, " "))
	switch args[0] {
	case "serve":
		s := h.startServer(t, args)
		h.block = append(h.block, s)
	case "client", "conform":
		s := h.target(t)
		args = withAddr(args, s)
		out := h.exec(t, args, 0)
		if args[0] == "client" && !strings.Contains(out, "Received: ") {
			t.Errorf("client printed no reply:\n%s", out)
		}
	case "bench":
		// The same bench command printed on several pages runs once.
		key := strings.Join(args, "\x00")
		if h.benched[key] {
			t.Logf("same command ran earlier: not run again")
			return
		}
		h.prepareOutputs(t, args)
		h.prepareExecFiles(t, args)
		args = append(args, cheapOverrides["bench"]...)
		if runtime.NumCPU() < 2 && slices.Contains(args, "--pin") {
			// Pinning needs two CPUs; the command is still run, unpinned.
			args = slices.DeleteFunc(args, func(a string) bool { return a == "--pin" })
			t.Logf("one CPU here: run without --pin")
		}
		h.exec(t, args, 0)
		h.checkOutputs(t, args)
		h.benched[key] = true
	case "report":
		h.prepareInputs(t, args)
		h.prepareOutputs(t, args)
		h.exec(t, args, 0)
		h.checkOutputs(t, args)
	case "compare":
		h.prepareInputs(t, args)
		// 1 means "regression found": a documented result, not a mistake.
		h.exec(t, args, 0, 1)
	default:
		h.exec(t, args, 0)
	}
}

// exec runs sockbench with args and fails the test unless its exit code is
// one of ok. It returns stdout.
func (h *harness) exec(t *testing.T, args []string, ok ...int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.bin, args...)
	cmd.Dir = h.work
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	if !slices.Contains(ok, code) {
		t.Fatalf("sockbench %s: exit %d (want %v): %v\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), code, ok, err, tail(stdout.String()), tail(stderr.String()))
	}
	return stdout.String()
}

// tail keeps the end of long output for failure messages.
func tail(s string) string {
	const max = 4000
	if len(s) > max {
		return "..." + s[len(s)-max:]
	}
	return s
}

// prepareInputs copies committed input files (an argument naming a file in
// the repository, such as docs/runs/x.json) into the working directory when
// an earlier command did not write them there.
func (h *harness) prepareInputs(t *testing.T, args []string) {
	t.Helper()
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") || !strings.HasSuffix(a, ".json") {
			continue
		}
		dst := filepath.Join(h.work, a)
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		src := filepath.Join(h.repo, a)
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("input %s: no earlier command wrote it and the repository has none: %v", a, err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// prepareExecFiles copies the repository files that a bench command's
// --exec server names (such as examples/python/upper_server.py) into the
// working directory, where the command runs.
func (h *harness) prepareExecFiles(t *testing.T, args []string) {
	t.Helper()
	cmdline, ok := flagValue(args, "exec")
	if !ok {
		return
	}
	for _, word := range strings.Fields(cmdline) {
		if !strings.Contains(word, "/") || filepath.IsAbs(word) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(h.repo, word))
		if err != nil {
			continue // not a repository file: an argument
		}
		dst := filepath.Join(h.work, word)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// flagValue returns the value of --name (or -name) in args, and whether it
// was given. Forms "--name V" and "--name=V" are understood.
func flagValue(args []string, name string) (string, bool) {
	val, found := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		for _, p := range []string{"--" + name, "-" + name} {
			switch {
			case a == p && i+1 < len(args):
				val, found = args[i+1], true
			case strings.HasPrefix(a, p+"="):
				val, found = a[len(p)+1:], true
			}
		}
	}
	return val, found
}

// withoutFlag removes every --name V / --name=V from args.
func withoutFlag(args []string, name string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--"+name || a == "-"+name {
			i++
			continue
		}
		if strings.HasPrefix(a, "--"+name+"=") || strings.HasPrefix(a, "-"+name+"=") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// prepareOutputs creates the parent directory of --out in the working
// directory, as the repository has it.
func (h *harness) prepareOutputs(t *testing.T, args []string) {
	t.Helper()
	if out, ok := flagValue(args, "out"); ok && !filepath.IsAbs(out) {
		if err := os.MkdirAll(filepath.Join(h.work, filepath.Dir(out)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// checkOutputs checks that --out names something that now exists and is
// not empty (a file, or a directory with files in it).
func (h *harness) checkOutputs(t *testing.T, args []string) {
	t.Helper()
	out, ok := flagValue(args, "out")
	if !ok {
		return
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(h.work, out)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatalf("--out %s was not written: %v", out, err)
	}
	if fi.IsDir() {
		ents, err := os.ReadDir(out)
		if err != nil || len(ents) == 0 {
			t.Fatalf("--out directory %s is empty (%v)", out, err)
		}
	} else if fi.Size() == 0 {
		t.Fatalf("--out file %s is empty", out)
	}
}

// server is a background sockbench serve.
type server struct {
	args   []string
	cmd    *exec.Cmd
	cancel context.CancelFunc // interrupts the server (SIGINT)
	addr   string             // what it printed: host:port or a socket path
	unix   bool
	stdout *firstLine
	stderr lockedBuffer
	stdin  *os.File      // the write end of the server's stdin
	done   chan struct{} // closed when the process has exited
	code   int           // exit code, valid after done
}

// firstLine is a goroutine-safe writer that signals when the first line
// has arrived and keeps it.
type firstLine struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	first string
	ready chan struct{}
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.buf.Write(p)
	if f.first == "" {
		if line, _, ok := strings.Cut(f.buf.String(), "\n"); ok {
			f.first = strings.TrimSpace(line)
			close(f.ready)
		}
	}
	return len(p), nil
}

// lockedBuffer is a goroutine-safe bytes.Buffer.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer starts a documented serve command on a free loopback port
// (or a socket in the working directory) and waits for its address.
func (h *harness) startServer(t *testing.T, args []string) *server {
	t.Helper()
	s := &server{stdout: &firstLine{ready: make(chan struct{})}, done: make(chan struct{})}
	if _, ok := flagValue(args, "unix"); ok {
		h.socks++
		path := filepath.Join(h.work, fmt.Sprintf("s%d.sock", h.socks))
		args = append(withoutFlag(args, "unix"), "--unix", path)
		s.unix = true
	} else {
		args = append(withoutFlag(args, "addr"), "--addr", "127.0.0.1:0")
	}
	args = append(withoutFlag(args, "print-addr"), "--print-addr")
	s.args = args
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.cmd = exec.CommandContext(ctx, h.bin, args...)
	s.cmd.Dir = h.work
	s.cmd.Cancel = func() error { return s.cmd.Process.Signal(os.Interrupt) }
	s.cmd.WaitDelay = 10 * time.Second
	s.cmd.Stdout = s.stdout
	s.cmd.Stderr = &s.stderr
	// Stdin stays open until stop, as a terminal's would: "serve --control"
	// shuts down at the end of its input.
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s.stdin = stdinW
	s.cmd.Stdin = stdinR
	err = s.cmd.Start()
	stdinR.Close()
	if err != nil {
		cancel()
		stdinW.Close()
		t.Fatalf("start sockbench %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		defer close(s.done)
		_ = s.cmd.Wait()
		s.code = s.cmd.ProcessState.ExitCode()
	}()
	select {
	case <-s.stdout.ready:
		s.addr = s.stdout.first
		return s
	case <-s.done:
		cancel()
		s.stdin.Close()
		t.Fatalf("sockbench %s exited with %d before serving:\n%s", strings.Join(args, " "), s.code, s.stderr.String())
	case <-time.After(startTimeout):
		h.stop(t, s)
		t.Fatalf("sockbench %s printed no address in %v:\n%s", strings.Join(args, " "), startTimeout, s.stderr.String())
	}
	return nil
}

// stop interrupts a server, as Ctrl-C would, and checks that it shut down
// cleanly (exit 0).
func (h *harness) stop(t *testing.T, s *server) {
	t.Helper()
	s.cancel()
	<-s.done
	s.stdin.Close()
	if s.code != 0 {
		t.Errorf("sockbench %s: exit %d after interrupt:\n%s", strings.Join(s.args, " "), s.code, tail(s.stderr.String()))
	}
}

// stopBlock stops the servers of the current ```sh block.
func (h *harness) stopBlock() {
	for _, s := range h.block {
		h.stop(h.t, s)
	}
	h.block = nil
}

// stopAll stops every server still running.
func (h *harness) stopAll() {
	h.stopBlock()
	if h.shared != nil {
		h.stop(h.t, h.shared)
		h.shared = nil
	}
}

// target is the server a client or conform command talks to: the last one
// its block started, or else a shared seed server (sockbench serve
// --strategy goroutine), started on first use.
func (h *harness) target(t *testing.T) *server {
	t.Helper()
	if n := len(h.block); n > 0 {
		return h.block[n-1]
	}
	if h.shared == nil {
		h.shared = h.startServer(t, []string{"serve", "--strategy", "goroutine", "--quiet"})
	}
	return h.shared
}

// withAddr points a client or conform command at s, replacing the address
// it prints (the docs use the real defaults, such as localhost:9999).
func withAddr(args []string, s *server) []string {
	args = withoutFlag(withoutFlag(args, "addr"), "unix")
	flag := "--addr"
	if s.unix {
		flag = "--unix"
	}
	// Flags must come before the client's words.
	return append([]string{args[0], flag, s.addr}, args[1:]...)
}
