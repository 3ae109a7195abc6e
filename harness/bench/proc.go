package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// ErrNoProc reports that /proc is unavailable (not Linux) or the process is
// gone; server metrics that need it are left unmeasured.
var ErrNoProc = errors.New("no /proc data")

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// procStat is what the harness reads from /proc/PID/stat.
type procStat struct {
	CPU      time.Duration // utime + stime
	ChildCPU time.Duration // cutime + cstime: children that exited and were waited for
	PPid     int
}

// parseProcStat parses the contents of /proc/PID/stat. The command name
// (field 2) is in parentheses and may itself contain spaces and
// parentheses, so fields are counted from the last ')'.
func parseProcStat(b []byte) (procStat, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("parse /proc stat: no ')' after the command name")
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3 (state); ppid is field 4, utime field 14, stime
	// 15, cutime 16 and cstime 17.
	const ppid, utime, stime, cutime, cstime = 4 - 3, 14 - 3, 15 - 3, 16 - 3, 17 - 3
	if len(f) <= cstime {
		return procStat{}, fmt.Errorf("parse /proc stat: %d fields after the command name, want at least %d", len(f), cstime+1)
	}
	u, err1 := strconv.ParseUint(string(f[utime]), 10, 64)
	s, err2 := strconv.ParseUint(string(f[stime]), 10, 64)
	cu, err3 := strconv.ParseUint(string(f[cutime]), 10, 64)
	cs, err4 := strconv.ParseUint(string(f[cstime]), 10, 64)
	pp, err5 := strconv.Atoi(string(f[ppid]))
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		return procStat{}, fmt.Errorf("parse /proc stat: ppid/utime/stime/cutime/cstime: %w", err)
	}
	return procStat{CPU: time.Duration(u+s) * clockTick, ChildCPU: time.Duration(cu+cs) * clockTick, PPid: pp}, nil
}

// procStatus is what the harness reads from /proc/PID/status.
type procStatus struct {
	RSS         int64 // VmRSS, bytes
	HWM         int64 // VmHWM (peak RSS), bytes
	CtxSwitches int64 // voluntary + nonvoluntary
	Threads     int
}

// parseProcStatus parses the contents of /proc/PID/status. Missing lines
// leave their field zero; a malformed value is an error.
func parseProcStatus(b []byte) (procStatus, error) {
	var st procStatus
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		key, val, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		var dst *int64
		kb := false
		switch string(key) {
		case "VmRSS":
			dst, kb = &st.RSS, true
		case "VmHWM":
			dst, kb = &st.HWM, true
		case "voluntary_ctxt_switches", "nonvoluntary_ctxt_switches":
			var n int64
			if err := parseStatusInt(key, val, false, &n); err != nil {
				return procStatus{}, err
			}
			st.CtxSwitches += n
			continue
		case "Threads":
			var n int64
			if err := parseStatusInt(key, val, false, &n); err != nil {
				return procStatus{}, err
			}
			st.Threads = int(n)
			continue
		default:
			continue
		}
		if err := parseStatusInt(key, val, kb, dst); err != nil {
			return procStatus{}, err
		}
	}
	return st, nil
}

// parseStatusInt parses "   1234 kB" (kb) or "   1234" into dst, in bytes
// when kb.
func parseStatusInt(key, val []byte, kb bool, dst *int64) error {
	f := bytes.Fields(val)
	if len(f) == 0 {
		return fmt.Errorf("parse /proc status: %s: no value", key)
	}
	n, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil {
		return fmt.Errorf("parse /proc status: %s: %w", key, err)
	}
	if kb {
		if len(f) < 2 || string(f[1]) != "kB" {
			return fmt.Errorf("parse /proc status: %s: want a value in kB, got %q", key, bytes.TrimSpace(val))
		}
		n *= 1024
	}
	*dst = n
	return nil
}

// procFiles reads one process's stat and status files, reusing open files
// and a buffer so that frequent sampling stays cheap. It is not safe for
// concurrent use.
type procFiles struct {
	pid          int
	stat, status *os.File
	buf          []byte
}

func openProc(pid int) (*procFiles, error) {
	stat, err := os.Open(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoProc, err)
	}
	status, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		stat.Close()
		return nil, fmt.Errorf("%w: %w", ErrNoProc, err)
	}
	return &procFiles{pid: pid, stat: stat, status: status, buf: make([]byte, 8192)}, nil
}

func (p *procFiles) read(f *os.File) ([]byte, error) {
	n, err := f.ReadAt(p.buf, 0)
	if n == 0 && err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoProc, err)
	}
	return p.buf[:n], nil
}

func (p *procFiles) readStat() (procStat, error) {
	b, err := p.read(p.stat)
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(b)
}

func (p *procFiles) readStatus() (procStatus, error) {
	b, err := p.read(p.status)
	if err != nil {
		return procStatus{}, err
	}
	return parseProcStatus(b)
}

// ctxSwitches sums the voluntary and nonvoluntary context switches of
// every thread of the process: /proc/PID/status counts the main thread's
// only. Threads that have exited are not counted (Go rarely ends one).
func (p *procFiles) ctxSwitches() (int64, error) {
	dir := fmt.Sprintf("/proc/%d/task", p.pid)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNoProc, err)
	}
	var n int64
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/status")
		if err != nil {
			continue // the thread ended
		}
		st, err := parseProcStatus(b)
		if err != nil {
			return 0, err
		}
		n += st.CtxSwitches
	}
	return n, nil
}

func (p *procFiles) Close() error {
	return errors.Join(p.stat.Close(), p.status.Close())
}
