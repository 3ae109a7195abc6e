package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver/harness/netlab"
	"github.com/gosocketserver/socketserver/internal/serveproto"
	"github.com/gosocketserver/socketserver/results"
)

// statsURLEnv makes TestHelperServerStats print the stats record at this
// URL (it runs inside the server's namespace, which the test's cannot reach).
const statsURLEnv = "SOCKBENCH_TEST_STATS_URL"

func TestHelperServerStats(t *testing.T) {
	url := os.Getenv(statsURLEnv)
	if url == "" {
		t.Skip("a helper process of TestLoadAgentsInNamespaces")
	}
	st, err := serveproto.FetchStats(context.Background(), http.DefaultClient, url, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(st)
	fmt.Printf("STATS %s\n", b)
}

// TestLoadAgentsInNamespaces: a goroutine server in its own network
// namespace, three "sockbench load" agents in three more, one schedule;
// their shares merge, and the total of correct replies the agents saw
// matches the connections the server itself counted (churn: one request
// per connection), up to the requests still in flight when they stopped.
func TestLoadAgentsInNamespaces(t *testing.T) {
	if err := netlab.Available(); err != nil {
		t.Skipf("skipping: %v (CI runs this as root with iproute2)", err)
	}
	bin := sockbenchBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lab, err := netlab.New(ctx, netlab.Config{Agents: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer lab.Close()
	srvAddr, statsAddr := lab.Server.Addr.String()+":9000", lab.Server.Addr.String()+":9100"
	srv := lab.Command(ctx, lab.Server, bin, "serve", "--strategy", "goroutine", "--handler", "upper", "--addr", srvAddr,
		"--quiet", "--backlog", "1024", "--stats-addr", statsAddr)
	var srvErr lockedBuilder
	srv.Stderr = &srvErr
	if err := lab.Start(srv); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = srv.Process.Kill()
		_ = srv.Wait()
	}()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(srvErr.String(), "stats at"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start: %s", srvErr.String())
		}
	}

	dir := t.TempDir()
	start := time.Now().Add(2 * time.Second).UTC().Format(time.RFC3339Nano)
	var agents []*exec.Cmd
	var files []string
	var errs []*lockedBuilder
	for i, h := range lab.Agents {
		file := filepath.Join(dir, fmt.Sprintf("a%d.json", i))
		args := []string{"load", "--addr", srvAddr, "--workloads", "churn", "--conns", "2", "--duration", "1s", "--warmup", "200ms",
			"--interval", "250ms", "--start-at", start, "--agent-index", strconv.Itoa(i), "--agents", "3", "--host", h.NS, "--out", file, "--quiet"}
		if i == 0 {
			args = append(args, "--server-stats", statsAddr)
		}
		cmd := lab.Command(ctx, h, bin, args...)
		e := &lockedBuilder{}
		cmd.Stderr = e
		if err := lab.Start(cmd); err != nil {
			t.Fatal(err)
		}
		agents, files, errs = append(agents, cmd), append(files, file), append(errs, e)
	}
	for i, cmd := range agents {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("agent %d: %v: %s", i, err, errs[i].String())
		}
	}

	var out, errb lockedBuilder
	merged := filepath.Join(dir, "merged.json")
	if code := run(ctx, append([]string{"merge", "--out", merged, "--quiet"}, files...), &out, &errb); code != 0 {
		t.Fatalf("merge: exit %d: %s", code, errb.String())
	}
	m, err := results.ReadFile(merged)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Scenarios[0].Samples[0]
	if len(s.Shares) != 3 || m.Scenarios[0].Conns != 6 || s.Requests == 0 || s.ServerCPU <= 0 {
		t.Fatalf("merged sample: %d shares, conns %d, %d requests, server CPU %v", len(s.Shares), m.Scenarios[0].Conns, s.Requests, s.ServerCPU)
	}

	helper := lab.Command(ctx, lab.Server, os.Args[0], "-test.run=^TestHelperServerStats$", "-test.count=1")
	helper.Env = append(os.Environ(), statsURLEnv+"="+serveproto.StatsURL(statsAddr), "GORACE=atexit_sleep_ms=0")
	hout, err := helper.Output()
	_, line, ok := strings.Cut(string(hout), "STATS ")
	var st serveproto.Stats
	if err != nil || !ok || json.Unmarshal([]byte(strings.SplitN(line, "\n", 2)[0]), &st) != nil {
		t.Fatalf("reading the server's stats in its namespace: %v: %s", err, hout)
	}
	// Beyond the replies, the server may have accepted each agent
	// connection's last exchange (in flight when the agent stopped) and the
	// exchanges that failed; one more per connection covers a failure in
	// a warm-up, which the shares do not count.
	var total, slack int64
	for _, sh := range s.Shares {
		total += sh.TotalRequests
		slack += sh.InFlight + sh.Errors + int64(sh.Conns)
	}
	if st.Accepted < total || st.Accepted > total+slack {
		t.Errorf("server accepted %d connections; agents got %d replies with %d in flight or failed: want %d..%d",
			st.Accepted, total, slack, total, total+slack)
	}
	if s.Requests > total {
		t.Errorf("merged requests %d exceed the agents' total %d", s.Requests, total)
	}
	t.Logf("server accepted %d, agents' replies %d (+%d in flight or failed), merged window %d requests over %.2fs", st.Accepted, total, slack, s.Requests, s.Duration)
}
