package strategies_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/bench"
	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/strategies"
	"github.com/gosocketserver/socketserver/strategies/eventloop"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"github.com/gosocketserver/socketserver/strategies/pool"
)

// The benchmarks below serve the upperlines protocol in this process with
// every registered strategy (its default options) and with the hand-written
// servers of harness/bench ("reference:goroutine", "reference:pool" with the
// pool strategy's default workers, "reference:serial", and
// "reference:gnet", gnet v2's event loop beside the eventloop strategy),
// and drive it with
// harness/load over loopback. Each iteration of b.N stands for a
// microsecond of load, so the testing package's calibration ends with about
// -benchtime of measured load; ns/op is then overwritten with the time per
// request. Reported: req/s, p50-µs, p99-µs, allocs/req (client and server,
// both in this process) and, when the generator saturated, client-bound=1.
//
//	go test -run '^$' -bench . -count 6 ./strategies/ | tee new.txt
//	benchstat old.txt new.txt
//
// and, to see one strategy against its hand-written equivalent (the colon
// must be quoted in benchstat's query syntax):
//
//	benchstat -col '/strategy@("reference:pool" pool)' new.txt
//
// They share the process and the CPUs with the load generator: use them to
// catch regressions between commits, and "sockbench bench --pin" to compare
// strategies.

// forms is a protocol's handler in its two forms: the connection-level
// one (a StreamHandler) and the message handler an event loop needs.
type forms struct{ stream, message socketserver.Handler }

// benchTargets returns a server starter per registered strategy (the
// stream form of the handler, except for the event loop, which runs only
// message handlers), goroutine-msg (the goroutine strategy with the
// message form: the adapter's cost), plus the references.
func benchTargets(b *testing.B) []struct {
	name  string
	serve func(b *testing.B, handler forms, refHandler string) string
} {
	b.Helper()
	type target = struct {
		name  string
		serve func(b *testing.B, handler forms, refHandler string) string
	}
	var out []target
	for _, name := range strategies.Names() {
		out = append(out, target{name, func(b *testing.B, h forms, _ string) string {
			st, err := strategies.New(name)
			if err != nil {
				b.Fatal(err)
			}
			if _, ok := st.(*eventloop.Strategy); ok {
				return serveStrategy(b, st, h.message)
			}
			return serveStrategy(b, st, h.stream)
		}})
	}
	out = append(out, target{"goroutine-msg", func(b *testing.B, h forms, _ string) string {
		return serveStrategy(b, goroutine.New(), h.message)
	}})
	// The hand-written equivalents, named like the bench command's rows:
	// each strategy's cost is its difference from its reference (pool with
	// the pool strategy's default number of workers).
	type ref struct {
		kind    string
		workers int
	}
	for _, ref := range []ref{{"goroutine", 0}, {"pool", pool.DefaultWorkers}, {"serial", 0}, {"gnet", 0}} {
		out = append(out, target{"reference:" + ref.kind, func(b *testing.B, _ forms, refHandler string) string {
			return serveReference(b, ref.kind, ref.workers, refHandler)
		}})
	}
	return out
}

func serveStrategy(b *testing.B, st socketserver.Strategy, h socketserver.Handler) string {
	b.Helper()
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: h, Strategy: st, RequestQueueSize: 4096,
		HandleError: func(*socketserver.Request, error) {}}
	if err := srv.Listen(); err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(srv.Listener()) }()
	b.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			b.Errorf("Serve: %v", err)
		}
	})
	return srv.ListenAddr().String()
}

func serveReference(b *testing.B, kind string, workers int, handler string) string {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	addrc := make(chan net.Addr, 1)
	srv := &bench.RefServer{Kind: kind, Workers: workers, Handler: handler}
	go func() { done <- srv.ServeAddr(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("reference Serve: %v", err)
		}
	})
	select {
	case a := <-addrc:
		return a.String()
	case err := <-done:
		done <- err
		b.Fatalf("reference ServeAddr: %v", err)
	}
	return ""
}

// runLoad drives addr for b.N microseconds (at least 100ms, so that 256
// connections get connected and answered even in the b.N=1 probe run) and
// reports the metrics.
func runLoad(b *testing.B, cfg load.Config) {
	b.Helper()
	cfg.Duration = max(time.Duration(b.N)*time.Microsecond, 100*time.Millisecond)
	cfg.ReplyTimeout = cfg.Duration + 10*time.Second // starved, not failed
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ResetTimer()
	res, err := load.Run(context.Background(), cfg)
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	if err != nil {
		b.Fatal(err)
	}
	if res.Errors > 0 {
		b.Fatalf("%d errors: %q", res.Errors, res.ErrorSamples)
	}
	if res.Requests == 0 {
		b.Fatal("no request answered")
	}
	b.ReportMetric(float64(res.Elapsed.Nanoseconds())/float64(res.Requests), "ns/op")
	b.ReportMetric(res.AchievedRate, "req/s")
	b.ReportMetric(float64(res.Latency.ValueAtQuantile(50)), "p50-µs")
	b.ReportMetric(float64(res.Latency.ValueAtQuantile(99)), "p99-µs")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(res.Requests), "allocs/req")
	if res.ClientBound {
		b.ReportMetric(1, "client-bound")
	}
}

// BenchmarkKeepalive: one request in flight on each of conns keep-alive
// connections (sync and pool starve the connections beyond their
// capacity; the others' requests are what is counted).
func BenchmarkKeepalive(b *testing.B) {
	for _, tg := range benchTargets(b) {
		for _, conns := range []int{1, 16, 256} {
			b.Run(fmt.Sprintf("strategy=%s/conns=%d", tg.name, conns), func(b *testing.B) {
				addr := tg.serve(b, forms{handlers.UpperLines(0, handlers.Work{}), handlers.UpperLinesMessage(0, handlers.Work{})}, "upperlines")
				runLoad(b, load.Config{Addr: addr, Mode: load.Closed, Conns: conns})
			})
		}
	}
}

// BenchmarkChurn: the seed's client in a loop on 16 workers (connect, one
// line, read to EOF, close).
func BenchmarkChurn(b *testing.B) {
	for _, tg := range benchTargets(b) {
		b.Run(fmt.Sprintf("strategy=%s/conns=16", tg.name), func(b *testing.B) {
			addr := tg.serve(b, forms{handlers.Upper(0, nil), handlers.UpperMessage(0, nil)}, "upper")
			runLoad(b, load.Config{Addr: addr, Mode: load.Churn, Conns: 16})
		})
	}
}
