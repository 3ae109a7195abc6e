package handlers

import (
	"bytes"

	"github.com/gosocketserver/socketserver/internal/pybytes"
)

// Strip returns b without leading and trailing ASCII whitespace, like
// Python's bytes.strip(). Unlike bytes.TrimSpace it keeps U+0085, U+00A0
// and every other non-ASCII byte. It returns a sub-slice of b.
func Strip(b []byte) []byte { return pybytes.Strip(b) }

// UpperInPlace upper-cases ASCII a-z in b, like Python's bytes.upper();
// every other byte, including non-ASCII letters and invalid UTF-8, is left
// as it is (bytes.ToUpper would rewrite them). It returns b.
func UpperInPlace(b []byte) []byte { return pybytes.UpperInPlace(b) }

// PyRepr formats b the way Python prints a bytes object (b'...'), as the
// seed's server logs what it received.
func PyRepr(b []byte) string {
	quote := byte('\'')
	if bytes.IndexByte(b, '\'') >= 0 && bytes.IndexByte(b, '"') < 0 {
		quote = '"'
	}
	out := make([]byte, 0, len(b)+3)
	out = append(out, 'b', quote)
	const hex = "0123456789abcdef"
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			out = append(out, '\\', c)
		case c == '\t':
			out = append(out, '\\', 't')
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c < 0x20 || c >= 0x7f:
			out = append(out, '\\', 'x', hex[c>>4], hex[c&0xf])
		default:
			out = append(out, c)
		}
	}
	return string(append(out, quote))
}
