package spec

import (
	"testing"
	"time"
)

func TestOptionRanges(t *testing.T) {
	n := Option{Name: "n", Kind: Int, Default: "4", Min: 1, Max: 10}
	d := Option{Name: "d", Kind: Duration, Default: "1ms", Min: 0, Max: int64(time.Second)}
	tests := []struct {
		spec    string
		opt     Option
		want    int64
		wantErr string
	}{
		{"x", n, 4, ""},
		{"x:n=10", n, 10, ""},
		{"x:n=1", n, 1, ""},
		{"x:n=0", n, 0, `option n="0": want an integer in 1..10`},
		{"x:n=11", n, 0, `option n="11": want an integer in 1..10`},
		{"x:n=100000000000000000000", n, 0, `option n="100000000000000000000": want an integer in 1..10`},
		{"x:n=ten", n, 0, `option n="ten": want an integer in 1..10`},
		{"x", d, int64(time.Millisecond), ""},
		{"x:d=1s", d, int64(time.Second), ""},
		{"x:d=1001ms", d, 0, `option d="1001ms": want a duration in 0s..1s`},
		{"x:d=-1ns", d, 0, `option d="-1ns": want a duration in 0s..1s`},
	}
	for _, tt := range tests {
		sp, err := Parse(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		if tt.opt.Kind == Int {
			var v int
			v, err = sp.IntOpt(tt.opt)
			got = int64(v)
		} else {
			var v time.Duration
			v, err = sp.DurationOpt(tt.opt)
			got = int64(v)
		}
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("%s: error %v, want %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s: got %d, %v; want %d", tt.spec, got, err, tt.want)
		}
	}
}

func TestOptionString(t *testing.T) {
	for _, tt := range []struct {
		opt  Option
		want string
	}{
		{Option{Name: "workers", Kind: Int, Default: "40", Doc: "served at once", Min: 1, Max: 10000}, "workers (1..10000, default 40): served at once"},
		{Option{Name: "delay", Kind: Duration, Default: "1ms", Doc: "wait", Max: int64(time.Minute)}, "delay (0s..1m0s, default 1ms): wait"},
		{Option{Name: "daemon", Kind: Bool, Default: "false", Doc: "no wait"}, "daemon (true or false, default false): no wait"},
	} {
		if got := tt.opt.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
