package serveproto

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
)

// The commands of the control channel, one per line on the server's stdin.
// End of input means QuitCommand.
const (
	// StatsCommand asks for one Stats line on stdout.
	StatsCommand = "stats"
	// QuitCommand asks the server to shut down.
	QuitCommand = "quit"
)

// RequestStats writes StatsCommand to a server's control channel w.
func RequestStats(w io.Writer) error {
	if _, err := io.WriteString(w, StatsCommand+"\n"); err != nil {
		return fmt.Errorf("ask for stats: %w", err)
	}
	return nil
}

// Control serves a control channel: it reads commands from in, one per
// line, and answers StatsCommand with ReadStats(conns()) written to out
// (see WriteStats); other lines are ignored. At QuitCommand, at end of
// input, or after a command once ctx is done, it calls stop and returns.
// out must be safe to write while the server writes to it too.
func Control(ctx context.Context, in io.Reader, out io.Writer, conns func() int, stop func()) {
	ControlStats(ctx, in, out, func() Stats { return ReadStats(conns()) }, stop)
}

// ControlStats is Control answering StatsCommand with stats(), for a
// server that adds to ReadStats (a strategy's Balance).
func ControlStats(ctx context.Context, in io.Reader, out io.Writer, stats func() Stats, stop func()) {
	defer stop()
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case StatsCommand:
			_ = WriteStats(out, stats()) // a closed stdout ends nothing here
		case QuitCommand:
			return
		}
		if ctx.Err() != nil {
			return
		}
	}
}
