package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/gosocketserver/socketserver/harness/bench"
)

// progressEvery is how often a bench that is not on a terminal writes a
// progress line; tests shorten it.
var progressEvery = 5 * time.Second

// progress shows a bench run's progress on stderr, never on stdout: on a
// terminal a bar (github.com/schollz/progressbar) with the count, the
// percentage and the estimated time left, redrawn in place; otherwise
// (a log, a CI job) one line every progressEvery with the same facts.
type progress struct {
	w     io.Writer
	tty   bool                     // w is a terminal: draw a bar
	bar   *progressbar.ProgressBar // the bar, made at the first update
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

// update is bench.Config.Progress: it is called before each sample.
func (p *progress) update(pr bench.Progress) {
	if p.tty {
		if p.bar == nil {
			p.bar = progressbar.NewOptions(pr.Total,
				progressbar.OptionSetWriter(p.w),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetElapsedTime(true),
				progressbar.OptionClearOnFinish(),
				progressbar.OptionSetWidth(30),
			)
		}
		p.bar.Describe(fmt.Sprintf("%s conns=%d %s rep %d", pr.Workload, pr.Conns, pr.Target, pr.Rep))
		_ = p.bar.Set(pr.Done)
		return
	}
	now := p.now()
	if !p.last.IsZero() && now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "sockbench bench: %s\n", progressLine(pr, now.Sub(p.start)))
}

// finish removes the bar, if any, before the table and the final lines.
func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
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
	return fmt.Sprintf("%d/%d samples (%d%%), %s; now %s conns=%d %s rep %d",
		pr.Done, pr.Total, pct, left, pr.Workload, pr.Conns, pr.Target, pr.Rep)
}
