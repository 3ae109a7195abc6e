package netlab

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// childEnv makes the test binary a process that builds a lab, prints its
// ID and waits to be killed (see TestInterruptedLabLeavesNothing).
const childEnv = "NETLAB_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		l, err := New(context.Background(), Config{Agents: 2})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(l.ID)
		time.Sleep(time.Minute)
		os.Exit(3) // not reached when signalled
	}
	goleak.VerifyTestMain(m)
}

func needLab(t *testing.T) {
	t.Helper()
	if err := Available(); err != nil {
		t.Skipf("skipping: %v (CI runs this as root with iproute2)", err)
	}
}

// namespaces returns the lab namespaces whose names contain id.
func namespaces(t *testing.T, id string) []string {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	var ns []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.Contains(f[0], NamePrefix+id) {
			ns = append(ns, f[0])
		}
	}
	return ns
}

// TestLab: a lab of three agents has the switch, server and agent
// namespaces with their addresses and rate limits, and Close removes
// every one of them.
func TestLab(t *testing.T) {
	needLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := New(ctx, Config{Agents: 3, Rate: "1gbit"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if got := len(namespaces(t, l.ID)); got != 5 {
		t.Errorf("%d namespaces, want 5 (switch, server, 3 agents)", got)
	}
	for _, h := range append([]Host{l.Server}, l.Agents...) {
		if !Subnet.Contains(h.Addr) {
			t.Errorf("%s has %s, outside %s", h.NS, h.Addr, Subnet)
		}
		out, err := exec.Command("ip", "-n", h.NS, "-o", "addr", "show", "dev", "eth0").CombinedOutput()
		if err != nil || !strings.Contains(string(out), h.Addr.String()+"/24") {
			t.Errorf("%s eth0: %s %v; want %s/24", h.NS, out, err, h.Addr)
		}
	}
	out, err := exec.Command("ip", "netns", "exec", l.Agents[0].NS, "tc", "qdisc", "show", "dev", "eth0").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "tbf") {
		t.Errorf("agent 0's qdisc: %s %v; want tbf", out, err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if left := namespaces(t, l.ID); len(left) != 0 {
		t.Errorf("Close left %v", left)
	}
}

// TestSweep removes the namespaces of a lab whose process is gone.
func TestSweep(t *testing.T) {
	needLab(t)
	stale := NamePrefix + "999999999-dead-sw" // beyond any pid
	if err := exec.Command("ip", "netns", "add", stale).Run(); err != nil {
		t.Fatal(err)
	}
	gone, err := Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(gone, " "), stale) || len(namespaces(t, "999999999-dead")) != 0 {
		t.Errorf("Sweep removed %v, want %s among them and gone", gone, stale)
	}
}

// TestInterruptedLabLeavesNothing: a process killed by SIGTERM while its
// lab is up removes the lab before it dies.
func TestInterruptedLabLeavesNothing(t *testing.T) {
	needLab(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=1", "GORACE=atexit_sleep_ms=0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	id := strings.TrimSpace(line)
	if err != nil || strings.HasPrefix(id, "error") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child: %q %v", line, err)
	}
	if n := len(namespaces(t, id)); n != 4 {
		t.Errorf("child's lab has %d namespaces, want 4", n)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	if st, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !st.Signaled() || st.Signal() != syscall.SIGTERM {
		t.Errorf("child exited with %v, want killed by SIGTERM", err)
	}
	if left := namespaces(t, id); len(left) != 0 {
		t.Errorf("interrupted lab left %v", left)
	}
}
