package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"

	"github.com/gosocketserver/socketserver/internal/pybytes"
)

// Protocol frames requests and checks replies on a keep-alive connection
// (modes Closed, Pipelined and Open).
//
// Run calls Request once for each worker (connection) and sends the
// returned bytes for every request of that worker; it never modifies them,
// so an implementation may return the same slice every time. Run calls
// ReadReply once per request, in order, from one goroutine per connection;
// it must read exactly one reply and nothing more. Implementations are
// called from many goroutines at once and must not keep mutable state.
type Protocol interface {
	// Request returns the bytes of one request.
	Request() []byte
	// ReadReply reads exactly one reply to req from r and returns an error
	// if it is missing (wrapping ErrMissingReply or the read error) or wrong
	// (wrapping ErrWrongReply).
	ReadReply(r *bufio.Reader, req []byte) error
}

// validator is implemented by the protocols of this package; Run checks
// their settings before starting.
type validator interface {
	validate() error
}

// DefaultLine is the line UpperLine and churn send when none is set: the
// seed's client's message.
const DefaultLine = "hello world with tcp"

// UpperLine is the keep-alive `upperlines` protocol: the request is Line
// plus "\n"; the reply is Line with ASCII a-z upper-cased plus "\n". An
// empty Line means DefaultLine; Line must not contain "\n". Checking a
// reply does not allocate.
type UpperLine struct{ Line string }

func (p UpperLine) line() string {
	if p.Line == "" {
		return DefaultLine
	}
	return p.Line
}

func (p UpperLine) validate() error {
	if strings.Contains(p.Line, "\n") {
		return fmt.Errorf("%w: UpperLine.Line contains a newline", ErrBadConfig)
	}
	return nil
}

// Request returns Line+"\n" (a new slice each call).
func (p UpperLine) Request() []byte { return []byte(p.line() + "\n") }

// ReadReply reads one line and checks that it is req with ASCII a-z
// upper-cased. It compares as it reads, so lines longer than r's buffer
// work too.
func (UpperLine) ReadReply(r *bufio.Reader, req []byte) error {
	off := 0
	for {
		chunk, err := r.ReadSlice('\n')
		if off+len(chunk) > len(req) {
			return fmt.Errorf("%w: line longer than the %d bytes sent, starting %s", ErrWrongReply, len(req), quote(chunk))
		}
		for i, c := range chunk {
			if c != pybytes.Upper(req[off+i]) {
				return fmt.Errorf("%w: got %s at byte %d, want %s", ErrWrongReply, quote(chunk[i:]), off+i, quote(pybytes.AppendUpper(nil, req[off+i:])))
			}
		}
		off += len(chunk)
		switch {
		case err == nil:
			return nil // chunk ended with '\n', which req has only at its end
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return fmt.Errorf("%w: connection closed after %d of %d bytes", ErrMissingReply, off, len(req))
		default:
			return err
		}
	}
}

// MaxEchoSize is the largest Echo.Size.
const MaxEchoSize = 1 << 20

// Echo sends Size bytes of deterministic pseudo-random content (1 B to
// MaxEchoSize) and expects the same bytes back. Every Echo shares one
// read-only pattern, so Request does not allocate, and neither does
// checking a reply.
type Echo struct{ Size int }

func (p Echo) validate() error {
	if p.Size < 1 || p.Size > MaxEchoSize {
		return fmt.Errorf("%w: Echo.Size %d outside 1..%d", ErrBadConfig, p.Size, MaxEchoSize)
	}
	return nil
}

var echoPattern = sync.OnceValue(func() []byte {
	b := make([]byte, MaxEchoSize)
	rng := rand.NewPCG(0x736f636b, 0x62656e63) // fixed seed: the same bytes in every run
	for i := 0; i < len(b); i += 8 {
		v := rng.Uint64()
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
})

// Request returns the first Size bytes of the shared pattern. The slice
// must not be modified.
func (p Echo) Request() []byte {
	n := min(max(p.Size, 0), MaxEchoSize)
	return echoPattern()[:n:n]
}

// ReadReply reads len(req) bytes and checks that they equal req.
func (Echo) ReadReply(r *bufio.Reader, req []byte) error {
	off := 0
	for off < len(req) {
		if r.Buffered() == 0 {
			if _, err := r.Peek(1); err != nil {
				if errors.Is(err, io.EOF) {
					return fmt.Errorf("%w: connection closed after %d of %d bytes", ErrMissingReply, off, len(req))
				}
				return err
			}
		}
		n := min(r.Buffered(), len(req)-off)
		got, _ := r.Peek(n)
		if !bytes.Equal(got, req[off:off+n]) {
			i := 0
			for got[i] == req[off+i] {
				i++
			}
			return fmt.Errorf("%w: echo differs at byte %d: got %s, want %s", ErrWrongReply, off+i, quote(got[i:]), quote(req[off+i:off+n]))
		}
		_, _ = r.Discard(n)
		off += n
	}
	return nil
}

// churnReply is what the seed's server answers to line: the line stripped
// of ASCII whitespace and upper-cased (ASCII only), with no newline.
func churnReply(line string) []byte {
	return pybytes.AppendUpper(nil, pybytes.Strip([]byte(line)))
}
