package results

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// fakeOptions shapes a synthetic run.
type fakeOptions struct {
	strategies []string
	workloads  []string
	conns      []int
	reps       int
	seed       uint64
	// speed scales every strategy's throughput (1 = nominal).
	speed float64
	// noise is the relative spread of repetitions (0.02 = ±2%).
	noise float64
	// histograms adds an HDR histogram to every sample.
	histograms bool
}

func defaultFake() fakeOptions {
	return fakeOptions{
		strategies: []string{"sync", "goroutine", "pool:workers=8,queue=64"},
		workloads:  []string{"keepalive", "echo"},
		conns:      []int{1, 16, 64},
		reps:       5,
		seed:       1,
		speed:      1,
		noise:      0.03,
		histograms: true,
	}
}

// fakeRun builds a deterministic synthetic run.
func fakeRun(t testing.TB, o fakeOptions) *Run {
	t.Helper()
	rng := rand.New(rand.NewPCG(o.seed, 42))
	r := &Run{
		Schema: SchemaVersion,
		Env: Env{
			Date: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC), ToolVersion: "v0.1.0", GoVersion: "go1.26.0",
			GOOS: "linux", GOARCH: "amd64", CPUModel: "Fake CPU @ 2.0GHz", NumCPU: 2, GOMAXPROCS: 2,
			Kernel: "6.1.0", Commit: "abc1234", Hostname: "bench",
		},
		Config: Config{Duration: Duration(5 * time.Second), Warmup: Duration(time.Second), Repetitions: o.reps,
			Interleaved: true, Pinning: "server=1,client=0", Args: []string{"sockbench", "bench"}},
		Warnings: []string{"machine has 2 cores, client and server share them"},
	}
	for _, wl := range o.workloads {
		for _, c := range o.conns {
			for si, s := range o.strategies {
				sc := Scenario{Strategy: s, Workload: wl, Mode: "closed", Conns: c}
				if wl == "echo" {
					sc.Params = map[string]string{"size": "1024"}
				}
				if c == 1 {
					sc.Warnings = append(sc.Warnings, Warning{Kind: MachineBound})
				}
				if c >= 64 {
					sc.Warnings = append(sc.Warnings, Warning{Kind: ClientBound, Reps: o.reps, OfReps: o.reps})
				}
				base := o.speed * (100000 + 15000*float64(si)) * math.Min(float64(c), 16) / 16 * (1 + 0.2*float64(si))
				if wl == "echo" {
					base *= 0.8
				}
				for rep := 0; rep < o.reps; rep++ {
					f := 1 + o.noise*(2*rng.Float64()-1)
					thr := base * f
					dur := 5.0
					req := int64(thr * dur)
					cpu := float64(req) / (130000 * (1 + 0.1*float64(si)) * f)
					lat := 1e6 / thr * float64(c) // µs, Little's law
					smp := Sample{
						Rep: rep, Duration: dur, Requests: req, Throughput: thr,
						Latency:   Latency{P50: lat, P90: lat * 1.5, P99: lat * 3, P999: lat * 6, Max: lat * 10, Mean: lat * 1.1},
						ServerCPU: cpu, CPUPerRequest: cpu / float64(req) * 1e6, RequestsPerCPU: float64(req) / cpu,
						PeakRSS: int64(8<<20 + c*(4096+1024*si)), MemPerConn: int64(4096 + 1024*si + rep*8),
						Goroutines: c + 3, CtxSwitches: req / 2, Fairness: 0.99 - 0.01*float64(si), ClientCPU: dur * 0.9,
						ClientBound: c >= 64,
					}
					if o.histograms {
						h := hdrhistogram.New(1, 60_000_000, 3)
						for i := 0; i < 500; i++ {
							v := lat * math.Exp(0.5*rng.NormFloat64())
							_ = h.RecordValue(int64(v) + 1)
						}
						smp.Histogram = NewHistogram(h)
					}
					sc.Samples = append(sc.Samples, smp)
				}
				r.Scenarios = append(r.Scenarios, sc)
			}
		}
	}
	return r
}
