package blackbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// ErrUnboundUnixgram is returned by DialDatagram for a unixgram client
// without a path of its own: a Unix datagram server can only reply to a
// sender bound to a path, so such a client would wait for a reply that
// never comes.
var ErrUnboundUnixgram = errors.New("blackbox: a unixgram client must bind a path of its own to get replies")

// A DatagramClient is a client socket connected to one datagram server:
// it sends datagrams to it and receives only its replies.
type DatagramClient struct {
	net.Conn
	path string // the bound unixgram path DialDatagram made, removed on Close
}

// Close closes the socket and removes the path DialDatagram bound for it.
func (c *DatagramClient) Close() error {
	err := c.Conn.Close()
	if c.path != "" {
		_ = os.RemoveAll(filepath.Dir(c.path))
	}
	return err
}

// DialDatagram connects a datagram socket to the server at network
// ("udp", "udp4", "udp6" or "unixgram") and addr. local is the client's
// own address; for unixgram it is required (ErrUnboundUnixgram without
// it), and "auto" binds a fresh temporary path that Close removes.
func DialDatagram(network, addr, local string) (*DatagramClient, error) {
	switch network {
	case "udp", "udp4", "udp6":
		var laddr *net.UDPAddr
		if local != "" && local != "auto" {
			a, err := net.ResolveUDPAddr(network, local)
			if err != nil {
				return nil, err
			}
			laddr = a
		}
		raddr, err := net.ResolveUDPAddr(network, addr)
		if err != nil {
			return nil, err
		}
		c, err := net.DialUDP(network, laddr, raddr)
		if err != nil {
			return nil, err
		}
		return &DatagramClient{Conn: c}, nil
	case "unixgram":
		return dialUnixgram(addr, local)
	}
	return nil, fmt.Errorf("blackbox: %q is not a datagram network (udp, udp4, udp6, unixgram)", network)
}

func dialUnixgram(addr, local string) (*DatagramClient, error) {
	if local == "" {
		return nil, ErrUnboundUnixgram
	}
	made := ""
	if local == "auto" {
		dir, err := os.MkdirTemp("", "dgc")
		if err != nil {
			return nil, err
		}
		local = filepath.Join(dir, "c")
		made = local
	}
	c, err := net.DialUnix("unixgram", &net.UnixAddr{Name: local, Net: "unixgram"}, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		if made != "" {
			_ = os.RemoveAll(filepath.Dir(made))
		}
		return nil, err
	}
	return &DatagramClient{Conn: c, path: made}, nil
}

// Exchange sends req as one datagram and returns the first reply, waiting
// at most until ctx is done.
func (c *DatagramClient) Exchange(ctx context.Context, req []byte) ([]byte, error) {
	if _, err := c.Write(req); err != nil {
		return nil, fmt.Errorf("send: %w", err)
	}
	return c.Receive(ctx)
}

// Receive returns the next reply, waiting at most until ctx is done.
func (c *DatagramClient) Receive(ctx context.Context) ([]byte, error) {
	stop := context.AfterFunc(ctx, func() { _ = c.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 65536)
	n, err := c.Read(buf)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("no reply: %w", ctx.Err())
		}
		return nil, fmt.Errorf("receive: %w", err)
	}
	return buf[:n], nil
}
