package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// encoded returns fakeRun's run, edited by edit, as Write encodes it,
// without the checks Write makes (a hostile file need not obey them).
func encoded(t *testing.T, edit func(*Run)) []byte {
	t.Helper()
	o := defaultFake()
	o.histograms = false // not needed here; keeps the test light under -race
	r := fakeRun(t, o)
	r.Schema = SchemaVersion
	edit(r)
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// countingReader is an endless stream of one byte that counts what was
// read from it.
type countingReader struct {
	b byte
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = c.b
	}
	c.n += int64(len(p))
	return len(p), nil
}

func TestReadBoundsWhatItReads(t *testing.T) {
	for _, tt := range []struct {
		name    string
		src     *countingReader
		wantErr error
		maxRead int64
	}{
		// compare /dev/zero x.json read 24 GB until the kernel killed it.
		{"endless NULs", &countingReader{b: 0}, ErrMalformed, readChunk},
		{"endless spaces", &countingReader{b: ' '}, ErrTooLarge, 1<<20 + readChunk},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Read's limit is MaxRunSize; a smaller one keeps the test light.
			_, err := readBounded("", tt.src, 1<<20)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Read = %v, want %v", err, tt.wantErr)
			}
			if tt.src.n > tt.maxRead {
				t.Errorf("read %d bytes, want at most %d", tt.src.n, tt.maxRead)
			}
		})
	}
}

func TestReadRejectsNULPaddingAtItsPosition(t *testing.T) {
	data := encoded(t, func(*Run) {})
	padded := io.MultiReader(bytes.NewReader(data), &countingReader{b: 0})
	_, err := Read(padded)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Offset != int64(len(data)) || !strings.Contains(err.Error(), "NUL byte") {
		t.Fatalf("Read = %v, want a NUL byte error at byte %d", err, len(data))
	}
}

func TestReadValidatesValues(t *testing.T) {
	for _, tt := range []struct {
		name    string
		edit    func(*Run)
		wantErr error
		want    string
	}{
		{"negative conns", func(r *Run) { r.Scenarios[0].Conns = -3 }, ErrInvalidValue, "conns -3: want 1..10000000"},
		{"zero conns", func(r *Run) { r.Scenarios[0].Conns = 0 }, ErrInvalidValue, "conns 0"},
		{"negative duration", func(r *Run) { r.Config.Duration = Duration(-5e9) }, ErrInvalidValue, "config.duration -5s"},
		{"negative warm-up", func(r *Run) { r.Config.Warmup = -1 }, ErrInvalidValue, "config.warmup"},
		{"negative repetitions", func(r *Run) { r.Config.Repetitions = -1 }, ErrInvalidValue, "config.repetitions -1"},
		{"negative sample duration", func(r *Run) { r.Scenarios[0].Samples[0].Duration = -5 }, ErrInvalidValue, "Duration = -5"},
		{"absurd throughput", func(r *Run) { r.Scenarios[1].Samples[0].Throughput = 1.7e308 }, ErrInvalidValue, "Throughput = 1.7e+308"},
		{"absurd latency", func(r *Run) { r.Scenarios[0].Samples[1].Latency.P99 = 1e300 }, ErrInvalidValue, "Latency.P99"},
		{"negative errors", func(r *Run) { r.Scenarios[0].Samples[0].Errors = -1 }, ErrInvalidValue, "Errors = -1"},
		{"fairness above one", func(r *Run) { r.Scenarios[0].Samples[0].Fairness = 2 }, ErrInvalidValue, "fairness = 2: want 0..1"},
		{"unparsable goal", func(r *Run) { r.Config.Goal = "p99<=fast" }, ErrInvalidValue, "config.goal"},
		{"goal of a newer schema", func(r *Run) { r.Schema = "2.99"; r.Config.Goal = "p99<=20ms,jitter<=1ms" }, ErrInvalidValue, "newer than this sockbench's"},
		{"duplicate scenario", func(r *Run) { r.Scenarios = append(r.Scenarios, r.Scenarios[0]) }, ErrDuplicateScenario, "are both"},
		{"duplicate in params order", func(r *Run) {
			a := r.Scenarios[0]
			a.Params = map[string]string{"x": "1", "y": "2"}
			b := a
			b.Params = map[string]string{"y": "2", "x": "1"}
			r.Scenarios = append(r.Scenarios, a, b)
		}, ErrDuplicateScenario, "are both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(encoded(t, tt.edit)))
			if !errors.Is(err, tt.wantErr) || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Read = %v, want %v containing %q", err, tt.wantErr, tt.want)
			}
		})
	}
	if _, err := Read(bytes.NewReader(encoded(t, func(*Run) {}))); err != nil {
		t.Fatalf("the unedited run: %v", err)
	}
	for _, in := range []string{"p99<=20ms,loss<=0.5%", "max<=1000s", "p99<=999.7ms,errors<=0.7%"} {
		g, err := ParseGoal(in)
		if err != nil {
			t.Fatal(err)
		}
		// bench records the goal as String writes it.
		if _, err := Read(bytes.NewReader(encoded(t, func(r *Run) { r.Config.Goal = g.String() }))); err != nil {
			t.Errorf("a run with the goal %s recorded as %q: %v", in, g.String(), err)
		}
	}
}
