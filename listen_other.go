//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package socketserver

import (
	"context"
	"errors"
	"net"
)

// socketFD records a bind request on systems without the raw socket calls
// that separate bind from listen; Activate does both.
type socketFD struct{ network string }

func (f *socketFD) close() error { return nil }

// Bind records the address to listen on. On this system binding and
// listening happen together in Activate, the backlog is the system's, and
// the reuse options are not honoured.
func (s *Server) Bind() error {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	if s.fd != nil || s.ln != nil {
		return errors.New("socketserver: bind: already bound")
	}
	s.fd = &socketFD{network: s.network()}
	return nil
}

// Activate binds and listens with net.ListenConfig.
func (s *Server) Activate() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inShutdown.Load() {
		return ErrServerClosed
	}
	if s.fd == nil {
		return errors.New("socketserver: activate: not bound (call Bind first)")
	}
	s.fd = nil
	if (s.network() == "unix" || s.network() == "unixgram") && s.RemoveStaleSocket {
		if err := removeStaleSocket(s.network(), s.Addr); err != nil {
			return err
		}
	}
	if isDatagramNetwork(s.network()) {
		return s.listenPacketLocked()
	}
	ln, err := new(net.ListenConfig).Listen(context.Background(), s.network(), s.Addr)
	if err != nil {
		return err
	}
	if ul, ok := ln.(*net.UnixListener); ok {
		// Here the mode and group come after listen: a client may connect
		// under the umask's mode in between.
		ul.SetUnlinkOnClose(false)
		fi, err := s.setupSocketFile()
		if err != nil {
			ln.Close()
			return err
		}
		s.sockFile = fi
	}
	s.ln = ln
	s.boundAddr = ln.Addr()
	return nil
}
