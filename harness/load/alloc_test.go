package load

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestClosedLoopDoesNotAllocate checks that Closed mode allocates nothing
// per request: whatever Run allocates is fixed (workers, histograms,
// connections), so the mallocs of a run are that fixed part (at most
// fixedMallocs) plus far below one per request. The test server does not
// allocate per request either. The fixed part is allowed for separately:
// on a loaded machine under -race a run of 200 ms may make only ~900
// requests, and 155 fixed mallocs then read as 0.18 per request.
func TestClosedLoopDoesNotAllocate(t *testing.T) {
	for _, proto := range []Protocol{UpperLine{}, Echo{Size: 100}} {
		var s *testServer
		if _, ok := proto.(Echo); ok {
			s = serve(t, "tcp", echo)
		} else {
			s = serve(t, "tcp", lines(nil))
		}
		// A starved machine may answer too few requests in 200 ms to
		// tell: try up to three times, doubling the duration, and skip
		// (inconclusive, not failed) if it is still too few.
		var (
			res     *Result
			mallocs uint64
		)
		for d := 200 * time.Millisecond; d <= 800*time.Millisecond; d *= 2 {
			cfg := Config{Addr: s.addr, Conns: 2, Protocol: proto, Duration: d}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			var err error
			res, err = Run(context.Background(), cfg)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			mallocs = after.Mallocs - before.Mallocs
			if res.Requests >= 500 {
				break
			}
		}
		if res.Requests < 500 {
			t.Skipf("%T: only %d requests in 800ms, too few to tell on this machine", proto, res.Requests)
		}
		t.Logf("%T: %d requests, %d mallocs, %.4f per request", proto, res.Requests, mallocs, float64(mallocs)/float64(res.Requests))
		const fixedMallocs = 300
		if float64(mallocs) > fixedMallocs+0.1*float64(res.Requests) {
			t.Errorf("%T: %d allocations for %d requests: more than %d fixed + 0.1 per request", proto, mallocs, res.Requests, fixedMallocs)
		}
	}
}
