package socketserver_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gosocketserver/socketserver"
)

func TestParseConcurrency(t *testing.T) {
	tests := []struct {
		in      string
		want    socketserver.Concurrency
		wantErr bool
	}{
		{"serial", socketserver.Serial, false},
		{" Serial ", socketserver.Serial, false},
		{"1", socketserver.Serial, false},
		{"unbounded", socketserver.Unbounded, false},
		{"4", socketserver.AtMost(4), false},
		{"at most 8", socketserver.AtMost(8), false},
		{"0", socketserver.Concurrency{}, true},
		{"-3", socketserver.Concurrency{}, true},
		{"many", socketserver.Concurrency{}, true},
		{"", socketserver.Concurrency{}, true},
	}
	for _, tt := range tests {
		got, err := socketserver.ParseConcurrency(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseConcurrency(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err != nil {
			if !errors.Is(err, socketserver.ErrBadConcurrency) {
				t.Errorf("ParseConcurrency(%q) error %v is not ErrBadConcurrency", tt.in, err)
			}
			continue
		}
		if back, err := socketserver.ParseConcurrency(got.String()); err != nil || back != got {
			t.Errorf("ParseConcurrency(%q) = %v, %v; String does not round-trip", got, back, err)
		}
	}
}

func TestConcurrencyString(t *testing.T) {
	tests := []struct {
		c       socketserver.Concurrency
		want    string
		bounded bool
	}{
		{socketserver.Unbounded, "unbounded", false},
		{socketserver.Serial, "serial", true},
		{socketserver.AtMost(1), "serial", true},
		{socketserver.AtMost(40), "at most 40", true},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.c, got, tt.want)
		}
		if got := tt.c.Bounded(); got != tt.bounded {
			t.Errorf("%#v.Bounded() = %v, want %v", tt.c, got, tt.bounded)
		}
	}
}

// ExampleParseConcurrency shows the forms a concurrency takes on the
// command line (sockbench conform --expect).
func ExampleParseConcurrency() {
	for _, s := range []string{"serial", "4", "unbounded"} {
		c, _ := socketserver.ParseConcurrency(s)
		fmt.Printf("%s: Max=%d\n", c, c.Max)
	}
	// Output:
	// serial: Max=1
	// at most 4: Max=4
	// unbounded: Max=0
}
