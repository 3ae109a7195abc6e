package load

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// framedView is what a test compares of a Framed.
type framedView struct {
	Send, Delim    string
	LenPrefix      string
	Size, MaxReply int
	Expect         string
}

func viewOf(p *Framed) framedView {
	v := framedView{Send: string(p.Send), Delim: string(p.Delim), LenPrefix: p.LenPrefix, Size: p.Size, MaxReply: p.MaxReply}
	if p.Expect != nil {
		v.Expect = p.Expect.String()
	}
	return v
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseProtocol(t *testing.T) {
	req := writeFile(t, "req.bin", []byte("\x00\x01hi"))
	js := writeFile(t, "p.json", []byte(`{"send": "PING\r\n", "delim": "\r\n", "expect": "^\\+PONG$"}`))
	jsFile := writeFile(t, "pf.json", []byte(`{"send_file": "`+req+`", "len": "u16", "max": 100}`))
	badJSON := writeFile(t, "bad.json", []byte(`{"send": "x", "delim": "\n", "colour": 1}`))
	huge := filepath.Join(t.TempDir(), "huge.bin")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSendSize + 1); err != nil { // sparse: cheap
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		spec    string
		want    framedView
		wantErr string // a substring of the error; "" for none
	}{
		{"send=\"PING\\r\\n\" delim=\"\\r\\n\" expect=`^\\+PONG$`", framedView{Send: "PING\r\n", Delim: "\r\n", Expect: `^\+PONG$`}, ""},
		{`send=hello delim="\n"`, framedView{Send: "hello", Delim: "\n"}, ""},
		{"send=@" + req + " size=4", framedView{Send: "\x00\x01hi", Size: 4}, ""},
		{`send="x" len=u32le max=10`, framedView{Send: "x", LenPrefix: "u32le", MaxReply: 10}, ""},
		{"@" + js, framedView{Send: "PING\r\n", Delim: "\r\n", Expect: `^\+PONG$`}, ""},
		{"@" + jsFile, framedView{Send: "\x00\x01hi", LenPrefix: "u16", MaxReply: 100}, ""},
		{`send=x delim="\n" expect="(unclosed"`, framedView{}, "expect: error parsing regexp"},
		{`send=x delim="\n" size=3`, framedView{}, "exactly one reply framing"},
		{`send=x`, framedView{}, "exactly one reply framing"},
		{`delim="\n"`, framedView{}, "no request"},
		{`send=x len=u24`, framedView{}, `len "u24"`},
		{`send=x size=2000000`, framedView{}, "size 2000000"},
		{`send=x size=10 max=100000000`, framedView{}, "max 100000000"},
		{`send=x size=ten`, framedView{}, `size="ten"`},
		{`send="x delim="\n"`, framedView{}, "a space must follow"},
		{`send="unterminated`, framedView{}, "bad quoted string"},
		{`send=x send=y size=1`, framedView{}, "given twice"},
		{`send=x colour=red size=1`, framedView{}, `unknown key "colour"`},
		{`send=x size`, framedView{}, "want key=value"},
		{"send=@/nonexistent/req size=1", framedView{}, "no such file"},
		{"send=@" + huge + " size=1", framedView{}, "larger than the limit"},
		{"@/nonexistent.json", framedView{}, "no such file"},
		{"@" + badJSON, framedView{}, `unknown field "colour"`},
	}
	for _, tt := range tests {
		p, err := ParseProtocol(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrBadConfig) {
				t.Errorf("ParseProtocol(%q) = %v, want an ErrBadConfig containing %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseProtocol(%q): %v", tt.spec, err)
			continue
		}
		if diff := cmp.Diff(tt.want, viewOf(p)); diff != "" {
			t.Errorf("ParseProtocol(%q) (-want +got):\n%s", tt.spec, diff)
		}
	}
}

func u32(n int) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], uint32(n))
	return string(b[:])
}

func TestFramedReadReply(t *testing.T) {
	long := strings.Repeat("a", 10000) // longer than the reader's buffer
	tests := []struct {
		spec  string
		reply string
		want  error // nil, ErrWrongReply or ErrMissingReply
		rest  string
	}{
		{`send=x delim="\n" expect="^PONG$"`, "PONG\nnext", nil, "next"},
		{`send=x delim="\n" expect="^PONG$"`, "PANG\n", ErrWrongReply, ""},
		{`send=x delim="\r\n"`, "a\rb\nc\r\n", nil, ""},
		{`send=x delim="\n" expect="a$"`, long + "\n", nil, ""},
		{`send=x delim="\n" max=100`, long + "\n", ErrWrongReply, ""},
		{`send=x delim="\n"`, "no end", ErrMissingReply, ""},
		{`send=x len=u32 expect="^hi$"`, u32(2) + "hi" + "more", nil, "more"},
		{`send=x len=u32 max=10`, u32(11) + "hello world", ErrWrongReply, ""},
		{`send=x len=u32`, u32(10) + "short", ErrMissingReply, ""},
		{`send=x len=u8`, "\x00", nil, ""},
		{`send=x len=u16le`, "\x03\x00abc!", nil, "!"},
		{`send=x size=4 expect="^ok"`, "ok!!rest", nil, "rest"},
		{`send=x size=4 expect="^ok"`, "no!!", ErrWrongReply, ""},
		{`send=x size=10000 expect="a$"`, long, nil, ""},
		{`send=x size=10000`, long[:5000], ErrMissingReply, ""},
	}
	for _, tt := range tests {
		p, err := ParseProtocol(tt.spec)
		if err != nil {
			t.Fatalf("ParseProtocol(%q): %v", tt.spec, err)
		}
		r := bufio.NewReaderSize(strings.NewReader(tt.reply), 4096)
		err = p.ReadReply(r, p.Request())
		if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s on %.20q: %v, want %v", tt.spec, tt.reply, err, tt.want)
			continue
		}
		if tt.want == nil {
			if rest, _ := r.Peek(r.Buffered()); string(rest) != tt.rest {
				t.Errorf("%s on %.20q: left %q, want %q", tt.spec, tt.reply, rest, tt.rest)
			}
		}
	}
}

// TestFramedRun drives a tiny length-prefixed server (reads "PING\n",
// answers a u16 prefix and "PONG") with a protocol built from data.
func TestFramedRun(t *testing.T) {
	srv := serve(t, "tcp", func(s *testServer, c net.Conn) {
		br := bufio.NewReader(c)
		for {
			if _, err := br.ReadSlice('\n'); err != nil {
				return
			}
			if _, err := c.Write([]byte("\x00\x04PONG")); err != nil {
				return
			}
		}
	})
	tests := []struct {
		spec       string
		wantErrors bool
	}{
		{`send="PING\n" len=u16 expect="^PONG$"`, false},
		{`send="PING\n" len=u16 expect="^PANG$"`, true},
	}
	for _, tt := range tests {
		p, err := ParseProtocol(tt.spec)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), Config{Addr: srv.addr, Conns: 2, Duration: 100 * time.Millisecond, Protocol: p})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Errors > 0; got != tt.wantErrors || (!tt.wantErrors && res.Requests == 0) {
			t.Errorf("%s: requests %d, errors %d (%v); want errors %v", tt.spec, res.Requests, res.Errors, res.ErrorSamples, tt.wantErrors)
		}
	}
}
