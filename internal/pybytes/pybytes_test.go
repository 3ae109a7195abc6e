package pybytes_test

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/internal/pybytes"
	"go.uber.org/goleak"
)

func TestStripUpper(t *testing.T) {
	for _, tt := range []struct {
		in, strip, upper string
	}{
		{"hello world with TCP\n", "hello world with TCP", "HELLO WORLD WITH TCP"},
		{" \t\r\v\fmixed Case\r\n", "mixed Case", "MIXED CASE"},
		{"\u00a0nbsp\u0085", "\u00a0nbsp\u0085", "\u00a0NBSP\u0085"}, // not ASCII space
		{"été ǆ \xff", "été ǆ \xff", "éTé ǆ \xff"},                   // only a-z change
		{"az{`@[AZ", "az{`@[AZ", "AZ{`@[AZ"},
		{"   ", "", ""},
		{"", "", ""},
	} {
		in := []byte(tt.in)
		s := pybytes.Strip(in)
		if string(s) != tt.strip {
			t.Errorf("Strip(%q) = %q, want %q", tt.in, s, tt.strip)
		}
		if got := pybytes.AppendUpper([]byte("x"), s); string(got) != "x"+tt.upper {
			t.Errorf("AppendUpper(x, %q) = %q, want %q", s, got, "x"+tt.upper)
		}
		if string(in) != tt.in {
			t.Errorf("Strip or AppendUpper modified their input %q: %q", tt.in, in)
		}
		if got := pybytes.UpperInPlace(s); string(got) != tt.upper || string(s) != tt.upper {
			t.Errorf("UpperInPlace(%q) = %q, want %q in place", tt.strip, got, tt.upper)
		}
	}
	for c := range 256 {
		if got, want := pybytes.IsSpace(byte(c)), strings.IndexByte(" \t\n\r\v\f", byte(c)) >= 0; got != want {
			t.Errorf("IsSpace(%#x) = %v, want %v", c, got, want)
		}
	}
}

type lineResult struct {
	Line string
	Err  string // "too long" for a line over the limit
}

// lineCases are inputs for ReadLine, read through a 16-byte buffer (the
// smallest bufio allows): in, then failWith if not nil, limited to max.
var lineCases = []struct {
	name     string
	in       string
	failWith error
	max      int
	want     []lineResult
}{
	{"lines", "a\nbc\n", nil, 0, []lineResult{{"a\n", ""}, {"bc\n", ""}, {"", eof}}},
	{"partial last line", "a\nbc", nil, 0, []lineResult{{"a\n", ""}, {"bc", ""}, {"", eof}}},
	{"empty input", "", nil, 0, []lineResult{{"", eof}}},
	{"longer than the buffer", long + "\nz\n", nil, 0, []lineResult{{long + "\n", ""}, {"z\n", ""}, {"", eof}}},
	{"long partial last line", "z\n" + long, nil, 0, []lineResult{{"z\n", ""}, {long, ""}, {"", eof}}},
	{"at the limit", "abcd\n", nil, 4, []lineResult{{"abcd\n", ""}, {"", eof}}},
	{"at the limit before EOF", "abcd", nil, 4, []lineResult{{"abcd", ""}, {"", eof}}},
	{"over the limit", "abcde\nok\n", nil, 4, []lineResult{{"", tooLong}, {"ok\n", ""}, {"", eof}}},
	{"over the limit before EOF", "abcde", nil, 4, []lineResult{{"", tooLong}, {"", eof}}},
	{"long at the limit", long + "\n", nil, 50, []lineResult{{long + "\n", ""}, {"", eof}}},
	{"long over the limit before EOF", long, nil, 49, []lineResult{{"", tooLong}, {"", eof}}},
	{"long over the limit", long + "\n", nil, 20, []lineResult{{"", tooLong}, {"234567890123456789\n", ""}, {"", eof}}}, // stopped after two 16-byte reads
	{"long within the limit", long + "\n", nil, 51, []lineResult{{long + "\n", ""}, {"", eof}}},
	{"read error", "ab", errBoom, 0, []lineResult{{"ab", "boom"}}},
	{"read error in a long line", long, errBoom, 0, []lineResult{{long, "boom"}}},
}

var (
	long    = strings.Repeat("0123456789", 5) // 50 bytes: longer than the 16-byte buffer
	eof     = io.EOF.Error()
	errBoom = errors.New("boom")
)

const tooLong = "too long"

func caseReader(in string, failWith error) io.Reader {
	if failWith == nil {
		return strings.NewReader(in)
	}
	return io.MultiReader(strings.NewReader(in), iotest.ErrReader(failWith))
}

// collectLines calls readLine until an error other than a too-long line,
// at most 20 times; isTooLong recognises that error.
func collectLines(readLine func() ([]byte, error), isTooLong func(error) bool) []lineResult {
	var out []lineResult
	for range 20 {
		line, err := readLine()
		res := lineResult{Line: string(line)}
		switch {
		case err == nil:
		case isTooLong(err):
			res.Err = tooLong
		default:
			res.Err = err.Error()
		}
		out = append(out, res)
		if err != nil && !isTooLong(err) {
			break
		}
	}
	return out
}

func TestReadLine(t *testing.T) {
	for _, tt := range lineCases {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(caseReader(tt.in, tt.failWith), 16)
			var buf []byte
			got := collectLines(func() ([]byte, error) { return pybytes.ReadLine(br, &buf, tt.max) },
				func(err error) bool { return errors.Is(err, pybytes.ErrLineTooLong) })
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadLine results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
