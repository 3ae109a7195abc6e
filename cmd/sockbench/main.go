// Command sockbench serves, checks, benchmarks and compares socket servers
// built from one handler and interchangeable concurrency strategies.
//
// Usage:
//
//	sockbench <command> [flags] [args]
//
// Run "sockbench help" for the list of commands and "sockbench help COMMAND"
// for one command's flags and examples.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/gosocketserver/socketserver/strategies/child"
)

// command is one subcommand. Each lives in its own file and registers itself
// from an init function with register.
type command struct {
	name    string
	summary string // one line for the command list
	// usage is the full help text: synopsis, flags description and examples.
	usage string
	// run executes the command. args excludes the command name. It returns
	// the process exit code: 0 success, 1 failure (or regression), 2 bad usage.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands = map[string]*command{}

// stdin is where commands read an input file named "-"; tests replace it.
var stdin io.Reader = os.Stdin

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("sockbench: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	child.Main(child.Options{}) // a fork or prefork child serves and exits here
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand; it is main without the process around it,
// so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-version", "--version":
		return commands["version"].run(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fmt.Fprint(stdout, c.usage)
				return 0
			}
			fmt.Fprintf(stderr, "sockbench: unknown command %q\n", args[1])
			printUsage(stderr)
			return 2
		}
		printUsage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "sockbench: unknown command %q\nrun \"sockbench help\" for the list of commands\n", name)
		return 2
	}
	if wantsHelp(args[1:]) {
		fmt.Fprint(stdout, c.usage)
		return 0
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// wantsHelp reports whether a command's arguments ask for its help (-h,
// -help or --help before any "--"), which then goes to stdout with exit
// status 0, as "sockbench help COMMAND" does.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// newFlagSet returns the flag set of command name: errors go to stderr,
// followed by one line pointing to the command's help (not the whole help,
// which would bury the error).
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintf(stderr, "run \"sockbench help %s\" for usage\n", name) }
	return fs
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "sockbench serves, checks, benchmarks and compares socket servers.\n\nUsage:\n\n\tsockbench <command> [flags] [args]\n\nCommands:\n\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\t%-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprint(w, `
Results (tables, runs, reports) go to stdout; progress, notes and errors
to stderr. A file argument or --out of "-" is stdin or stdout.

Exit status: 0 success; 1 failure (a regression, a write error, an
unmeasured scenario); 2 bad usage; 3 an input that is missing, unreadable
or not a run (a run file; for conform, a server at the address). "sockbench help COMMAND" says which apply.

Run "sockbench help <command>" for a command's flags and examples,
"sockbench version" for this build.
`)
}
