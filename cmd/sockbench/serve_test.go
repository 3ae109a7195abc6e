package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// serveProc runs "sockbench serve" in-process and returns its bound address,
// the stream of its stdout lines, and a stop function that returns its exit
// code and stderr.
func serveProc(t *testing.T, args ...string) (addr string, lines <-chan string, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--print-addr"}, args...), pw, &stderr)
		pw.Close()
	}()
	ch := make(chan string, 100)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		defer close(ch)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case ch <- sc.Text():
			default: // nobody reading: drop
			}
		}
	}()
	select {
	case addr = <-ch:
	case c := <-code:
		cancel()
		<-drained
		t.Fatalf("serve exited with %d: %s", c, stderr.String())
	case <-time.After(30 * time.Second): // a prefork serve prints it once its workers serve
		t.Fatal("serve printed no address")
	}
	stopped := false
	stop = func() (int, string) {
		if stopped {
			return 0, ""
		}
		stopped = true
		cancel()
		c := <-code
		<-drained
		return c, stderr.String()
	}
	t.Cleanup(func() { stop() })
	return addr, ch, stop
}

func TestServeAndClientEveryStrategy(t *testing.T) {
	for _, strategy := range []string{"sync", "goroutine", "pool:workers=4", "pool:workers=2,queue=4,refuse"} {
		t.Run(strategy, func(t *testing.T) {
			addr, lines, stop := serveProc(t, "--strategy", strategy)
			var out, errb bytes.Buffer
			if c := run(context.Background(), []string{"client", "--addr", addr, "hello", "world", "with", "TCP"}, &out, &errb); c != 0 {
				t.Fatalf("client exit %d: %s", c, errb.String())
			}
			if want := "Sent:     hello world with TCP\nReceived: HELLO WORLD WITH TCP\n"; out.String() != want {
				t.Fatalf("client printed %q, want %q", out.String(), want)
			}
			// The server logs the request like the seed does.
			for _, want := range []string{"127.0.0.1 wrote:", "b'hello world with TCP'"} {
				select {
				case got := <-lines:
					if got != want {
						t.Fatalf("server log line %q, want %q", got, want)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("server did not log %q", want)
				}
			}
			if c, stderr := stop(); c != 0 {
				t.Fatalf("serve exit %d after graceful stop: %s", c, stderr)
			}
		})
	}
}

// seedClient extracts the seed's Python client from the shared seed page
// beside the repository, changing only where it connects.
func seedClient(t *testing.T, addr string) string {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "seed", "socketserver-TCPServer.md"))
	if err != nil {
		t.Skipf("the seed page is not beside the repository (../shared/seed): %v", err)
	}
	m := regexp.MustCompile("(?s)```python\n(import socket\n.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("no client code in the seed page")
	}
	host, port, _ := strings.Cut(addr, ":")
	code := strings.Replace(string(m[1]), `HOST, PORT = "localhost", 9999`, `HOST, PORT = "`+host+`", `+port, 1)
	if code == string(m[1]) {
		t.Fatal("the seed client's HOST, PORT line changed; update this test")
	}
	path := filepath.Join(t.TempDir(), "client.py")
	if err := os.WriteFile(path, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSeedPythonClientEveryStrategy(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH")
	}
	for _, strategy := range []string{"sync", "goroutine", "pool", "fork", "prefork:procs=2"} {
		for _, handler := range []string{"upper", "upper-recv"} {
			t.Run(strategy+"/"+handler, func(t *testing.T) {
				addr, _, _ := serveProc(t, "--strategy", strategy, "--handler", handler)
				client := seedClient(t, addr)
				out, err := exec.Command(py, client, "hello", "world", "with", "TCP").CombinedOutput()
				if err != nil {
					t.Fatalf("python client: %v\n%s", err, out)
				}
				if want := "Sent:     hello world with TCP\nReceived: HELLO WORLD WITH TCP\n"; string(out) != want {
					t.Fatalf("python client printed %q, want %q", out, want)
				}
			})
		}
	}
}

func TestServeBadFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--strategy", "forky"}, `unknown strategy "forky"`},
		{[]string{"--strategy", "fork:max-children=0"}, `option max-children="0": want an integer in 1..4096`},
		{[]string{"--handler", "cpu:rounds=x"}, "want an integer"},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"--strategy", "pool:queue=100000000000000"}, `option queue="100000000000000": want an integer in 0..100000`},
		{[]string{"--strategy", "pool:workers=1000000"}, `option workers="1000000": want an integer in 1..10000`},
		{[]string{"--handler", "echo:buf=100000000000"}, `option buf="100000000000": want an integer in 1..16777216`},
		{[]string{"--backlog", "-1"}, `invalid value "-1" for flag -backlog: want an integer in 1..65535`},
		{[]string{"--backlog", "0"}, `invalid value "0" for flag -backlog: want an integer in 1..65535`},
		{[]string{"--backlog", "99999999999"}, `invalid value "99999999999" for flag -backlog: want an integer in 1..65535`},
		{[]string{"--shutdown-timeout", "0"}, `invalid value "0" for flag -shutdown-timeout: want a duration in 1ns..1h0m0s`},
		{[]string{"--shutdown-timeout", "-1s"}, `invalid value "-1s" for flag -shutdown-timeout: want a duration in 1ns..1h0m0s`},
	} {
		var out, errb bytes.Buffer
		if c := run(context.Background(), append([]string{"serve"}, tt.args...), &out, &errb); c != 2 {
			t.Errorf("serve %v: exit %d, want 2", tt.args, c)
		}
		if !strings.Contains(errb.String(), tt.want) {
			t.Errorf("serve %v: stderr %q lacks %q", tt.args, errb.String(), tt.want)
		}
	}
}

func TestServeAddressInUse(t *testing.T) {
	addr, _, _ := serveProc(t, "--reuse-address=false")
	var out, errb bytes.Buffer
	if c := run(context.Background(), []string{"serve", "--addr", addr, "--reuse-address=false"}, &out, &errb); c != 1 {
		t.Fatalf("second serve on %s: exit %d, want 1", addr, c)
	}
	if !strings.Contains(errb.String(), "address already in use") {
		t.Fatalf("stderr %q", errb.String())
	}
}

func TestClientErrors(t *testing.T) {
	var out, errb bytes.Buffer
	// A port nobody listens on: bind one and close it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	if c := run(context.Background(), []string{"client", "--addr", free, "x"}, &out, &errb); c != 1 {
		t.Fatalf("client to a closed port: exit %d", c)
	}
	if !strings.Contains(errb.String(), "connection refused") {
		t.Fatalf("stderr %q", errb.String())
	}
}

func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if c := run(context.Background(), []string{"help"}, &out, &errb); c != 0 {
		t.Fatal(c)
	}
	for _, want := range []string{"serve", "client"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
	out.Reset()
	if c := run(context.Background(), []string{"help", "serve"}, &out, &errb); c != 0 || !strings.Contains(out.String(), "pool") {
		t.Errorf("help serve: exit %d, %q", c, out.String())
	}
	if c := run(context.Background(), []string{"frobnicate"}, &out, &errb); c != 2 {
		t.Errorf("unknown command: exit %d", c)
	}
}

// TestServeUsageNamesEveryFlag keeps the hand-written help of serve and
// refserve in step with the flags serveproto defines and their defaults.
func TestServeUsageNamesEveryFlag(t *testing.T) {
	serve, ref := serveproto.DefaultServe(), serveproto.DefaultRefServe()
	for _, tt := range []struct {
		command  string
		register func(*flag.FlagSet)
	}{
		{serveproto.ServeCommand, serve.Register},
		{serveproto.RefServeCommand, ref.Register},
	} {
		fs := flag.NewFlagSet(tt.command, flag.ContinueOnError)
		tt.register(fs)
		usage := commands[tt.command].usage
		fs.VisitAll(func(f *flag.Flag) {
			_, doc, ok := strings.Cut(usage, "\n  --"+f.Name+" ")
			if !ok {
				t.Errorf("help of %s does not describe --%s", tt.command, f.Name)
				return
			}
			doc, _, _ = strings.Cut(doc, "\n  --") // up to the next flag
			doc, _, _ = strings.Cut(doc, "\n\n")   // or the end of the list
			if i := strings.LastIndex(f.Usage, " ("); i >= 0 && strings.HasSuffix(f.Usage, ")") {
				if r := f.Usage[i+2 : len(f.Usage)-1]; !strings.Contains(doc, r) {
					t.Errorf("help of %s does not give --%s's range %s:\n%s", tt.command, f.Name, r, doc)
				}
			}
			switch f.DefValue {
			case "", "false", "0":
				return // the help need not name a zero default
			}
			if !strings.Contains(doc, "default "+f.DefValue) && !strings.Contains(doc, `default "`+f.DefValue+`"`) {
				t.Errorf("help of %s does not give --%s's default %s:\n%s", tt.command, f.Name, f.DefValue, doc)
			}
		})
	}
}
