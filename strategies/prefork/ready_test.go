//go:build linux

package prefork_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/internal/procproto"
	"github.com/gosocketserver/socketserver/strategies/prefork"
)

// TestWaitReady checks that WaitReady, called before Serve, returns only
// once both workers serve: not while worker 1 is held back before it
// starts serving (it cannot have written its ready byte), at once when
// it is let go; that it names a worker that exits before serving, and
// gives up when its context ends. Once ready, the workers' counts are
// the connections they accepted, the ready bytes not among them.
func TestWaitReady(t *testing.T) {
	for _, tt := range []struct {
		name    string
		accept  string
		env     string        // testHoldEnv, testExitEnv or none
		release bool          // with testHoldEnv: let worker 1 go
		timeout time.Duration // WaitReady's context
		wantErr error
	}{
		{name: "shared", accept: prefork.Shared, timeout: 3 * ioTimeout},
		{name: "reuseport", accept: prefork.ReusePort, timeout: 3 * ioTimeout},
		{name: "shared/held", accept: prefork.Shared, env: testHoldEnv, release: true, timeout: 3 * ioTimeout},
		{name: "reuseport/held", accept: prefork.ReusePort, env: testHoldEnv, release: true, timeout: 3 * ioTimeout},
		{name: "held past the context", accept: prefork.Shared, env: testHoldEnv, timeout: 300 * time.Millisecond, wantErr: context.DeadlineExceeded},
		{name: "exits before serving", accept: prefork.Shared, env: testExitEnv, timeout: 3 * ioTimeout, wantErr: prefork.ErrWorkerExited},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gate := filepath.Join(t.TempDir(), "go")
			st := &prefork.Strategy{Procs: 2, Handler: "upper", Accept: tt.accept}
			if tt.env != "" {
				st.Exec = procproto.Exec{Env: append(os.Environ(), tt.env+"="+gate)}
			}
			ctx, cancel := context.WithTimeout(context.Background(), tt.timeout)
			defer cancel()
			ready := make(chan error, 1)
			go func() { ready <- st.WaitReady(ctx) }() // before Serve: it waits for the workers to start
			s := serve(t, st)
			if tt.release {
				select {
				case err := <-ready:
					t.Fatalf("WaitReady returned %v while worker 1 was held before serving", err)
				case <-time.After(200 * time.Millisecond):
				}
				if err := os.WriteFile(gate, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			select {
			case err = <-ready:
			case <-time.After(4 * ioTimeout):
				t.Fatal("WaitReady did not return")
			}
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("WaitReady = %v, want %v", err, tt.wantErr)
			}
			if tt.env == testExitEnv && !strings.Contains(err.Error(), "worker 1 ") {
				t.Errorf("WaitReady = %v, want it to name worker 1", err)
			}
			if err == nil {
				checkCounts(t, st, s.addr, 4)
			}
		})
	}
}

// checkCounts sends n requests and checks that the workers' counts add up
// to n (within ioTimeout: the parent reads them asynchronously).
func checkCounts(t *testing.T, st *prefork.Strategy, addr string, n int64) {
	t.Helper()
	for i := range n {
		if reply, retries, err := request(addr, "hi"); err != nil || reply != "HI" || retries != 0 {
			t.Fatalf("request %d: %q after %d retries, %v", i, reply, retries, err)
		}
	}
	var sum int64
	for deadline := time.Now().Add(ioTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		sum = 0
		for _, c := range st.Balance() {
			sum += c
		}
		if sum >= n {
			break
		}
	}
	if sum != n {
		t.Errorf("Balance %v adds up to %d, want %d (the connections accepted)", st.Balance(), sum, n)
	}
}
