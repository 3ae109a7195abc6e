package strategies_test

import (
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/strategies"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
	"github.com/gosocketserver/socketserver/strategies/fork"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"github.com/gosocketserver/socketserver/strategies/pool"
	"github.com/gosocketserver/socketserver/strategies/prefork"
	stsync "github.com/gosocketserver/socketserver/strategies/sync"
)

func TestBuild(t *testing.T) {
	tests := []struct {
		spec    string
		wantMax int
		wantErr string // substring; "" means success
		check   func(t *testing.T, s any)
	}{
		{spec: "sync", wantMax: 1, check: func(t *testing.T, s any) { _ = s.(*stsync.Strategy) }},
		{spec: "serial", wantMax: 1},
		{spec: "goroutine", wantMax: 0},
		{spec: "goroutine:daemon", wantMax: 0, check: func(t *testing.T, s any) {
			if !s.(*goroutine.Strategy).Daemon {
				t.Error("daemon not set")
			}
		}},
		{spec: "pool", wantMax: pool.DefaultWorkers},
		{spec: "pool:workers=8,queue=64,refuse", wantMax: 8, check: func(t *testing.T, s any) {
			p := s.(*pool.Strategy)
			if p.Workers != 8 || p.Queue != 64 || !p.Refuse || p.NoWait {
				t.Errorf("pool = %+v", p)
			}
		}},
		{spec: "eventloop", wantMax: 0},
		{spec: "eventloop:loops=2,offload=4,maxqueued=4096,lockthread", wantMax: 0, check: func(t *testing.T, s any) {
			e := s.(*eventloop.Strategy)
			if e.Loops != 2 || e.Offload != 4 || e.MaxQueued != 4096 || !e.LockThread {
				t.Errorf("eventloop = %+v", e)
			}
		}},
		{spec: "eventloop:threads=2", wantErr: "unknown option threads for eventloop (allowed: loops, offload, maxqueued, lockthread)"},
		{spec: "forky", wantErr: `unknown strategy "forky" (known: eventloop, fork, goroutine, pool, prefork, sync)`},
		{spec: "fork", wantMax: fork.DefaultMaxChildren},
		{spec: "forking:max-children=3,nowait", wantMax: 3, check: func(t *testing.T, s any) {
			if f := s.(*fork.Strategy); f.MaxChildren != 3 || !f.NoWait {
				t.Errorf("fork = %+v", f)
			}
		}},
		{spec: "prefork:procs=3", wantMax: 0},
		{spec: "prefork:procs=2,inner=pool:workers=4,balance=reuseport", wantMax: 8, check: func(t *testing.T, s any) {
			if p := s.(*prefork.Strategy); p.Procs != 2 || p.Inner != "pool:workers=4" || p.Accept != prefork.ReusePort {
				t.Errorf("prefork = %+v", p)
			}
		}},
		{spec: "prefork:inner=sync,procs=4", wantMax: 4},
		{spec: "prefork:balance=random", wantErr: `option balance="random": want shared or reuseport`},
		{spec: "prefork:inner=fork", wantErr: `option inner="fork": a worker runs an in-process strategy`},
		{spec: "prefork:inner=nosuch", wantErr: `option inner: strategies: unknown strategy "nosuch"`},
		{spec: "fork:max-children=0", wantErr: `option max-children="0": want an integer in 1..4096`},
		{spec: "", wantErr: "empty name"},
		{spec: "pool:workers=0", wantErr: `option workers="0": want an integer in 1..10000`},
		{spec: "pool:workers=1000000", wantErr: `option workers="1000000": want an integer in 1..10000`},
		{spec: "pool:queue=100000000000000", wantErr: `option queue="100000000000000": want an integer in 0..100000`},
		{spec: "pool:queue=-1", wantErr: `option queue="-1": want an integer in 0..100000`},
		{spec: "pool:workers=10000,queue=100000", wantMax: 10000},
		{spec: "pool:workers=many", wantErr: `workers="many"`},
		{spec: "pool:size=3", wantErr: "unknown option size for pool (allowed: workers, queue, refuse, nowait)"},
		{spec: "sync:workers=3", wantErr: "sync takes no options"},
		{spec: "goroutine:daemon=maybe", wantErr: "want true or false"},
		{spec: "pool:workers=2,workers=3", wantErr: "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, c, err := strategies.Build(tt.spec)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Max != tt.wantMax {
				t.Errorf("promise %v, want max %d", c, tt.wantMax)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
}

func TestNewReturnsFreshValues(t *testing.T) {
	a, _ := strategies.New("pool:workers=2")
	b, _ := strategies.New("pool:workers=2")
	if a == b {
		t.Fatal("New returned the same strategy twice; each server needs its own")
	}
}

func TestList(t *testing.T) {
	var names []string
	for _, i := range strategies.List() {
		if i.Summary == "" || i.Python == "" {
			t.Errorf("%s lacks a summary or Python counterpart", i.Name)
		}
		names = append(names, i.Name)
	}
	if got := strings.Join(names, ","); got != "eventloop,fork,goroutine,pool,prefork,sync" {
		t.Fatalf("List = %s", got)
	}
}
