package harness

import (
	"errors"

	"github.com/gosocketserver/socketserver/harness/blackbox"
)

// The client-side checks are the black-box checker's, each run on a fresh
// seed server through blackbox.CheckAddr with the promise under test.

func checkOddBytes(e *env) error         { return blackBoxCheck(e, "OddBytes") }
func checkHalfClose(e *env) error        { return blackBoxCheck(e, "NoNewlineHalfClose") }
func checkBurst(e *env) error            { return blackBoxCheck(e, "Burst") }
func checkCapacityBlackBox(e *env) error { return blackBoxCheck(e, "Capacity") }
func checkClientFaults(e *env) error     { return blackBoxCheck(e, "ClientFaults") }
func checkHugeLine(e *env) error         { return blackBoxCheck(e, "HugeLine") }
func checkByteByByte(e *env) error       { return blackBoxCheck(e, "ByteByByte") }
func checkSlowClient(e *env) error       { return blackBoxCheck(e, "SlowClient") }

// blackBoxCheck runs the named check of blackbox.CheckAddr on a fresh seed
// server, bounded by the watchdog.
func blackBoxCheck(e *env, name string) error {
	s, err := e.newServer(config{})
	if err != nil {
		return err
	}
	rs := blackbox.CheckAddr(e.ctx, "tcp", s.addr, e.p, blackbox.AddrOptions{Timeout: watchdog, Only: []string{name}})
	if len(rs) != 1 {
		return errors.New("harness: the black-box checker has no check " + name)
	}
	if !rs[0].Pass {
		return errors.New(rs[0].Reason)
	}
	return nil
}
