package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// datagramNetworks are the networks the datagram suite serves on.
var datagramNetworks = []string{"udp", "unixgram"}

// datagramWait bounds each wait of the datagram suite.
const datagramWait = 20 * time.Second

// DatagramCheckNames returns the names of the datagram suite's checks:
// blackbox.DatagramCheckNames and ShutdownDrains, each run on udp and on
// unixgram ("udp/DatagramExchange").
func DatagramCheckNames() []string {
	var names []string
	for _, n := range datagramNetworks {
		for _, c := range append(blackbox.DatagramCheckNames(), "ShutdownDrains") {
			names = append(names, n+"/"+c)
		}
	}
	return names
}

// CheckDatagramStrategy runs the datagram suite against servers that
// execute datagrams with a fresh strategy from mk: the black-box datagram
// checks (CPython's UDP cases, truncation at 8192, the empty reply, many
// clients, a burst, vanished and unbound senders) on a server of the docs'
// UDPServer handler (udp) and DatagramRequestHandler (unixgram), and
// ShutdownDrains: datagrams queued behind a busy handler when Shutdown
// begins are all served. It returns nil, or an error naming every failed
// check.
func CheckDatagramStrategy(mk func() socketserver.Strategy) error {
	return checkDatagrams(mk, datagramWait)
}

// checkDatagrams is CheckDatagramStrategy with wait bounding each check.
func checkDatagrams(mk func() socketserver.Strategy, wait time.Duration) error {
	var errs []error
	for _, network := range datagramNetworks {
		if err := checkDatagramNetwork(mk, network, wait, func(name string, err error) {
			errs = append(errs, fmt.Errorf("%s/%s: %w", network, name, err))
		}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", network, err))
		}
	}
	return errors.Join(errs...)
}

// TestDatagramStrategy is CheckDatagramStrategy reporting each check as a
// subtest of t named as DatagramCheckNames returns them.
func TestDatagramStrategy(t *testing.T, mk func() socketserver.Strategy) {
	t.Helper()
	for _, network := range datagramNetworks {
		results := map[string]error{}
		if err := checkDatagramNetwork(mk, network, datagramWait, func(name string, err error) { results[name] = err }); err != nil {
			t.Errorf("%s: %v", network, err)
			continue
		}
		for _, name := range append(blackbox.DatagramCheckNames(), "ShutdownDrains") {
			t.Run(network+"/"+name, func(t *testing.T) {
				if err := results[name]; err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// checkDatagramNetwork runs every check on network, calling fail for each
// that failed; its own error is a server that could not be started.
func checkDatagramNetwork(mk func() socketserver.Strategy, network string, wait time.Duration, fail func(name string, err error)) error {
	handler := "dgram-upper"
	if network == "unixgram" {
		handler = "dgram-stream-upper"
	}
	h, err := handlers.NewDatagram(handler, nil)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "hdg")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv := &socketserver.Server{Network: network, Addr: "127.0.0.1:0", Strategy: mk(), DatagramHandler: h,
		HandleError: func(*socketserver.Request, error) {}} // vanished senders are reported
	if network == "unixgram" {
		srv.Addr = filepath.Join(dir, "s")
	}
	stop, err := serveDatagrams(srv, wait)
	if err != nil {
		return err
	}
	results := blackbox.CheckDatagramAddr(context.Background(), network, srv.ListenAddr().String(), blackbox.AddrOptions{Timeout: wait})
	if err := stop(); err != nil {
		fail("Shutdown", err)
	}
	for _, r := range results {
		if !r.Pass {
			fail(r.Name, errors.New(r.Reason))
		}
	}
	if err := shutdownDrains(mk, filepath.Join(dir, "d"), wait); err != nil {
		fail("ShutdownDrains", err)
	}
	return nil
}

// serveDatagrams binds and serves srv; stop shuts it down gracefully and
// checks what ServePacket returned.
func serveDatagrams(srv *socketserver.Server, wait time.Duration) (stop func() error, err error) {
	if err := srv.Listen(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServePacket(srv.PacketConn()) }()
	return func() error {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		serr := srv.Shutdown(ctx)
		if serr != nil {
			srv.Close()
		}
		if err := <-done; !errors.Is(err, socketserver.ErrServerClosed) {
			return errors.Join(serr, fmt.Errorf("ServePacket returned %v, want ErrServerClosed", err))
		}
		return serr
	}, nil
}

// shutdownDrains: datagrams queued behind a busy handler when Shutdown
// begins are all served. A unixgram sender's datagram is queued at the
// receiver when its send returns, so no timing is assumed; on udp the same
// holds on loopback but is not promised, so the check uses unixgram for
// both.
func shutdownDrains(mk func() socketserver.Strategy, path string, wait time.Duration) error {
	const queued = 8 // below net.unix.max_dgram_qlen (10)
	var served atomic.Int32
	busy, release := make(chan struct{}, 1), make(chan struct{})
	srv := &socketserver.Server{Network: "unixgram", Addr: path, Strategy: mk(),
		HandleError: func(*socketserver.Request, error) {},
		DatagramHandler: socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
			if string(d.Data) == "busy" {
				busy <- struct{}{}
				<-release
			}
			served.Add(1)
			return nil
		})}
	stop, err := serveDatagrams(srv, wait)
	if err != nil {
		return err
	}
	c, err := blackbox.DialDatagram("unixgram", path, "auto")
	if err != nil {
		close(release)
		return errors.Join(err, stop())
	}
	defer c.Close()
	_ = c.SetWriteDeadline(time.Now().Add(wait))
	sendErr := func() error {
		if _, err := c.Write([]byte("busy")); err != nil {
			return err
		}
		select {
		case <-busy:
		case <-time.After(wait):
			return errors.New("the first datagram was not served")
		}
		for i := range queued {
			if _, err := c.Write([]byte(fmt.Sprint(i))); err != nil {
				return err
			}
		}
		return nil
	}()
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(5 * time.Millisecond) // let Shutdown begin; nothing depends on it
	close(release)
	err = errors.Join(sendErr, <-stopped)
	if got := served.Load(); sendErr == nil && got != queued+1 {
		err = errors.Join(err, fmt.Errorf("served %d datagrams, want %d: Shutdown lost what the socket held", got, queued+1))
	}
	return err
}
