package handlers_test

import (
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver/handlers"
)

// seedCases are inputs on which Go's bytes.TrimSpace / bytes.ToUpper and
// Python's bytes.strip / bytes.upper disagree, plus ordinary ones.
var seedCases = []struct {
	in, upper, repr string
}{
	{"hello world with TCP\n", "HELLO WORLD WITH TCP", `b'hello world with TCP'`},
	{" \t\r\v\fmixed Case\r\n", "MIXED CASE", `b'mixed Case'`},
	{"\u00a0nbsp\u00a0", "\u00a0NBSP\u00a0", `b'\xc2\xa0nbsp\xc2\xa0'`}, // U+00A0 is not ASCII space
	{"\u0085nel\u3000", "\u0085NEL\u3000", `b'\xc2\x85nel\xe3\x80\x80'`},
	{"été straße ǆ", "éTé STRAßE ǆ", `b'\xc3\xa9t\xc3\xa9 stra\xc3\x9fe \xc7\x86'`},
	{"\xff\xfeinvalid utf-8 \xe9", "\xff\xfeINVALID UTF-8 \xe9", `b'\xff\xfeinvalid utf-8 \xe9'`},
	{"it's", "IT'S", `b"it's"`},
	{"both ' and \"", "BOTH ' AND \"", `b'both \' and "'`},
	{"back\\slash\x00nul\x7f", "BACK\\SLASH\x00NUL\x7f", `b'back\\slash\x00nul\x7f'`},
	{"", "", `b''`},
	{"   ", "", `b''`},
}

func TestStripUpperAndRepr(t *testing.T) {
	for _, tc := range seedCases {
		data := handlers.Strip([]byte(tc.in))
		repr := handlers.PyRepr(data)
		up := string(handlers.UpperInPlace(append([]byte(nil), data...)))
		if up != tc.upper {
			t.Errorf("upper(strip(%q)) = %q, want %q", tc.in, up, tc.upper)
		}
		if repr != tc.repr {
			t.Errorf("repr(strip(%q)) = %s, want %s", tc.in, repr, tc.repr)
		}
	}
}

// TestAgreesWithPython runs the same cases through python3 itself, so the
// table above cannot drift from what Python really does.
func TestAgreesWithPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not on PATH: cannot cross-check against Python (install python3)")
	}
	var ins []string
	for _, tc := range seedCases {
		ins = append(ins, hex.EncodeToString([]byte(tc.in)))
	}
	script := `import sys, json
out = []
for h in json.load(sys.stdin):
    d = bytes.fromhex(h).strip()
    out.append([d.upper().hex(), repr(d)])
json.dump(out, sys.stdout)`
	cmd := exec.Command(py, "-c", script)
	b, _ := json.Marshal(ins)
	cmd.Stdin = strings.NewReader(string(b))
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var out [][2]string
	if err := json.Unmarshal(outb, &out); err != nil {
		t.Fatal(err)
	}
	for i, tc := range seedCases {
		wantUpper, _ := hex.DecodeString(out[i][0])
		data := handlers.Strip([]byte(tc.in))
		if got := handlers.PyRepr(data); got != out[i][1] {
			t.Errorf("%q: PyRepr %s, Python %s", tc.in, got, out[i][1])
		}
		if got := handlers.UpperInPlace(append([]byte(nil), data...)); string(got) != string(wantUpper) {
			t.Errorf("%q: upper %q, Python %q", tc.in, got, wantUpper)
		}
	}
}
