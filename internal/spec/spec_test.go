package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in       string
		wantName string
		wantOpts map[string]string
		wantErr  bool
	}{
		{"pool", "pool", map[string]string{}, false},
		{" pool:workers=8, queue=64 ", "pool", map[string]string{"workers": "8", "queue": "64"}, false},
		{"goroutine:daemon", "goroutine", map[string]string{"daemon": "true"}, false},
		{"sleep:delay=1ms", "sleep", map[string]string{"delay": "1ms"}, false},
		{"", "", nil, true},
		{":x=1", "", nil, true},
		{"pool:,", "", nil, true},
		{"pool:a=1,a=2", "", nil, true},
	}
	for _, tt := range tests {
		sp, err := Parse(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Parse(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			continue
		}
		if sp.Name != tt.wantName {
			t.Errorf("Parse(%q).Name = %q", tt.in, sp.Name)
		}
		if diff := cmp.Diff(tt.wantOpts, sp.Opts); diff != "" {
			t.Errorf("Parse(%q) opts (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestUnused(t *testing.T) {
	sp, _ := Parse("pool:workers=2,bogus=1")
	if _, err := sp.Int("workers", 1, 1); err != nil {
		t.Fatal(err)
	}
	err := sp.Unused("workers")
	if err == nil || err.Error() != "unknown option bogus for pool (allowed: workers)" {
		t.Fatalf("Unused = %v", err)
	}
}
