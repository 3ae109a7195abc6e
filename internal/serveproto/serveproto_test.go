package serveproto

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// nonDefaultServe returns a Serve whose every field differs from
// DefaultServe's.
func nonDefaultServe() Serve {
	return Serve{
		Strategy: "goroutine", Handler: "echo", Addr: "127.0.0.1:0", Network: "tcp4",
		Unix: "/tmp/x.sock", RemoveSocket: true, Backlog: 77, ReuseAddress: false, ReusePort: true,
		Quiet: true, PrintAddr: true, Control: true, ShutdownTimeout: 1500 * time.Millisecond,
		ReadTimeout: 2 * time.Second, WriteTimeout: 3 * time.Second, IdleTimeout: time.Minute, MaxLine: 4096,
		UnixMode: 0o660, UnixGroup: "wheel", RemoveStaleSocket: true, LogRate: 0, StatsAddr: "127.0.0.1:9100",
	}
}

func nonDefaultRefServe() RefServe {
	return RefServe{Kind: "pool", Workers: 3, Handler: "echo", Addr: "127.0.0.1:7", Backlog: 9,
		PrintAddr: true, Control: true, CPUProfile: "/tmp/cpu.out"}
}

// checkAllDiffer fails for each field of got that equals the same field of
// def: a field added to the struct must be added to the test's value too.
func checkAllDiffer(t *testing.T, got, def any) {
	t.Helper()
	g, d := reflect.ValueOf(got), reflect.ValueOf(def)
	for i := range g.NumField() {
		if g.Field(i).Equal(d.Field(i)) {
			t.Errorf("field %s is %v in the test value, as in the default: give it another value", g.Type().Field(i).Name, g.Field(i))
		}
	}
}

// TestArgsRoundTrip checks that Args writes one flag per field and that
// Register parses it back into the same invocation.
func TestArgsRoundTrip(t *testing.T) {
	t.Run(ServeCommand, func(t *testing.T) {
		checkRoundTrip(t, ServeCommand, nonDefaultServe(), DefaultServe(), Serve.Args, (*Serve).Register)
	})
	t.Run(RefServeCommand, func(t *testing.T) {
		checkRoundTrip(t, RefServeCommand, nonDefaultRefServe(), DefaultRefServe(), RefServe.Args, (*RefServe).Register)
	})
}

func checkRoundTrip[T any](t *testing.T, command string, want, def T, args func(T) []string, register func(*T, *flag.FlagSet)) {
	t.Helper()
	checkAllDiffer(t, want, def)
	a := args(want)
	if a[0] != command {
		t.Fatalf("Args()[0] = %q, want %q", a[0], command)
	}
	got := def
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	register(&got, fs)
	if err := fs.Parse(a[1:]); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsed %q (-want +got):\n%s", a, diff)
	}
	if n, fields := len(a)-1, reflect.TypeFor[T]().NumField(); n != fields {
		t.Errorf("%d flags in %q for %d fields", n, a, fields)
	}
}

// TestArgsOnlyDifferences checks that defaults are left out, so that an
// older build without a newer flag still accepts the launcher's arguments.
func TestArgsOnlyDifferences(t *testing.T) {
	s := DefaultServe()
	s.ReuseAddress = false
	s.Backlog = 4096
	r := DefaultRefServe()
	r.Kind = "serial"
	for _, tt := range []struct {
		got, want []string
	}{
		{DefaultServe().Args(), []string{"serve"}},
		{s.Args(), []string{"serve", "--backlog=4096", "--reuse-address=false"}},
		{DefaultRefServe().Args(), []string{"refserve"}},
		{r.Args(), []string{"refserve", "--kind=serial"}},
	} {
		if diff := cmp.Diff(tt.want, tt.got); diff != "" {
			t.Errorf("args (-want +got):\n%s", diff)
		}
	}
}

func TestDefaultBacklogIsPythons(t *testing.T) {
	if DefaultBacklog != socketserver.DefaultRequestQueueSize {
		t.Errorf("DefaultBacklog = %d, socketserver.DefaultRequestQueueSize = %d", DefaultBacklog, socketserver.DefaultRequestQueueSize)
	}
}

func TestParseStats(t *testing.T) {
	var b bytes.Buffer
	want := Stats{Goroutines: 3, Conns: 2, HeapInuse: 4, StackInuse: 5, Sys: 6, NumGC: 7, GOMAXPROCS: 8, Balance: []int64{5, 7}}
	if err := WriteStats(&b, want); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		line    string
		want    Stats
		ok, err bool
	}{
		{strings.TrimSuffix(b.String(), "\n"), want, true, false},
		{"b'hello' from 127.0.0.1:5000", Stats{}, false, false},
		{"{not json", Stats{}, true, true},
	} {
		got, ok, err := ParseStats(tt.line)
		if ok != tt.ok || (err != nil) != tt.err || !cmp.Equal(got, tt.want) {
			t.Errorf("ParseStats(%q) = %+v, %v, %v; want %+v, %v, error %v", tt.line, got, ok, err, tt.want, tt.ok, tt.err)
		}
	}
}

// TestControl checks the loop's three ends (quit, end of input, a done
// context) and its answer to stats.
func TestControl(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name       string
		ctx        context.Context
		in         string
		wantStats  int
		wantUnread string
	}{
		{"end of input", context.Background(), "stats\nnoise\n stats \n", 2, ""},
		{"quit", context.Background(), "stats\nquit\nstats\n", 1, "stats\n"},
		{"done context", done, "stats\nstats\n", 1, "stats\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := &lineReader{lines: strings.SplitAfter(tt.in, "\n")}
			var out bytes.Buffer
			stopped := 0
			Control(tt.ctx, in, &out, func() int { return 42 }, func() { stopped++ })
			if stopped != 1 {
				t.Errorf("stop called %d times, want 1", stopped)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if out.Len() == 0 {
				lines = nil
			}
			if len(lines) != tt.wantStats {
				t.Fatalf("output %q: %d lines, want %d", out.String(), len(lines), tt.wantStats)
			}
			for _, l := range lines {
				st, ok, err := ParseStats(l)
				if !ok || err != nil || st.Conns != 42 || st.Goroutines < 1 || st.GOMAXPROCS < 1 {
					t.Errorf("stats line %q: %+v, %v, %v", l, st, ok, err)
				}
			}
			if rest := strings.Join(in.lines, ""); rest != tt.wantUnread {
				t.Errorf("unread input %q, want %q", rest, tt.wantUnread)
			}
		})
	}
}

// lineReader returns one line per Read, so that what Control leaves
// unread is visible.
type lineReader struct{ lines []string }

func (r *lineReader) Read(p []byte) (int, error) {
	for len(r.lines) > 0 && r.lines[0] == "" {
		r.lines = r.lines[1:]
	}
	if len(r.lines) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.lines[0])
	r.lines[0] = r.lines[0][n:]
	return n, nil
}

func TestRequestStats(t *testing.T) {
	var b bytes.Buffer
	if err := RequestStats(&b); err != nil || b.String() != StatsCommand+"\n" {
		t.Errorf("RequestStats wrote %q, %v", b.String(), err)
	}
}

func TestAddrLine(t *testing.T) {
	var b bytes.Buffer
	if err := WriteAddr(&b, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4242}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		line, want string
		err        bool
	}{
		{b.String(), "127.0.0.1:4242", false},
		{"[::1]:80\r\n", "[::1]:80", false},
		{"sockbench: serving upper", "", true},
		{"/tmp/upper.sock\n", "", true},
	} {
		got, err := ParseAddr(tt.line)
		if got != tt.want || (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrNoAddr)) {
			t.Errorf("ParseAddr(%q) = %q, %v; want %q, error %v (ErrNoAddr)", tt.line, got, err, tt.want, tt.err)
		}
	}
}
