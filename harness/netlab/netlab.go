// Package netlab builds test hosts on one machine: a server network
// namespace and K agent namespaces, each joined by a veth pair to one
// bridge that lives in a namespace of its own (the switch), addressed in
// 198.18.0.0/15, the range set aside for benchmarking (RFC 2544). An
// optional token-bucket rate limit (tc tbf; netem is not available on every
// kernel) shapes each agent's link in both directions.
//
// Nothing is created in the namespace of the caller: deleting a lab's
// namespaces deletes its bridge and links with them. Every lab's names
// carry a prefix unique to the run (NamePrefix, the creating process's id,
// a random part), Close removes them, a signal (SIGINT, SIGTERM) removes
// them before the process dies, and New first sweeps the namespaces of
// labs whose creating process no longer runs (Sweep).
//
// It drives iproute2 ("ip", "tc") and needs root; Available says why a lab
// cannot be built here.
package netlab

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// NamePrefix begins the name of every namespace a lab creates:
// NamePrefix + "<pid>-<random>-<role>".
const NamePrefix = "sockbench-lab-"

// ErrUnavailable is wrapped by Available's and New's errors when labs
// cannot be built here (not root, no iproute2).
var ErrUnavailable = errors.New("network namespace lab unavailable")

// MaxAgents is the most agent namespaces one lab holds.
const MaxAgents = 200

// Subnet is the lab's network: the server is 198.18.0.1, agent i is
// 198.18.0.(10+i).
var Subnet = netip.MustParsePrefix("198.18.0.0/24")

// Config describes a lab.
type Config struct {
	// Agents is the number of agent namespaces, 1..MaxAgents.
	Agents int
	// Rate, if not empty, limits each agent's link in both directions with
	// tc tbf, in tc's notation ("100mbit", "1gbit").
	Rate string
}

// Host is one namespace of a lab.
type Host struct {
	// NS is the namespace's name ("ip netns exec NS ...").
	NS string
	// Addr is the host's address on the lab's network.
	Addr netip.Addr
}

// Lab is a set of namespaces built by New. Its methods are safe for
// concurrent use.
type Lab struct {
	// ID is the lab's unique part of its names.
	ID     string
	Server Host
	Agents []Host

	mu      sync.Mutex
	created []string // namespaces, in creation order
	procs   []*exec.Cmd
	closed  bool
	stopSig chan struct{}
	sigDone chan struct{}
}

// Available reports why labs cannot be built here, as an error wrapping
// ErrUnavailable, or nil when they can.
func Available() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w: needs root (network namespaces, veth, tc)", ErrUnavailable)
	}
	for _, tool := range []string{"ip", "tc"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%w: %s (iproute2) not found: %w", ErrUnavailable, tool, err)
		}
	}
	return nil
}

// New builds a lab as cfg describes, after sweeping stale labs' namespaces
// (Sweep). On error it removes whatever it created. The caller must Close
// the lab; until then a SIGINT or SIGTERM removes the lab and then kills
// the process as the signal would have.
func New(ctx context.Context, cfg Config) (*Lab, error) {
	if err := Available(); err != nil {
		return nil, err
	}
	if cfg.Agents < 1 || cfg.Agents > MaxAgents {
		return nil, fmt.Errorf("netlab: %d agents: want 1..%d", cfg.Agents, MaxAgents)
	}
	if _, err := Sweep(ctx); err != nil {
		return nil, err
	}
	var rnd [3]byte
	_, _ = rand.Read(rnd[:])
	l := &Lab{ID: strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(rnd[:])}
	l.watchSignals()
	if err := l.build(ctx, cfg); err != nil {
		return nil, errors.Join(err, l.Close())
	}
	return l, nil
}

// name returns the namespace name of role.
func (l *Lab) name(role string) string { return NamePrefix + l.ID + "-" + role }

// build creates the switch, the server and the agents.
func (l *Lab) build(ctx context.Context, cfg Config) error {
	sw := l.name("sw")
	if err := l.addNS(ctx, sw); err != nil {
		return err
	}
	if err := run(ctx, "ip", "-n", sw, "link", "add", "br0", "type", "bridge"); err != nil {
		return err
	}
	if err := run(ctx, "ip", "-n", sw, "link", "set", "br0", "up"); err != nil {
		return err
	}
	l.Server = Host{NS: l.name("srv"), Addr: netip.AddrFrom4([4]byte{198, 18, 0, 1})}
	if err := l.attach(ctx, sw, "srv", l.Server, ""); err != nil {
		return err
	}
	for i := range cfg.Agents {
		h := Host{NS: l.name("a" + strconv.Itoa(i)), Addr: netip.AddrFrom4([4]byte{198, 18, 0, byte(10 + i)})}
		if err := l.attach(ctx, sw, "a"+strconv.Itoa(i), h, cfg.Rate); err != nil {
			return err
		}
		l.Agents = append(l.Agents, h)
	}
	return nil
}

// addNS creates namespace ns with its loopback up, and records it.
func (l *Lab) addNS(ctx context.Context, ns string) error {
	if err := run(ctx, "ip", "netns", "add", ns); err != nil {
		return err
	}
	l.mu.Lock()
	l.created = append(l.created, ns)
	l.mu.Unlock()
	return run(ctx, "ip", "-n", ns, "link", "set", "lo", "up")
}

// attach creates h's namespace and joins it to the switch sw by a veth
// pair (port in the switch, eth0 in h), optionally rate-limited.
func (l *Lab) attach(ctx context.Context, sw, port string, h Host, rate string) error {
	if err := l.addNS(ctx, h.NS); err != nil {
		return err
	}
	steps := [][]string{
		{"ip", "-n", sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", h.NS},
		{"ip", "-n", sw, "link", "set", port, "master", "br0", "up"},
		{"ip", "-n", h.NS, "addr", "add", netip.PrefixFrom(h.Addr, Subnet.Bits()).String(), "dev", "eth0"},
		{"ip", "-n", h.NS, "link", "set", "eth0", "up"},
	}
	if rate != "" {
		tbf := []string{"qdisc", "add", "dev", "", "root", "tbf", "rate", rate, "burst", "256kb", "latency", "50ms"}
		in, out := slicesWith(tbf, 3, port), slicesWith(tbf, 3, "eth0")
		steps = append(steps, append([]string{"ip", "netns", "exec", sw, "tc"}, in...), append([]string{"ip", "netns", "exec", h.NS, "tc"}, out...))
	}
	for _, s := range steps {
		if err := run(ctx, s[0], s[1:]...); err != nil {
			return err
		}
	}
	return nil
}

// slicesWith returns a copy of s with s[i] = v.
func slicesWith(s []string, i int, v string) []string {
	c := append([]string(nil), s...)
	c[i] = v
	return c
}

// Command returns the command that runs name with args inside h's
// namespace. Start it with Start so that Close stops it.
func (l *Lab) Command(ctx context.Context, h Host, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h.NS, name}, args...)...)
}

// Start starts cmd (from Command) and records it: Close kills it if it
// is still running. The caller still Waits for it.
func (l *Lab) Start(cmd *exec.Cmd) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("netlab: lab closed")
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("netlab: start %s: %w", cmd.Path, err)
	}
	l.procs = append(l.procs, cmd)
	return nil
}

// Close kills the processes Start started that still run and deletes
// every namespace of the lab (with their links, bridge and qdiscs). It is
// safe to call more than once.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	procs, created := l.procs, l.created
	l.mu.Unlock()
	if l.stopSig != nil {
		close(l.stopSig)
		<-l.sigDone
	}
	return l.remove(procs, created)
}

// remove kills procs and deletes the namespaces created, last first.
func (l *Lab) remove(procs []*exec.Cmd, created []string) error {
	for _, p := range procs {
		if p.Process != nil && p.ProcessState == nil {
			_ = p.Process.Kill()
		}
	}
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := len(created) - 1; i >= 0; i-- {
		if err := run(ctx, "ip", "netns", "del", created[i]); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// watchSignals removes the lab when the process gets SIGINT or SIGTERM,
// then lets the signal kill the process.
func (l *Lab) watchSignals() {
	l.stopSig, l.sigDone = make(chan struct{}), make(chan struct{})
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		defer close(l.sigDone)
		defer signal.Stop(ch)
		select {
		case sig := <-ch:
			l.mu.Lock()
			procs, created := l.procs, l.created
			l.closed = true
			l.mu.Unlock()
			_ = l.remove(procs, created)
			signal.Stop(ch)
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				_ = p.Signal(sig)
			}
		case <-l.stopSig:
		}
	}()
}

// Sweep deletes the namespaces of labs whose creating process no longer
// runs (a run killed by SIGKILL, say) and returns their names.
func Sweep(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "ip", "netns", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("netlab: ip netns list: %w", err)
	}
	var gone []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], NamePrefix) {
			continue
		}
		pidText, _, _ := strings.Cut(strings.TrimPrefix(f[0], NamePrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || alive(pid) {
			continue
		}
		if err := run(ctx, "ip", "netns", "del", f[0]); err != nil {
			return gone, err
		}
		gone = append(gone, f[0])
	}
	return gone, nil
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// run runs a command, returning an error with its output when it fails.
func run(ctx context.Context, name string, args ...string) error {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("netlab: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}
