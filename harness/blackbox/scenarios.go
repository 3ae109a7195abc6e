package blackbox

import (
	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/internal/seedclient"

	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// The protocol-level scenarios of CheckAddr, which the white-box suite also
// runs through it.
// Each talks to a server speaking the seed's protocol at network/addr.

// clientFaults: a client that connects and leaves, one that resets in the
// middle of its request, and one that resets in the middle of a large reply;
// after each the server still serves.
func clientFaults(ctx context.Context, network, addr string) error {
	steps := []struct {
		name string
		do   func(c net.Conn) error
	}{
		{"connects and leaves", func(c net.Conn) error { return c.Close() }},
		{"connects and resets", func(c net.Conn) error { seedclient.Reset(c); return nil }},
		{"resets mid-request", func(c net.Conn) error {
			_, err := c.Write([]byte("half a li"))
			time.Sleep(20 * time.Millisecond)
			seedclient.Reset(c)
			return err
		}},
		{"resets mid-reply", func(c net.Conn) error {
			line, _ := seedclient.SeedPattern(1 << 20)
			wrote := make(chan struct{})
			go func() { // writes concurrently with the read below
				defer close(wrote)
				_, _ = c.Write(append(line, '\n'))
			}()
			_ = c.SetReadDeadline(time.Now().Add(seedclient.ReplyTimeout))
			buf := make([]byte, 1024)
			_, err := seedclient.ReadFull(c, buf)
			seedclient.Reset(c)
			<-wrote
			return err
		}},
	}
	for _, st := range steps {
		c, err := seedclient.Dial(ctx, network, addr)
		if err != nil {
			return fmt.Errorf("client that %s: %w", st.name, err)
		}
		if err := st.do(c); err != nil {
			c.Close()
			return fmt.Errorf("client that %s: %w", st.name, err)
		}
		if err := seedclient.RoundTrips(ctx, network, addr, 1); err != nil {
			return fmt.Errorf("after a client that %s: %w", st.name, err)
		}
	}
	return nil
}

// hugeLine: a 1 MiB line is served in full, as Python's unlimited
// readline does. The request is written while the reply is read.
func hugeLine(ctx context.Context, network, addr string) error {
	line, want := seedclient.SeedPattern(1 << 20)
	c, err := seedclient.Dial(ctx, network, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	werr := make(chan error, 1)
	go func() {
		_, err := c.Write(append(line, '\n'))
		werr <- err
	}()
	got, err := seedclient.ReadAll(c, seedclient.ReplyTimeout)
	if e := <-werr; e != nil && err == nil {
		err = fmt.Errorf("sending the 1 MiB line: %w", e)
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("1 MiB line: reply of %d bytes differs from the %d expected", len(got), len(want))
	}
	return nil
}

// byteByByte: the seed's request sent one byte per write (TCP_NODELAY, a
// pause between) is answered as if sent at once.
func byteByByte(ctx context.Context, network, addr string) error {
	c, err := seedclient.Dial(ctx, network, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	for _, b := range []byte("  hello, World \t\n") {
		if _, err := c.Write([]byte{b}); err != nil {
			return fmt.Errorf("writing byte %q: %w", b, err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	got, err := seedclient.ReadAll(c, seedclient.ReplyTimeout)
	if err != nil {
		return err
	}
	if string(got) != "HELLO, WORLD" {
		return fmt.Errorf("reply %q, want %q", got, "HELLO, WORLD")
	}
	return nil
}

// slowClient: a slowloris client dribbles its line a byte every 20 ms.
// Meanwhile another client is served while the slow one is still sending
// (serial: once it has finished, and not before), and the slow one gets its
// reply too.
func slowClient(ctx context.Context, network, addr string, p socketserver.Concurrency) error {
	slow, err := seedclient.Dial(ctx, network, addr)
	if err != nil {
		return err
	}
	defer slow.Close()
	if _, err := slow.Write([]byte("s")); err != nil {
		return err
	}
	time.Sleep(50 * time.Millisecond) // the slow client is first in line
	probeDone := make(chan error, 1)
	probeAt := make(chan time.Time, 1)
	go func() {
		err := seedclient.ExpectReply(ctx, network, addr, []byte("probe\n"), []byte("PROBE"))
		probeAt <- time.Now()
		probeDone <- err
	}()
	// Dribble until the probe is served (at most 1.5 s; serial: 400 ms).
	limit := 1500 * time.Millisecond
	if p.Max == 1 {
		limit = seedclient.StarveWindow
	}
	start := time.Now()
	var probeErr error
	served := false
dribble:
	for time.Since(start) < limit {
		if _, err := slow.Write([]byte("l")); err != nil {
			return fmt.Errorf("slow client: %w", err)
		}
		select {
		case probeErr = <-probeDone:
			served = true
			break dribble
		case <-time.After(20 * time.Millisecond):
		}
	}
	finished := time.Now()
	if _, err := slow.Write([]byte("ow\n")); err != nil {
		return fmt.Errorf("slow client: %w", err)
	}
	got, err := seedclient.ReadAll(slow, seedclient.ReplyTimeout)
	if err != nil {
		return fmt.Errorf("slow client: %w", err)
	}
	if len(got) < 4 || got[0] != 'S' || !bytes.HasSuffix(got, []byte("OW")) || len(bytes.Trim(got[1:len(got)-2], "L")) != 0 {
		return fmt.Errorf("slow client: reply %q, want SL...LOW", got)
	}
	if !served {
		select {
		case probeErr = <-probeDone:
		case <-time.After(seedclient.ReplyTimeout + seedclient.DialTimeout):
			return errors.New("the other client was never served")
		}
	}
	if probeErr != nil {
		return fmt.Errorf("the other client: %w", probeErr)
	}
	at := <-probeAt
	switch {
	case p.Max == 1 && at.Before(finished):
		return fmt.Errorf("a serial server served another client while the slow one was still sending")
	case p.Max != 1 && !served:
		return fmt.Errorf("another client was not served within %v while a slow client was sending (promise %v)", limit, p)
	}
	return nil
}
