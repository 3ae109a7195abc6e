package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSweep(t *testing.T) {
	tests := []struct {
		spec string
		want []string // the Points' specs
		opt  string
		x    []float64
	}{
		{"goroutine", []string{"goroutine"}, "", []float64{0}},
		{"pool:workers=8,queue=64", []string{"pool:workers=8,queue=64"}, "", []float64{0}},
		{"pool:workers=8..256", []string{"pool:workers=8", "pool:workers=16", "pool:workers=32", "pool:workers=64", "pool:workers=128", "pool:workers=256"}, "workers", []float64{8, 16, 32, 64, 128, 256}},
		{"pool:workers=8..100", []string{"pool:workers=8", "pool:workers=16", "pool:workers=32", "pool:workers=64", "pool:workers=100"}, "workers", []float64{8, 16, 32, 64, 100}},
		{"pool:workers=8|32|128,queue=64", []string{"pool:workers=8,queue=64", "pool:workers=32,queue=64", "pool:workers=128,queue=64"}, "workers", []float64{8, 32, 128}},
		{"pool:queue=16,workers=3..5", []string{"pool:queue=16,workers=3", "pool:queue=16,workers=5"}, "workers", []float64{3, 5}},
		{"x:d=1ms..4ms", []string{"x:d=1ms", "x:d=2ms", "x:d=4ms"}, "d", []float64{0.001, 0.002, 0.004}},
		{"x:mode=a|b", []string{"x:mode=a", "x:mode=b"}, "mode", []float64{0, 0}},
	}
	for _, tt := range tests {
		pts, err := Sweep(tt.spec)
		if err != nil {
			t.Errorf("Sweep(%q): %v", tt.spec, err)
			continue
		}
		var specs []string
		var xs []float64
		for _, p := range pts {
			specs = append(specs, p.Spec)
			xs = append(xs, p.X)
			if p.Option != tt.opt {
				t.Errorf("Sweep(%q): option %q, want %q", tt.spec, p.Option, tt.opt)
			}
		}
		if d := cmp.Diff(tt.want, specs); d != "" {
			t.Errorf("Sweep(%q) specs (-want +got):\n%s", tt.spec, d)
		}
		if d := cmp.Diff(tt.x, xs); d != "" {
			t.Errorf("Sweep(%q) axis (-want +got):\n%s", tt.spec, d)
		}
	}
}

func TestSweepErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"pool:workers=8..4", "want 0 < start < end"},
		{"pool:workers=0..4", "want 0 < start < end"},
		{"pool:workers=8..x", "the end is not an integer"},
		{"pool:workers=a..b", "want integers"},
		{"pool:workers=8|8", "given twice"},
		{"pool:workers=8||9", "empty value"},
		{"pool:workers=8..16|32", "not both"},
		{"pool:workers=8..16,queue=1|2", "sweeps two options"},
		{"pool:workers=1..9223372036854775807", "more than 32 values"},
		{"pool:workers=" + strings.Repeat("1|", 40) + "x", "given twice"},
	}
	for _, tt := range tests {
		_, err := Sweep(tt.spec)
		if err == nil || !errors.Is(err, ErrBadSweep) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Sweep(%q) = %v, want an ErrBadSweep saying %q", tt.spec, err, tt.want)
		}
	}
}
