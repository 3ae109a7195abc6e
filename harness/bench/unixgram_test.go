package bench

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gosocketserver/socketserver/harness/load"
	"github.com/gosocketserver/socketserver/internal/serveproto"
)

func TestParseUnixgramWorkload(t *testing.T) {
	for _, tt := range []struct {
		spec    string
		mode    load.Mode
		rate    float64
		timeout time.Duration
		params  map[string]string
	}{
		{"unixgram", load.Closed, 0, DefaultDatagramTimeout, map[string]string{"timeout": "100ms"}},
		{"unixgram:timeout=2s", load.Closed, 0, 2 * time.Second, map[string]string{"timeout": "2s"}},
		{"unixgram-open", load.Open, 2500, DefaultDatagramTimeout, map[string]string{"rate": "2500", "timeout": "100ms"}},
		{"unixgram-open:rate=300", load.Open, 300, DefaultDatagramTimeout, map[string]string{"rate": "300", "timeout": "100ms"}},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			w, err := ParseWorkload(tt.spec, 2500)
			if err != nil {
				t.Fatal(err)
			}
			if !w.Datagram() || w.network != "unixgram" || w.Handler != DatagramHandler || w.Mode != tt.mode || w.rate != tt.rate || w.timeout != tt.timeout {
				t.Errorf("got %+v; want a unixgram workload of handler %s, mode %s, rate %g, timeout %s", w, DatagramHandler, tt.mode, tt.rate, tt.timeout)
			}
			if diff := cmp.Diff(tt.params, w.Params); diff != "" {
				t.Errorf("params (-want +got):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{"unixgram:rate=5", "unixgram:rtt=1ms", "unixgram-open:rate=0"} {
		if _, err := ParseWorkload(bad, 0); !errors.Is(err, ErrBadSpec) {
			t.Errorf("ParseWorkload(%q) = %v; want ErrBadSpec", bad, err)
		}
	}
}

func TestUnixgramTargets(t *testing.T) {
	ug, _ := ParseWorkload("unixgram", 0)
	got := StrategyTarget("goroutine").workloadArgs(ug, 128, "/tmp/sb1/s")
	want := []string{"serve", "--backlog=128", "--control=true", "--handler=dgram-upper", "--network=unixgram",
		"--print-addr=true", "--quiet=true", "--remove-socket=true", "--strategy=goroutine", "--unix=/tmp/sb1/s"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("serve args (-want +got):\n%s", diff)
	}
	ref, _ := ParseTarget("reference:pool")
	streamOnly := StrategyTarget("prefork")
	streamOnly.StreamOnly = true
	for _, tt := range []struct {
		name string
		t    Target
		want string
	}{
		{"pool", StrategyTarget("pool:workers=4"), ""},
		{"running external", ExternalAddrTarget("/run/upper.dgram"), ""},
		{"stream-only", streamOnly, "serves streams only"},
		{"reference", ref, "do not speak datagrams"},
		{"external command", ExternalExecTarget("python3 server.py", ""), "not told the harness's socket path"},
	} {
		if got := tt.t.skipReason(ug); (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: skipReason = %q; want %q", tt.name, got, tt.want)
		}
	}
}

// TestServerSocket checks each start's socket: alone in a new private
// directory, removed with whatever is in it, and a clear error when
// TMPDIR leaves no room in sun_path.
func TestServerSocket(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ug, _ := ParseWorkload("unixgram-open", 0)
	a, err := ug.serverSocket()
	if err != nil {
		t.Fatal(err)
	}
	b, err := ug.serverSocket()
	if err != nil {
		t.Fatal(err)
	}
	if a.Path() == b.Path() || filepath.Dir(a.Path()) != a.dir || filepath.Dir(a.dir) != tmp {
		t.Errorf("paths %s and %s: want two, each alone in its own directory under %s", a.Path(), b.Path(), tmp)
	}
	fi, err := os.Stat(a.dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket directory %v, %v; want mode 0700", fi, err)
	}
	if err := os.WriteFile(a.Path(), nil, 0o600); err != nil { // as a crashed server leaves its socket
		t.Fatal(err)
	}
	a.remove()
	b.remove()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in %s: %v", tmp, left)
	}
	if got, err := a.parseAddr(a.Path() + "\n"); got != a.Path() || err != nil {
		t.Errorf("parseAddr(its path) = %q, %v", got, err)
	}
	if _, err := a.parseAddr("127.0.0.1:80"); !errors.Is(err, serveproto.ErrNoAddr) {
		t.Errorf("parseAddr(host:port) = %v; want ErrNoAddr", err)
	}

	w, _ := ParseWorkload("udp", 0)
	udp, err := w.serverSocket() // a workload on a port: nil
	if udp != nil || err != nil {
		t.Errorf("udp: serverSocket = %v, %v; want none", udp, err)
	}
	udp.remove()
	if got, err := udp.parseAddr("127.0.0.1:80"); got != "127.0.0.1:80" || err != nil || udp.Path() != "" {
		t.Errorf("nil socket: parseAddr = %q, %v; Path %q", got, err, udp.Path())
	}

	long := filepath.Join(tmp, strings.Repeat("d", 100))
	if err := os.Mkdir(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	if s, err := ug.serverSocket(); !errors.Is(err, ErrSocketPathTooLong) || !strings.Contains(err.Error(), "TMPDIR") {
		t.Errorf("serverSocket under a %d-byte TMPDIR = %v, %v; want ErrSocketPathTooLong naming TMPDIR", len(long), s, err)
	}
	if left, _ := os.ReadDir(long); len(left) != 0 {
		t.Errorf("a refused start left %v", left)
	}
}
