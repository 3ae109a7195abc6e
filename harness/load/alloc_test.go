package load

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestClosedLoopDoesNotAllocate checks that Closed mode allocates nothing
// per request: whatever Run allocates is fixed (workers, histograms,
// connections), so the mallocs per request of a run of thousands of
// requests must be far below one. The test server does not allocate per
// request either.
func TestClosedLoopDoesNotAllocate(t *testing.T) {
	for _, proto := range []Protocol{UpperLine{}, Echo{Size: 100}} {
		var s *testServer
		if _, ok := proto.(Echo); ok {
			s = serve(t, "tcp", echo)
		} else {
			s = serve(t, "tcp", lines(nil))
		}
		cfg := Config{Addr: s.addr, Conns: 2, Protocol: proto, Duration: 200 * time.Millisecond}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := Run(context.Background(), cfg)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests < 500 {
			t.Fatalf("%T: only %d requests, too few to tell", proto, res.Requests)
		}
		perReq := float64(after.Mallocs-before.Mallocs) / float64(res.Requests)
		t.Logf("%T: %d requests, %d mallocs, %.4f per request", proto, res.Requests, after.Mallocs-before.Mallocs, perReq)
		if perReq > 0.1 {
			t.Errorf("%T: %.3f allocations per request", proto, perReq)
		}
	}
}
