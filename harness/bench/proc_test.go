package bench

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseProcStat(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      string
		want    procStat
		wantErr bool
	}{
		{"plain", "1815 (sockbench) S 1812 1812 4994 0 -1 4194304 98 0 0 0 123 45 0 0 20 0 9 0 796217 3133440 382 18446744073709551615 0\n",
			procStat{CPU: 168 * 10 * time.Millisecond, PPid: 1812}, false},
		{"spaces and parens in the name", "7 (a b) c)) R 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 0 0 0\n",
			procStat{CPU: 3 * 10 * time.Millisecond, PPid: 1}, false},
		{"reaped children", "9 (fork) S 5 9 9 0 -1 0 0 0 0 0 4 1 300 20 20 0 1 0 0 0 0\n",
			procStat{CPU: 5 * 10 * time.Millisecond, ChildCPU: 320 * 10 * time.Millisecond, PPid: 5}, false},
		{"zero", "1 (x) S 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0", procStat{}, false},
		{"no paren", "1 x S 0 0", procStat{}, true},
		{"truncated", "1 (x) S 0 0 0 0 0 0 0 0 0 0 5", procStat{}, true},
		{"not a number", "1 (x) S 0 0 0 0 0 0 0 0 0 0 u s 0", procStat{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStat([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseProcStat (-want +got):\n%s", diff)
			}
		})
	}
}

const sampleStatus = `Name:	sockbench
Umask:	0022
State:	S (sleeping)
Pid:	4242
VmPeak:	 1262336 kB
VmSize:	 1262336 kB
VmHWM:	   12004 kB
VmRSS:	   11000 kB
Threads:	7
voluntary_ctxt_switches:	1500
nonvoluntary_ctxt_switches:	42
`

func TestParseProcStatus(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      string
		want    procStatus
		wantErr bool
	}{
		{"full", sampleStatus, procStatus{RSS: 11000 << 10, HWM: 12004 << 10, CtxSwitches: 1542, Threads: 7}, false},
		{"kernel thread without Vm lines", "Name:\tkthreadd\nvoluntary_ctxt_switches:\t3\nnonvoluntary_ctxt_switches:\t0", procStatus{CtxSwitches: 3}, false},
		{"empty", "", procStatus{}, false},
		{"bad number", "VmRSS:\t  12x kB\n", procStatus{}, true},
		{"missing unit", "VmHWM:\t  12\n", procStatus{}, true},
		{"no value", "voluntary_ctxt_switches:\n", procStatus{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStatus([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseProcStatus (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProcSelf reads this process's own files, which must parse.
func TestProcSelf(t *testing.T) {
	pf, err := openProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	st, err := pf.readStatus()
	if err != nil {
		t.Fatal(err)
	}
	if st.RSS <= 0 || st.HWM < st.RSS || st.Threads < 1 {
		t.Errorf("status of self = %+v: want RSS > 0, HWM >= RSS, threads >= 1", st)
	}
	if _, err := pf.readStat(); err != nil {
		t.Fatal(err)
	}
}

func TestInterval(t *testing.T) {
	t0 := time.Unix(1000, 0)
	ms := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Millisecond) }
	points := []point{
		{t: ms(0), cpu: 0, ctx: 0, rss: 100},
		{t: ms(10), cpu: 10 * time.Millisecond, ctx: 100, rss: 200},
		{t: ms(20), cpu: 30 * time.Millisecond, ctx: 200, rss: 300},
	}
	for _, tt := range []struct {
		name     string
		from, to time.Time
		cpu      time.Duration
		ctx, rss int64
		ok       bool
	}{
		{"whole", ms(0), ms(20), 30 * time.Millisecond, 200, 300, true},
		{"interpolated", ms(5), ms(15), 15 * time.Millisecond, 100, 200, true},
		{"before the first reading", ms(-1), ms(10), 0, 0, 0, false},
		{"after the last reading", ms(0), ms(21), 0, 0, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cpu, ctx, rss, ok := interval(points, tt.from, tt.to)
			if cpu != tt.cpu || ctx != tt.ctx || rss != tt.rss || ok != tt.ok {
				t.Errorf("interval = %v, %d, %d, %v; want %v, %d, %d, %v", cpu, ctx, rss, ok, tt.cpu, tt.ctx, tt.rss, tt.ok)
			}
		})
	}
}
