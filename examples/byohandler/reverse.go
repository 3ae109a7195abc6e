// Package byohandler shows how to benchmark your own handler under every
// strategy in a few lines of Go: build an in-process server per strategy
// with strategies.New, drive it with harness/load, and read the numbers.
//
// Reverse is the "your handler" of the example: a keep-alive protocol that
// answers each line reversed. ReverseLine is its load.Protocol, which makes
// and checks the requests. See example_test.go for the loop, and
// docs/byo-handler.md for the walk-through.
package byohandler

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/harness/load"
)

// Reverse returns a handler that answers every line with the same line
// reversed byte by byte (its newline kept at the end), until the client
// closes. It is safe for concurrent use, as every Handler must be.
func Reverse() socketserver.Handler {
	return &socketserver.StreamHandler{
		Serve: func(ctx context.Context, s *socketserver.Stream) error {
			for {
				line, err := s.ReadLine()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				body := bytes.TrimSuffix(line, []byte("\n"))
				slices.Reverse(body) // the line is ours until the next read
				if _, err := s.W.Write(append(body, '\n')); err != nil {
					return err
				}
			}
		},
	}
}

// ReverseLine is the load.Protocol of Reverse: it sends Line plus a newline
// and expects Line reversed plus a newline. It keeps no state, as
// load.Protocol requires.
type ReverseLine struct{ Line string }

// Request returns Line + "\n".
func (p ReverseLine) Request() []byte { return []byte(p.Line + "\n") }

// ReadReply reads one line and checks it is req reversed.
func (ReverseLine) ReadReply(r *bufio.Reader, req []byte) error {
	got, err := r.ReadSlice('\n')
	if err != nil {
		return fmt.Errorf("%w: %w", load.ErrMissingReply, err)
	}
	want := slices.Clone(bytes.TrimSuffix(req, []byte("\n")))
	slices.Reverse(want)
	if !bytes.Equal(bytes.TrimSuffix(got, []byte("\n")), want) {
		return fmt.Errorf("%w: got %q, want %q", load.ErrWrongReply, got, want)
	}
	return nil
}
