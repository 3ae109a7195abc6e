package docs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtractCommands(t *testing.T) {
	const page = "# Title\n" +
		"```sh\n" +
		"go run ./cmd/sockbench serve --strategy goroutine &   # the server\n" +
		"sockbench client --addr localhost:9999 hello 'two words'\n" +
		"python3 client.py   # not ours\n" +
		"```\n" +
		"```go\n" +
		"sockbench bench // not a shell block\n" +
		"```\n" +
		"text sockbench help\n" +
		"```sh\n" +
		"sockbench bench --strategies sync,goroutine \\\n" +
		"    --duration 1s\n" +
		"```\n"
	got, err := extractCommands("p.md", page)
	if err != nil {
		t.Fatal(err)
	}
	want := []docCommand{
		{File: "p.md", Line: 3, Block: 0, Text: "go run ./cmd/sockbench serve --strategy goroutine", Args: []string{"serve", "--strategy", "goroutine"}},
		{File: "p.md", Line: 4, Block: 0, Text: "sockbench client --addr localhost:9999 hello 'two words'", Args: []string{"client", "--addr", "localhost:9999", "hello", "two words"}},
		{File: "p.md", Line: 12, Block: 1, Text: "sockbench bench --strategies sync,goroutine --duration 1s", Args: []string{"bench", "--strategies", "sync,goroutine", "--duration", "1s"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("extractCommands (-want +got):\n%s", diff)
	}
}

func TestExtractCommandsRejectsShellSyntax(t *testing.T) {
	for _, line := range []string{
		"sockbench bench | tee out",
		"sockbench bench > out.txt",
		"sockbench client $WORDS",
		"sockbench client \"$(date)\"",
		"sockbench serve; sockbench client hi",
		"sockbench client 'unterminated",
		"sockbench report runs/*.json",
	} {
		if _, err := extractCommands("p.md", "```sh\n"+line+"\n```\n"); err == nil {
			t.Errorf("extractCommands accepted %q", line)
		}
	}
	if _, err := extractCommands("p.md", "```sh\nsockbench help\n"); err == nil {
		t.Error("extractCommands accepted an unterminated fence")
	}
}

func TestFlagHelpers(t *testing.T) {
	args := []string{"client", "--addr", "a:1", "--unix=/x", "hi", "--addr=b:2"}
	if v, ok := flagValue(args, "addr"); !ok || v != "b:2" {
		t.Errorf("flagValue(addr) = %q, %v; want b:2, true (the last one wins)", v, ok)
	}
	if _, ok := flagValue(args, "out"); ok {
		t.Error("flagValue(out) found a flag that is not there")
	}
	got := withAddr(args, &server{addr: "127.0.0.1:5"})
	want := []string{"client", "--addr", "127.0.0.1:5", "hi"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("withAddr (-want +got):\n%s", diff)
	}
}
