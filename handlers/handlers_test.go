package handlers_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/goroutine"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func serve(t *testing.T, h socketserver.Handler) string {
	t.Helper()
	srv := &socketserver.Server{Addr: "127.0.0.1:0", Handler: h, Strategy: goroutine.New(),
		HandleError: func(*socketserver.Request, error) {}}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	t.Cleanup(func() { srv.Close(); <-done })
	return srv.ListenAddr().String()
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestUpperSeedProtocol(t *testing.T) {
	var logBuf bytes.Buffer
	addr := serve(t, handlers.Upper(0, log.New(&logBuf, "", 0)))
	big := strings.Repeat("abc", 1<<20/3) // 1 MiB line: served whole, as Python does
	tests := []struct{ name, send, want string }{
		{"seed", "hello world with TCP\n", "HELLO WORLD WITH TCP"},
		{"only first line", "one\ntwo\n", "ONE"},
		{"no newline then EOF", "tail", "TAIL"},
		{"empty", "", ""},
		{"non-ascii untouched", "\u00a0é\n", "\u00a0é"},
		{"huge line", big + "\n", strings.ToUpper(big)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := dial(t, addr)
			go func() {
				io.WriteString(c, tt.send)
				c.(*net.TCPConn).CloseWrite()
			}()
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("reply %.40q (len %d), want %.40q (len %d)", got, len(got), tt.want, len(tt.want))
			}
		})
	}
	if !strings.Contains(logBuf.String(), "127.0.0.1 wrote:\nb'hello world with TCP'\n") {
		t.Errorf("request log %.200q lacks the seed's lines", logBuf.String())
	}
}

func TestUpperMaxLine(t *testing.T) {
	addr := serve(t, handlers.Upper(8, nil))
	c := dial(t, addr)
	io.WriteString(c, "far too long for eight\n")
	got, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("over-long line answered %q, want nothing", got)
	}
}

func TestUpperDelay(t *testing.T) {
	const delay = 20 * time.Millisecond
	h, err := handlers.New("upper:delay=20ms", nil)
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, serve(t, h))
	start := time.Now()
	io.WriteString(c, "  wait for me \n")
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "WAIT FOR ME" {
		t.Fatalf("reply %q, want %q", got, "WAIT FOR ME")
	}
	if took := time.Since(start); took < delay {
		t.Errorf("reply after %v, want at least the delay %v", took, delay)
	}
}

func TestUpperRecv(t *testing.T) {
	addr := serve(t, handlers.UpperRecv(nil))
	c := dial(t, addr)
	io.WriteString(c, "  python is nice \n")
	got, _ := io.ReadAll(c)
	if string(got) != "PYTHON IS NICE" {
		t.Fatalf("reply %q", got)
	}
}

func TestUpperLinesKeepAlive(t *testing.T) {
	for _, spec := range []string{"upperlines", "cpu:rounds=10", "sleep:delay=1ms"} {
		t.Run(spec, func(t *testing.T) {
			h, err := handlers.New(spec, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := dial(t, serve(t, h))
			r := bufio.NewReader(c)
			for _, line := range []string{"hello world with tcp\n", "  keep spaces \n", "é\n"} {
				io.WriteString(c, line)
				got, err := r.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				if want := string(handlers.UpperInPlace([]byte(line))); got != want {
					t.Fatalf("reply %q, want %q", got, want)
				}
			}
		})
	}
}

func TestEcho(t *testing.T) {
	c := dial(t, serve(t, handlers.Echo(0)))
	payload := bytes.Repeat([]byte{0, 1, 2, 250}, 100000)
	go func() { c.Write(payload); c.(*net.TCPConn).CloseWrite() }()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, payload) {
		t.Fatalf("echoed %d bytes, want %d identical", len(got), len(payload))
	}
}

func TestNewErrors(t *testing.T) {
	for _, tt := range []struct{ spec, want string }{
		{"nope", `unknown handler "nope" (known: cpu, echo, sleep, upper, upper-recv, upperlines)`},
		{"cpu:rounds=0", `option rounds="0": want an integer in 1..10000000`},
		{"sleep:delay=soon", `option delay="soon": want a duration in 0s..1m0s`},
		{"sleep:delay=-1ms", `option delay="-1ms": want a duration in 0s..1m0s`},
		{"sleep:delay=2h", `option delay="2h": want a duration in 0s..1m0s`},
		{"echo:buf=100000000000", `echo:buf=100000000000: option buf="100000000000": want an integer in 1..16777216`},
		{"echo:buf=0", `option buf="0": want an integer in 1..16777216`},
		{"upper:max-line=-1", `option max-line="-1": want an integer in 0..1073741824`},
		{"upperlines:max-line=99999999999999999999", `want an integer in 0..1073741824`},
		{"upper:colour=red", "unknown option colour for upper (allowed: max-line, delay, message)"},
		{"upper:delay=2m", `option delay="2m": want a duration in 0s..1m0s`},
		{"upper-recv:x=1", "upper-recv takes no options"},
	} {
		if _, err := handlers.New(tt.spec, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%q) = %v, want error containing %q", tt.spec, err, tt.want)
		}
	}
}
