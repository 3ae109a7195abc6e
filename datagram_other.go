//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package socketserver

import (
	"context"
	"net"
)

// listenPacketLocked binds the datagram socket with net.ListenConfig on a
// system where Activate binds (see listen_other.go).
func (s *Server) listenPacketLocked() error {
	pc, err := new(net.ListenConfig).ListenPacket(context.Background(), s.network(), s.Addr)
	if err != nil {
		return err
	}
	if s.network() == "unixgram" {
		fi, err := s.setupSocketFile()
		if err != nil {
			pc.Close()
			return err
		}
		s.sockFile = fi
	}
	s.dg.pc = pc
	s.boundAddr = pc.LocalAddr()
	return nil
}
