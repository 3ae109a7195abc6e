package serveproto

import (
	"errors"
	"testing"
)

func TestParseUnixAddr(t *testing.T) {
	for _, tt := range []struct {
		line, path, want string
	}{
		{"/tmp/sb1/s\n", "/tmp/sb1/s", "/tmp/sb1/s"},
		{"/tmp/sb2/s\n", "/tmp/sb1/s", ""},
		{"127.0.0.1:80\n", "/tmp/sb1/s", ""},
		{"\n", "", ""},
	} {
		got, err := ParseUnixAddr(tt.line, tt.path)
		if got != tt.want || (err == nil) != (tt.want != "") || (err != nil && !errors.Is(err, ErrNoAddr)) {
			t.Errorf("ParseUnixAddr(%q, %q) = %q, %v; want %q (else ErrNoAddr)", tt.line, tt.path, got, err, tt.want)
		}
	}
}
