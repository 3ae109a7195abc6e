package pybytes

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
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
		s := Strip(in)
		if string(s) != tt.strip {
			t.Errorf("Strip(%q) = %q, want %q", tt.in, s, tt.strip)
		}
		if got := AppendUpper([]byte("x"), s); string(got) != "x"+tt.upper {
			t.Errorf("AppendUpper(x, %q) = %q, want %q", s, got, "x"+tt.upper)
		}
		if string(in) != tt.in {
			t.Errorf("Strip or AppendUpper modified their input %q: %q", tt.in, in)
		}
		if got := UpperInPlace(s); string(got) != tt.upper || string(s) != tt.upper {
			t.Errorf("UpperInPlace(%q) = %q, want %q in place", tt.strip, got, tt.upper)
		}
	}
	for c := range 256 {
		if got, want := IsSpace(byte(c)), strings.IndexByte(" \t\n\r\v\f", byte(c)) >= 0; got != want {
			t.Errorf("IsSpace(%#x) = %v, want %v", c, got, want)
		}
	}
}

type lineResult struct {
	Line string
	Err  string
}

// readAll calls ReadLine until an error other than ErrLineTooLong, at most
// 20 times.
func readAll(r io.Reader, max int) []lineResult {
	br := bufio.NewReaderSize(r, 16) // the smallest bufio allows
	var long []byte
	var out []lineResult
	for range 20 {
		line, err := ReadLine(br, &long, max)
		res := lineResult{Line: string(line)}
		if err != nil {
			res.Err = err.Error()
		}
		out = append(out, res)
		if err != nil && !errors.Is(err, ErrLineTooLong) {
			break
		}
	}
	return out
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("0123456789", 5) // 50 bytes: longer than the 16-byte buffer
	eof := io.EOF.Error()
	for _, tt := range []struct {
		name string
		in   io.Reader
		max  int
		want []lineResult
	}{
		{"lines", strings.NewReader("a\nbc\n"), 0, []lineResult{{"a\n", ""}, {"bc\n", ""}, {"", eof}}},
		{"partial last line", strings.NewReader("a\nbc"), 0, []lineResult{{"a\n", ""}, {"bc", ""}, {"", eof}}},
		{"empty input", strings.NewReader(""), 0, []lineResult{{"", eof}}},
		{"longer than the buffer", strings.NewReader(long + "\nz\n"), 0, []lineResult{{long + "\n", ""}, {"z\n", ""}, {"", eof}}},
		{"long partial last line", strings.NewReader("z\n" + long), 0, []lineResult{{"z\n", ""}, {long, ""}, {"", eof}}},
		{"at the limit", strings.NewReader("abc\n"), 4, []lineResult{{"abc\n", ""}, {"", eof}}},
		{"over the limit", strings.NewReader("abcd\nok\n"), 4, []lineResult{{"", ErrLineTooLong.Error()}, {"ok\n", ""}, {"", eof}}},
		{"long over the limit", strings.NewReader(long + "\n"), 20, []lineResult{{"", ErrLineTooLong.Error()}, {"234567890123456789\n", ""}, {"", eof}}}, // stopped after two 16-byte reads
		{"long within the limit", strings.NewReader(long + "\n"), 51, []lineResult{{long + "\n", ""}, {"", eof}}},
		{"read error", io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(errors.New("boom"))), 0, []lineResult{{"ab", "boom"}}},
		{"read error in a long line", io.MultiReader(strings.NewReader(long), iotest.ErrReader(errors.New("boom"))), 0, []lineResult{{long, "boom"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, readAll(tt.in, tt.max)); diff != "" {
				t.Errorf("ReadLine results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
