package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/gosocketserver/socketserver/harness/bench"
)

// progressEvery is how often a bench that is not on a terminal writes a
// progress line; tests shorten it.
var progressEvery = 5 * time.Second

// progress shows a bench run's progress on stderr, never on stdout: on a
// terminal one status line redrawn in place with the count, the
// percentage and the estimated time left; otherwise (a log, a CI job) the
// same line every progressEvery.
//
// It is not github.com/schollz/progressbar, tried first: that library
// imports net/http (for its StartHTTPServer), which linked net/http and
// crypto/tls into the binary that is also the measured server, making it
// 2.1 MB larger (6.7 to 8.8 MB) and its resident memory at start 1.1 MB
// larger (5.9 to 7.0 MB), against the design's rule that the measured
// binary carries only serving. One carriage return and one erase-line
// code are all a status line needs.
type progress struct {
	w     io.Writer
	tty   bool // w is a terminal: redraw one line in place
	drawn bool // a status line is on the terminal
	now   func() time.Time
	start time.Time
	last  time.Time // when the last line was written; zero before the first
}

// newProgress returns the progress display for stderr.
func newProgress(stderr io.Writer) *progress {
	p := &progress{w: stderr, now: time.Now}
	p.start = p.now()
	f, ok := stderr.(*os.File)
	p.tty = ok && term.IsTerminal(int(f.Fd()))
	return p
}

// eraseLine returns the cursor to the start of the line and clears it.
const eraseLine = "\r\033[K"

// update is bench.Config.Progress: it is called before each sample.
func (p *progress) update(pr bench.Progress) {
	now := p.now()
	if p.tty {
		fmt.Fprintf(p.w, "%s%s", eraseLine, progressLine(pr, now.Sub(p.start)))
		p.drawn = true
		return
	}
	if !p.last.IsZero() && now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "sockbench bench: %s\n", progressLine(pr, now.Sub(p.start)))
}

// finish removes the status line, if any, before the table and the final
// lines.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprint(p.w, eraseLine)
		p.drawn = false
	}
}

// progressLine says how far a run is after elapsed, e.g. "54/120 samples
// (45%), about 40s left; now keepalive conns=16 goroutine rep 3".
func progressLine(pr bench.Progress, elapsed time.Duration) string {
	pct := 0
	if pr.Total > 0 {
		pct = 100 * pr.Done / pr.Total
	}
	left := "time left unknown yet"
	if pr.Done > 0 {
		rest := elapsed * time.Duration(pr.Total-pr.Done) / time.Duration(pr.Done)
		left = "about " + rest.Round(time.Second).String() + " left"
	}
	now := fmt.Sprintf("rep %d", pr.Rep)
	if pr.SLORate > 0 {
		now = pr.SLOStepText()
	}
	return fmt.Sprintf("%d/%d samples (%d%%), %s; now %s conns=%d %s %s",
		pr.Done, pr.Total, pct, left, pr.Workload, pr.Conns, pr.Target, now)
}
