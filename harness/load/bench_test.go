package load

import (
	"bufio"
	"context"
	"testing"
	"time"
)

// BenchmarkClosedRoundTrip measures one closed-loop request (write, read,
// check, record) against the in-test upperlines server on loopback TCP:
// the generator's cost per request, plus the server's and the kernel's.
func BenchmarkClosedRoundTrip(b *testing.B) {
	s := serve(b, "tcp", lines(nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg, err := Config{Addr: s.addr}.withDefaults()
	if err != nil {
		b.Fatal(err)
	}
	r := &run{cfg: cfg, ctx: ctx, ready: make(chan error, 1)}
	r.phase.Store(phaseMeasure)
	w := newWorker(r, 0, false)
	c, ok := w.connect()
	if !ok {
		b.Fatal("dial failed")
	}
	defer c.close()
	req := cfg.Protocol.Request()
	br := bufio.NewReader(c)
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if stage, err := w.roundTrip(c, br, cfg.Protocol, req, nil); err != nil {
			b.Fatalf("%s: %v", stage, err)
		}
		w.ok(time.Since(t0))
	}
	if w.st.requests != int64(b.N) {
		b.Fatalf("%d requests recorded, want %d", w.st.requests, b.N)
	}
}
