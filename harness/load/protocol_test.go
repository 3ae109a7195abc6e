package load

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestUpperLineReadReply(t *testing.T) {
	req := UpperLine{Line: "hello World 1\x00é"}.Request()
	long := UpperLine{Line: strings.Repeat("ab", 5000)}.Request() // longer than the reader's buffer
	tests := []struct {
		name  string
		req   []byte
		reply string
		want  error // nil, ErrWrongReply or ErrMissingReply
	}{
		{"correct", req, "HELLO WORLD 1\x00é\n", nil},
		{"correct then more", req, "HELLO WORLD 1\x00é\nnext", nil},
		{"not upper-cased", req, "hello WORLD 1\x00é\n", ErrWrongReply},
		{"non-ASCII upper-cased", req, "HELLO WORLD 1\x00É\n", ErrWrongReply},
		{"short line", req, "HELLO\n", ErrWrongReply},
		{"long line", req, "HELLO WORLD 1\x00é!!\n", ErrWrongReply},
		{"no newline, EOF", req, "HELLO WORLD 1\x00é", ErrMissingReply},
		{"empty", req, "", ErrMissingReply},
		{"long correct", long, strings.Repeat("AB", 5000) + "\n", nil},
		{"long wrong at the end", long, strings.Repeat("AB", 4999) + "Ab\n", ErrWrongReply},
		{"long without newline", long, strings.Repeat("AB", 5000) + "AB\n", ErrWrongReply},
	}
	for _, tt := range tests {
		r := bufio.NewReaderSize(strings.NewReader(tt.reply), 16)
		err := UpperLine{}.ReadReply(r, tt.req)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: ReadReply = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestUpperLineRequest(t *testing.T) {
	if got := string(UpperLine{}.Request()); got != DefaultLine+"\n" {
		t.Errorf("default request %q", got)
	}
}

func TestEchoReadReply(t *testing.T) {
	req := Echo{Size: 100}.Request()
	if len(req) != 100 || string(req) != string(Echo{Size: 1000}.Request()[:100]) {
		t.Fatalf("Echo requests are not prefixes of one pattern")
	}
	wrong := []byte(string(req))
	wrong[70] ^= 1
	tests := []struct {
		name  string
		reply string
		want  error
	}{
		{"correct", string(req), nil},
		{"correct then more", string(req) + "x", nil},
		{"differs", string(wrong), ErrWrongReply},
		{"short", string(req[:99]), ErrMissingReply},
		{"empty", "", ErrMissingReply},
	}
	for _, tt := range tests {
		r := bufio.NewReaderSize(strings.NewReader(tt.reply), 16)
		err := Echo{}.ReadReply(r, req)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: ReadReply = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// TestChurnReply checks Python's bytes.strip().upper() semantics.
func TestChurnReply(t *testing.T) {
	tests := []struct{ line, want string }{
		{"hello world with tcp", "HELLO WORLD WITH TCP"},
		{" \t\r\v\fmixed Case\f\v\r\t ", "MIXED CASE"},
		{"\u00a0café\u00a0", "\u00a0CAFé\u00a0"}, // only ASCII is stripped and upper-cased
		{"   ", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(churnReply(tt.line)); got != tt.want {
			t.Errorf("churnReply(%q) = %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestJain(t *testing.T) {
	tests := []struct {
		xs   []int64
		want float64
	}{
		{nil, 0},
		{[]int64{0, 0, 0}, 0}, // nobody served: undefined, not "perfectly fair"
		{[]int64{0, 3}, 0.5},
		{[]int64{7}, 1},
		{[]int64{5, 5, 5, 5}, 1},
		{[]int64{10, 0, 0, 0}, 0.25},
		{[]int64{1, 2, 3}, 36.0 / 42.0},
		{[]int64{1e12, 1e12}, 1}, // no overflow
	}
	for _, tt := range tests {
		if got := Jain(tt.xs); got < tt.want-1e-12 || got > tt.want+1e-12 {
			t.Errorf("Jain(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
}

func TestErrText(t *testing.T) {
	opErr := func(port int, err error) error {
		return &net.OpError{Op: "read", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}, Err: err}
	}
	tests := []struct {
		err  error
		want string
	}{
		// The connection's address must not make every sample distinct.
		{opErr(1, os.NewSyscallError("read", syscall.ECONNRESET)), "reply: connection reset by peer"},
		{opErr(2, os.NewSyscallError("read", syscall.ECONNRESET)), "reply: connection reset by peer"},
		{opErr(3, os.ErrDeadlineExceeded), "reply: timeout"},
		{fmt.Errorf("%w: got x", ErrWrongReply), "reply: load: wrong reply: got x"},
	}
	for _, tt := range tests {
		if got := errText("reply", tt.err); got != tt.want {
			t.Errorf("errText(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
