package procproto

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestEnvRoundTrip checks that a Child written with Env is read back whole
// by FromEnv, and that a bad or incomplete one is an ErrBadChild.
func TestEnvRoundTrip(t *testing.T) {
	want := Child{Role: RoleWorker, Handler: "cpu:rounds=10", Strategy: "pool:workers=2", Worker: 3,
		ReadTimeout: time.Second, WriteTimeout: 2 * time.Second, IdleTimeout: 3 * time.Second, MaxLineSize: 4096,
		ShutdownTimeout: 5 * time.Second, ReusePort: true, Network: "tcp", Addr: "127.0.0.1:80"}
	entry, err := want.Env()
	if err != nil {
		t.Fatal(err)
	}
	name, value, _ := strings.Cut(entry, "=")
	t.Setenv(name, value)
	got, ok, err := FromEnv()
	if !ok || err != nil {
		t.Fatalf("FromEnv: %v, %v", ok, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"{", `{"role":"conn"}`, `{"role":"x","handler":"upper"}`, `{"role":"worker","handler":"upper"}`} {
		t.Setenv(EnvVar, bad)
		if _, ok, err := FromEnv(); !ok || !errors.Is(err, ErrBadChild) {
			t.Errorf("FromEnv with %s: %v, %v; want ErrBadChild", bad, ok, err)
		}
	}
}

func TestEnviron(t *testing.T) {
	got := Environ([]string{"A=1", EnvVar + "={}", "B=2", EnvVar + "X=keep"}, EnvVar+"=new")
	want := []string{"A=1", "B=2", EnvVar + "X=keep", EnvVar + "=new"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Environ (-want +got):\n%s", diff)
	}
}

func TestTail(t *testing.T) {
	tl := &Tail{Max: 5}
	for _, s := range []string{"ab", "cdef", "gh\n"} {
		tl.Write([]byte(s))
	}
	if got := tl.String(); got != "efgh" {
		t.Errorf("Tail = %q, want the last 5 bytes trimmed, %q", got, "efgh")
	}
}
