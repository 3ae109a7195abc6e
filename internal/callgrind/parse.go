package callgrind

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// SelfCosts parses a callgrind output file (format version 1, event Ir
// first) and returns each function's self cost: the instructions executed
// in its own code, not in the functions it calls.
func SelfCosts(r io.Reader) (map[string]int64, error) {
	names := map[string]string{} // compressed "(id)" -> name
	costs := map[string]int64{}
	cur := ""
	skipNext := false // the cost line after "calls=" is a call's inclusive cost
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "fn="):
			cur = name(names, line[len("fn="):])
		case strings.HasPrefix(line, "cfn="):
			name(names, line[len("cfn="):])
		case strings.HasPrefix(line, "calls="):
			skipNext = true
		case line != "" && (isDigit(line[0]) || line[0] == '+' || line[0] == '-' || line[0] == '*'):
			if skipNext {
				skipNext = false
				continue
			}
			f := strings.Fields(line)
			if len(f) < 2 {
				continue // a position without costs
			}
			v, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("callgrind output line %d: cost %q: %w", n, f[1], err)
			}
			costs[cur] += v
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read callgrind output: %w", err)
	}
	return costs, nil
}

// name resolves a possibly compressed function name, "(12) pkg.F" (which
// defines id 12) or "(12)" (which refers to it), recording definitions in
// names.
func name(names map[string]string, s string) string {
	if !strings.HasPrefix(s, "(") {
		return s
	}
	id, rest, ok := strings.Cut(s, ")")
	if !ok {
		return s
	}
	id += ")"
	if rest = strings.TrimSpace(rest); rest != "" {
		names[id] = rest
		return rest
	}
	return names[id]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// Counted reports whether the instructions of function fn count as the
// code under test's: everything but the Go runtime, whose memory
// primitives (memmove, memclr, memequal...) count nevertheless, as the
// code under test calls them directly, as do assembly bodies such as
// indexbytebody.
func Counted(fn string) bool {
	switch {
	case strings.HasPrefix(fn, "runtime.mem"):
		return true
	case schedulerAsm[fn]:
		return false
	}
	return !strings.HasPrefix(fn, "runtime.") && !strings.HasPrefix(fn, "internal/runtime/")
}

// schedulerAsm are the runtime's assembly routines that callgrind names
// without their package: the goroutine switches of a preemption.
var schedulerAsm = map[string]bool{"gogo": true, "gosave_systemstack_switch": true, "setg_gcc": true, "mcall": true}

// countedTotal sums the self costs of the counted functions.
func countedTotal(costs map[string]int64) int64 {
	var n int64
	for fn, c := range costs {
		if Counted(fn) {
			n += c
		}
	}
	return n
}
