package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/strategies/child"
	"go.uber.org/goleak"
)

// TestMain removes the binary that sockbenchBinary built once for all tests,
// and fails the run if a test leaked a goroutine.
func TestMain(m *testing.M) {
	child.Main(child.Options{}) // a fork or prefork child of a test's in-process serve
	code := m.Run()
	if binPath != "" && buildErr == nil {
		os.RemoveAll(filepath.Dir(binPath))
	}
	if code == 0 {
		// ants (under gnet, for reference:gnet) starts its default pool,
		// two goroutines for the life of the process, when initialised.
		if err := goleak.Find(
			goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).purgeStaleWorkers"),
			goleak.IgnoreTopFunction("github.com/panjf2000/ants/v2.(*poolCommon).ticktock"),
		); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestCommandHelp checks that every command's help is complete and has
// the same sections (usage, flags, examples, exit status), is reachable as
// "help CMD", "CMD --help" and "CMD -h", always on stdout with exit status
// 0; and that an unknown flag exits 2 naming the flag, followed by one line
// pointing to the help instead of the whole help.
func TestCommandHelp(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c := commands[name]
			if c.summary == "" {
				t.Error("no summary")
			}
			for _, want := range []string{"Usage:", "sockbench " + name, "\nFlags", "\nExamples:", "\nExit status:"} {
				if !strings.Contains(c.usage, want) {
					t.Errorf("usage lacks %q", want)
				}
			}
			if !strings.Contains(c.usage, "Examples") {
				t.Error("usage has no examples")
			}
			for _, args := range [][]string{{"help", name}, {name, "--help"}, {name, "-h"}} {
				var out, errb bytes.Buffer
				if code := run(context.Background(), args, &out, &errb); code != 0 || out.String() != c.usage || errb.Len() != 0 {
					t.Errorf("%q: exit %d, stdout is usage: %v, stderr %q", args, code, out.String() == c.usage, errb.String())
				}
			}
			var out, errb bytes.Buffer
			if code := run(context.Background(), []string{name, "--no-such-flag"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "no-such-flag") {
				t.Errorf("unknown flag: exit %d, stderr %q", code, errb.String())
			}
			if lines := strings.Count(errb.String(), "\n"); lines > 2 || !strings.Contains(errb.String(), "sockbench help "+name) && !strings.Contains(errb.String(), "sockbench "+name+" --help") {
				t.Errorf("unknown flag: stderr has %d lines, want the error and one line pointing to \"sockbench help %s\":\n%s", lines, name, errb.String())
			}
		})
	}
}

func TestWantsHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"--addr", "x"}, false},
		{[]string{"--addr", "x", "-h"}, true},
		{[]string{"-help"}, true},
		{[]string{"--", "--help"}, false}, // a client word, not a flag
	} {
		if got := wantsHelp(tt.args); got != tt.want {
			t.Errorf("wantsHelp(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}
