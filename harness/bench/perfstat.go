package bench

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gosocketserver/socketserver/results"
)

// ErrPerf is wrapped by errors about perf stat: not installed, refused
// by the kernel, or not answering its control channel.
var ErrPerf = errors.New("perf stat")

// perfEvents maps the perf events the harness counts to the counters of
// results.Sample.Counts they fill. The tracepoint counts in software, so
// it works where the hardware counters are not exposed (most VMs).
var perfEvents = []struct{ event, counter string }{
	{"raw_syscalls:sys_enter", results.CountSyscalls},
	{"instructions", results.CountInstructions},
}

// perfTimeout bounds each exchange with perf: an enable or disable
// acknowledged, the final counts printed after SIGINT.
const perfTimeout = 3 * time.Second

// perfEventList is perfEvents' events joined for -e.
func perfEventList() string {
	names := make([]string, len(perfEvents))
	for i, e := range perfEvents {
		names[i] = e.event
	}
	return strings.Join(names, ",")
}

// ProbePerf reports, for each counter perf can fill, how it is measured
// here or, starting with results.Unsupported, why not: it runs
// "perf stat" once over /bin/true.
func ProbePerf(ctx context.Context) map[string]string {
	out := map[string]string{}
	unsupported := func(why string) map[string]string {
		for _, e := range perfEvents {
			out[e.counter] = results.Unsupported + ": " + why
		}
		return out
	}
	path, err := exec.LookPath("perf")
	if err != nil {
		return unsupported("perf not found in PATH")
	}
	ctx, cancel := context.WithTimeout(ctx, perfTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "stat", "-x,", "-e", perfEventList(), "--", "/bin/true")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return unsupported(fmt.Sprintf("perf stat failed (%v): %s", err, firstLine(stderr.String())))
	}
	counts, missing := parsePerfCSV(stderr.Bytes())
	for _, e := range perfEvents {
		if _, ok := counts[e.counter]; ok {
			out[e.counter] = "perf stat -e " + e.event
		} else {
			out[e.counter] = results.Unsupported + ": perf stat -e " + e.event + ": " + cmp.Or(missing[e.counter], "not counted")
		}
	}
	return out
}

// parsePerfCSV parses the output of "perf stat -x,": one line per event,
// "VALUE,UNIT,EVENT,...". It returns the counts by counter name, and for
// events perf could not count, what it printed instead ("<not
// supported>"). Other lines ("Events enabled") are skipped.
func parsePerfCSV(b []byte) (counts map[string]int64, missing map[string]string) {
	counts, missing = map[string]int64{}, map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		if len(f) < 3 {
			continue
		}
		for _, e := range perfEvents {
			if f[2] != e.event {
				continue
			}
			if n, err := strconv.ParseInt(f[0], 10, 64); err == nil && n >= 0 {
				counts[e.counter] = n
			} else if f[0] == "<not counted>" {
				counts[e.counter] = 0 // the process never ran while counting was on
			} else {
				missing[e.counter] = f[0]
			}
		}
	}
	return counts, missing
}

// perfStat is a "perf stat" process counting one server process's events,
// started disabled and switched on and off through its control channel
// (--control fd:3,4), so that it counts exactly between the edges of the
// measured interval.
type perfStat struct {
	cmd    *exec.Cmd
	ctl    *os.File      // perf's fd 3: commands
	ack    *bufio.Reader // perf's fd 4: "ack" after each
	ackF   *os.File
	stderr bytes.Buffer
	acks   chan error
	mu     sync.Mutex
}

// startPerf starts perf stat on pid with its events disabled.
func startPerf(ctx context.Context, pid int) (*perfStat, error) {
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPerf, err)
	}
	ackR, ackW, err := os.Pipe()
	if err != nil {
		ctlR.Close()
		ctlW.Close()
		return nil, fmt.Errorf("%w: %w", ErrPerf, err)
	}
	p := &perfStat{ctl: ctlW, ackF: ackR, ack: bufio.NewReader(ackR)}
	p.cmd = exec.CommandContext(ctx, "perf", "stat", "-x,", "-D", "-1", "--control", "fd:3,4",
		"-e", perfEventList(), "-p", strconv.Itoa(pid))
	p.cmd.ExtraFiles = []*os.File{ctlR, ackW}
	p.cmd.Stderr = &p.stderr
	p.cmd.WaitDelay = perfTimeout
	dieWithHarness(p.cmd)
	err = p.cmd.Start()
	ctlR.Close()
	ackW.Close()
	if err != nil {
		ctlW.Close()
		ackR.Close()
		return nil, fmt.Errorf("%w: %w", ErrPerf, err)
	}
	return p, nil
}

// command sends "enable" or "disable" and waits for perf's
// acknowledgement.
func (p *perfStat) command(c string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := io.WriteString(p.ctl, c+"\n"); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrPerf, c, err)
	}
	_ = p.ackF.SetReadDeadline(time.Now().Add(perfTimeout))
	line, err := p.ack.ReadString('\n')
	if err != nil {
		return fmt.Errorf("%w: %s: no acknowledgement: %w", ErrPerf, c, err)
	}
	if strings.Trim(line, "\x00 \n") != "ack" { // perf ends "ack\n" with a NUL, sent before the next

		return fmt.Errorf("%w: %s: perf answered %q", ErrPerf, c, line)
	}
	return nil
}

// stop ends perf (SIGINT makes it print its counts, then SIGKILL after
// perfTimeout) and returns the counts by counter name.
func (p *perfStat) stop() (map[string]int64, error) {
	p.ctl.Close()
	defer p.ackF.Close()
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(perfTimeout):
		_ = p.cmd.Process.Kill()
		<-done
		return nil, fmt.Errorf("%w: did not exit within %s of SIGINT", ErrPerf, perfTimeout)
	}
	counts, _ := parsePerfCSV(p.stderr.Bytes())
	if len(counts) == 0 {
		return nil, fmt.Errorf("%w: no counts: %s", ErrPerf, firstLine(p.stderr.String()))
	}
	return counts, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
