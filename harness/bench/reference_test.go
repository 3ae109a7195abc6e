package bench

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// serveRef serves a RefServer on 127.0.0.1 until the test ends.
func serveRef(t *testing.T, kind, handler string) (*RefServer, string) {
	t.Helper()
	srv := &RefServer{Kind: kind, Workers: 2, Handler: handler}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	addrc := make(chan net.Addr, 1)
	go func() { done <- srv.ServeAddr(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	select {
	case a := <-addrc:
		return srv, a.String()
	case err := <-done:
		done <- err
		t.Fatalf("ServeAddr: %v", err)
	}
	return nil, ""
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func TestRefServerProtocols(t *testing.T) {
	long := strings.Repeat("abc", 5000) // longer than the 8 KiB reader
	for _, kind := range []string{"goroutine", "pool", "serial"} {
		t.Run(kind, func(t *testing.T) {
			_, lines := serveRef(t, kind, "upperlines")
			c := dial(t, lines)
			io.WriteString(c, "hello world\n"+long+"\nlast, no newline")
			c.(*net.TCPConn).CloseWrite()
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if want := "HELLO WORLD\n" + strings.ToUpper(long) + "\nLAST, NO NEWLINE"; string(got) != want {
				t.Errorf("upperlines answered %.60q..., want %.60q...", got, want)
			}

			_, seed := serveRef(t, kind, "upper")
			c = dial(t, seed)
			io.WriteString(c, "  hello world with tcp \r\nignored\n")
			got, _ = io.ReadAll(c)
			if string(got) != "HELLO WORLD WITH TCP" {
				t.Errorf("upper answered %q, want %q", got, "HELLO WORLD WITH TCP")
			}

			_, echo := serveRef(t, kind, "echo")
			c = dial(t, echo)
			payload := bytes.Repeat([]byte{0, 1, 2, 255}, 20000)
			go func() { c.Write(payload); c.(*net.TCPConn).CloseWrite() }()
			got, _ = io.ReadAll(c)
			if !bytes.Equal(got, payload) {
				t.Errorf("echo returned %d bytes, want the %d sent", len(got), len(payload))
			}
		})
	}
}

// TestRefServerConcurrency checks what each kind promises: the pool of 2
// serves two connections at once and the third waits; serial serves one.
func TestRefServerConcurrency(t *testing.T) {
	for _, tt := range []struct {
		kind   string
		served int
	}{{"goroutine", 3}, {"pool", 2}, {"serial", 1}} {
		t.Run(tt.kind, func(t *testing.T) {
			srv, addr := serveRef(t, tt.kind, "upperlines")
			// Connections are taken in order: the first tt.served must be
			// answered (however loaded the machine), the rest must not be
			// while those stay open.
			for i := range 3 {
				c := dial(t, addr)
				io.WriteString(c, "x\n")
				wait := 300 * time.Millisecond
				if i < tt.served {
					wait = 5 * time.Second
				}
				_ = c.SetReadDeadline(time.Now().Add(wait))
				line, err := bufio.NewReader(c).ReadString('\n')
				if answered := err == nil && line == "X\n"; answered != (i < tt.served) {
					t.Errorf("connection %d of 3 answered: %v (%q, %v), want %v", i+1, answered, line, err, i < tt.served)
				}
			}
			if got := srv.Conns(); got != tt.served {
				t.Errorf("Conns() = %d, want %d", got, tt.served)
			}
		})
	}
}

func TestRefServeMainUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "fork"}, "unknown kind"},
		{[]string{}, "unknown kind"},
		{[]string{"--kind", "pool", "--workers", "0"}, `invalid value "0" for flag -workers: want an integer in 1..10000`},
		{[]string{"--kind", "serial", "--handler", "cpu"}, "unknown handler"},
		{[]string{"--kind", "serial", "extra"}, "unexpected arguments"},
		{[]string{"--nosuch"}, "flag provided but not defined"},
	} {
		var stderr bytes.Buffer
		code := RefServeMain(context.Background(), tt.args, strings.NewReader(""), io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("RefServeMain(%q) = %d, stderr %q; want 2 and %q", tt.args, code, stderr.String(), tt.want)
		}
	}
}

// TestRefServeMainControl drives the control protocol in-process: the
// address line, a stats line, and a clean exit at end of input.
func TestRefServeMainControl(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- RefServeMain(context.Background(), []string{"--kind", "goroutine", "--print-addr", "--control"}, inR, outW, io.Discard)
		outW.Close()
	}()
	out := bufio.NewReader(outR)
	addr, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, strings.TrimSpace(addr))
	io.WriteString(c, "ping\n")
	if line, err := bufio.NewReader(c).ReadString('\n'); err != nil || line != "PING\n" {
		t.Fatalf("reply %q, %v", line, err)
	}
	io.WriteString(inW, "stats\n")
	stats, err := out.ReadString('\n')
	if err != nil || !strings.Contains(stats, `"goroutines":`) || !strings.Contains(stats, `"conns":1`) {
		t.Errorf("stats line %q, %v; want JSON with goroutines and conns 1", stats, err)
	}
	inW.Close()
	go io.Copy(io.Discard, out)
	select {
	case c := <-code:
		if c != 0 {
			t.Errorf("exit code %d, want 0", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("refserve did not stop at end of input")
	}
}

// TestRefServerGnet: gnet's event loop speaks the reference handlers, line
// by line (it cannot see a half-close, so every line ends with a newline).
func TestRefServerGnet(t *testing.T) {
	long := strings.Repeat("abc", 30000) // longer than gnet's first read
	_, lines := serveRef(t, "gnet", "upperlines")
	c := dial(t, lines)
	r := bufio.NewReader(c)
	for _, line := range []string{"hello world\n", "a\nb\n", long + "\n"} {
		io.WriteString(c, line)
		for _, want := range strings.SplitAfter(strings.TrimSuffix(line, "\n"), "\n") {
			got, err := r.ReadString('\n')
			if want = strings.ToUpper(strings.TrimSuffix(want, "\n")) + "\n"; err != nil || got != want {
				t.Fatalf("upperlines answered %.40q, %v; want %.40q", got, err, want)
			}
		}
	}
	_, seed := serveRef(t, "gnet", "upper")
	c = dial(t, seed)
	io.WriteString(c, "  hello world with tcp \r\nignored\n")
	if got, _ := io.ReadAll(c); string(got) != "HELLO WORLD WITH TCP" {
		t.Errorf("upper answered %q, want %q", got, "HELLO WORLD WITH TCP")
	}
	_, echo := serveRef(t, "gnet", "echo")
	c = dial(t, echo)
	payload := bytes.Repeat([]byte{0, 1, 2, 255}, 20000)
	go func() { c.Write(payload) }()
	got := make([]byte, len(payload))
	if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, payload) {
		t.Errorf("echo returned %v, want the %d bytes sent", err, len(payload))
	}
}
