package main

import (
	"fmt"
	"log"
	"strings"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/internal/serveproto"
)

// isDatagramNetwork reports whether network serves datagrams.
func isDatagramNetwork(network string) bool {
	switch network {
	case "udp", "udp4", "udp6", "unixgram":
		return true
	}
	return false
}

// unixNetwork is the Unix network --unix serves: unixgram when --network
// says so, the stream socket otherwise.
func unixNetwork(network string) string {
	if network == "unixgram" {
		return "unixgram"
	}
	return "unix"
}

// serveHandlers builds the handler serve runs: a connection handler on a
// stream network, a datagram handler on a datagram one.
func serveHandlers(inv serveproto.Serve, reqLog *log.Logger) (socketserver.Handler, socketserver.DatagramHandler, error) {
	if inv.Network == "unixgram" && inv.Unix == "" {
		return nil, nil, fmt.Errorf("--network unixgram needs --unix PATH")
	}
	if isDatagramNetwork(inv.Network) {
		dh, err := handlers.NewDatagram(inv.Handler, reqLog)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (--network %s serves datagrams)", err, inv.Network)
		}
		return nil, dh, nil
	}
	h, err := handlers.New(inv.Handler, reqLog)
	return h, nil, err
}

// datagramHandlerHelp lists the datagram handlers for serve's help.
func datagramHandlerHelp() string {
	var b strings.Builder
	for _, h := range handlers.DatagramList() {
		fmt.Fprintf(&b, "  %-10s %s (--network udp or unixgram)\n", h.Name, h.Summary)
	}
	return b.String()
}
