package docs

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// docCommand is one sockbench command found in a fenced ```sh block.
type docCommand struct {
	File  string // path relative to the docs directory, e.g. "lessons/slow-client.md"
	Line  int    // 1-based line of the command's first line
	Block int    // index of the fenced block within File; servers live per block
	Text  string // the command as printed, without comment or "&"
	Args  []string
}

// name is the subtest name: file:line and the subcommand.
func (c docCommand) name() string {
	sub := "none"
	if len(c.Args) > 0 {
		sub = c.Args[0]
	}
	return fmt.Sprintf("%s:%d:%s", c.File, c.Line, sub)
}

// commandPrefixes are how a documented command may start; the rest of the
// line is sockbench's arguments.
var commandPrefixes = []string{"sockbench ", "go run ./cmd/sockbench "}

// extractCommands returns every sockbench command in the fenced ```sh
// blocks of text, in order. Lines ending in a backslash continue on the
// next line; a trailing "# comment" and a trailing "&" are dropped. Shell
// syntax the test cannot honour (pipes, redirections, substitutions,
// command lists) is an error, so the docs stay runnable as printed.
func extractCommands(file, text string) ([]docCommand, error) {
	var (
		out     []docCommand
		inSh    bool
		inFence bool
		block   = -1
		pending strings.Builder
		start   int
	)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			if inFence {
				if pending.Len() > 0 {
					return nil, fmt.Errorf("%s:%d: continuation line at the end of a block", file, start)
				}
				inFence, inSh = false, false
				continue
			}
			inFence = true
			info := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
			inSh = info == "sh"
			if inSh {
				block++
			}
			continue
		}
		if !inSh {
			continue
		}
		if pending.Len() == 0 {
			start = n
		}
		cont := strings.HasSuffix(trimmed, "\\")
		pending.WriteString(strings.TrimSpace(strings.TrimSuffix(trimmed, "\\")))
		if cont {
			pending.WriteString(" ")
			continue
		}
		full := strings.TrimSpace(pending.String())
		pending.Reset()
		var rest string
		for _, p := range commandPrefixes {
			if strings.HasPrefix(full, p) {
				rest = full[len(p):]
				break
			}
		}
		if rest == "" {
			continue
		}
		args, err := splitCommand(rest)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, start, err)
		}
		textNoComment := full
		if i := commentStart(full); i >= 0 {
			textNoComment = strings.TrimSpace(full[:i])
		}
		textNoComment = strings.TrimSpace(strings.TrimSuffix(textNoComment, "&"))
		out = append(out, docCommand{File: file, Line: start, Block: block, Text: textNoComment, Args: args})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if inFence {
		return nil, fmt.Errorf("%s: unterminated code fence", file)
	}
	return out, nil
}

// commentStart returns the index of a "#" that starts a shell comment
// (outside quotes, at the start or after a space), or -1.
func commentStart(s string) int {
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return i
		}
	}
	return -1
}

// splitCommand splits a command line into words like a shell would for the
// simple cases the docs use: spaces separate words, single and double
// quotes group them, "# ..." is a comment and a final "&" runs the command
// in the background (the test decides that by subcommand anyway). Anything
// else a shell would interpret is an error.
func splitCommand(s string) ([]string, error) {
	if i := commentStart(s); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(s, "&"))
	var (
		words []string
		cur   strings.Builder
		inW   bool
		quote byte
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == quote {
				quote = 0
				continue
			}
			if quote == '"' && (c == '$' || c == '`') {
				return nil, fmt.Errorf("unsupported shell syntax %q in %q", c, s)
			}
			cur.WriteByte(c)
			continue
		}
		switch c {
		case ' ', '\t':
			if inW {
				words = append(words, cur.String())
				cur.Reset()
				inW = false
			}
		case '\'', '"':
			quote, inW = c, true
		case '|', '>', '<', ';', '&', '$', '`', '(', ')', '*', '?', '\\':
			return nil, fmt.Errorf("unsupported shell syntax %q in %q", c, s)
		default:
			cur.WriteByte(c)
			inW = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in %q", s)
	}
	if inW {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("no subcommand in %q", s)
	}
	return words, nil
}

// docFiles lists the Markdown files whose commands are run: every .md file
// under the docs directory, sorted, then the repository's README.md.
func docFiles() ([]string, error) {
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".md") {
			files = append(files, filepath.ToSlash(path))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list docs: %w", err)
	}
	sort.Strings(files)
	return append(files, "../README.md"), nil
}

// allCommands extracts the commands of every documentation file.
func allCommands() ([]docCommand, error) {
	files, err := docFiles()
	if err != nil {
		return nil, err
	}
	var all []docCommand
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		cmds, err := extractCommands(f, string(b))
		if err != nil {
			return nil, err
		}
		all = append(all, cmds...)
	}
	return all, nil
}
