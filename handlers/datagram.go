package handlers

import (
	"context"
	"fmt"
	"log"
	"sort"
	"strings"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/internal/spec"
)

// DatagramInfo describes a registered datagram handler: one that a server
// on a datagram network ("udp", "unixgram") runs per datagram.
type DatagramInfo struct {
	Name    string
	Summary string
	Options []Option
	build   func(o *spec.Spec, logger *log.Logger) (socketserver.DatagramHandler, error)
}

var dgramRegistry = map[string]*DatagramInfo{}

func init() {
	for _, i := range []*DatagramInfo{
		{Name: "dgram-upper",
			Summary: "the docs' UDPServer example: the datagram stripped, upper-cased, sent back with sendto",
			build: func(o *spec.Spec, l *log.Logger) (socketserver.DatagramHandler, error) {
				return DatagramUpper(l), o.Unused()
			}},
		{Name: "dgram-stream-upper",
			Summary: "DatagramRequestHandler: one line of the datagram, stripped, upper-cased; the reply is always sent",
			build: func(o *spec.Spec, l *log.Logger) (socketserver.DatagramHandler, error) {
				return DatagramStreamUpper(l), o.Unused()
			}},
	} {
		dgramRegistry[i.Name] = i
	}
}

// DatagramUpper is the Python documentation's UDPServer handler: the
// datagram (truncated to the server's MaxPacketSize) with ASCII
// whitespace stripped, sent back upper-cased to its sender as one
// datagram. If logger is not nil each request is logged as the example
// prints it ("127.0.0.1 wrote:" and the bytes' Python repr).
func DatagramUpper(logger *log.Logger) socketserver.DatagramHandler {
	return socketserver.DatagramHandlerFunc(func(_ context.Context, d *socketserver.Datagram) error {
		data := Strip(d.Data)
		logRequest(logger, "wrote", d.ClientAddr, data)
		return d.Reply(UpperInPlace(data))
	})
}

// DatagramStreamUpper is the seed's upper-case handler as a
// DatagramRequestHandler: it reads one line of the datagram from rfile,
// strips it and writes it upper-cased to wfile, which is sent as one
// datagram, empty when the line was.
func DatagramStreamUpper(logger *log.Logger) socketserver.DatagramHandler {
	return &socketserver.DatagramStreamHandler{
		Serve: func(_ context.Context, s *socketserver.DatagramStream) error {
			data := Strip(s.ReadLine())
			logRequest(logger, "wrote", s.ClientAddr, data)
			_, err := s.W.Write(UpperInPlace(data))
			return err
		},
	}
}

// NewDatagram builds a datagram handler from a spec such as "dgram-upper".
// logger, if not nil, receives the per-request lines.
func NewDatagram(specStr string, logger *log.Logger) (socketserver.DatagramHandler, error) {
	sp, err := spec.Parse(specStr)
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	info, ok := dgramRegistry[sp.Name]
	if !ok {
		return nil, fmt.Errorf("handlers: unknown datagram handler %q (known: %s)", sp.Name, strings.Join(DatagramNames(), ", "))
	}
	h, err := info.build(sp, logger)
	if err != nil {
		return nil, fmt.Errorf("handlers: %s: %w", specStr, err)
	}
	return h, nil
}

// DatagramNames lists the registered datagram handler names, sorted.
func DatagramNames() []string {
	names := make([]string, 0, len(dgramRegistry))
	for n := range dgramRegistry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DatagramList describes every registered datagram handler, sorted by name.
func DatagramList() []DatagramInfo {
	var out []DatagramInfo
	for _, n := range DatagramNames() {
		out = append(out, *dgramRegistry[n])
	}
	return out
}
