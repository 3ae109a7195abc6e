package bench

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// A treeReading is what the live descendants of a server process use at
// one moment: CPU (each one's own, plus its reaped children's: the
// server's own reaped children are in its cutime, read with its stat),
// RSS summed, and how many there are. A process that forks a child per
// connection (fork) or runs workers (prefork) is measured as its tree:
// its own figures alone would make it look nearly free.
//
// The sum counts each process once: a live descendant's CPU is in the
// reading until it exits and its parent waits for it, and from then on in
// that parent's cutime. One reaped between the two reads of a reading is
// missed or counted twice in that reading only.
type treeReading struct {
	cpu   time.Duration
	rss   int64
	procs int // live descendants
}

// readTree scans /proc for the descendants of root and sums their
// counters. It reads every process's stat file, so it is sampled less
// often than the server's own files.
func readTree(root int) (treeReading, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return treeReading{}, fmt.Errorf("%w: %w", ErrNoProc, err)
	}
	type proc struct {
		st  procStat
		pid int
	}
	children := map[int][]proc{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // exited meanwhile
		}
		st, err := parseProcStat(b)
		if err != nil {
			continue
		}
		children[st.PPid] = append(children[st.PPid], proc{st, pid})
	}
	var tr treeReading
	queue := []int{root}
	for len(queue) > 0 && tr.procs < 1<<16 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			tr.procs++
			tr.cpu += c.st.CPU + c.st.ChildCPU
			if b, err := os.ReadFile("/proc/" + strconv.Itoa(c.pid) + "/status"); err == nil {
				if ss, err := parseProcStatus(b); err == nil {
					tr.rss += ss.RSS
				}
			}
			queue = append(queue, c.pid)
		}
	}
	return tr, nil
}

// jain is Jain's fairness index of xs: (Σx)² / (n·Σx²), 1 when all are
// equal, 1/n when one has everything; 0 for no data.
func jain(xs []int64) float64 {
	var sum, sq float64
	for _, x := range xs {
		f := float64(x)
		sum += f
		sq += f * f
	}
	if sq == 0 {
		return 0
	}
	return sum * sum / (float64(len(xs)) * sq)
}
