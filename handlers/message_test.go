package handlers_test

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
)

// exchange sends chunks to addr (pausing briefly between them when there
// are several, so that they arrive as separate reads), half-closes, and
// returns everything the server sent until it closed.
func exchange(t *testing.T, addr string, chunks []string) string {
	t.Helper()
	c := dial(t, addr)
	errc := make(chan error, 1)
	go func() {
		for i, ch := range chunks {
			if i > 0 {
				time.Sleep(time.Millisecond)
			}
			if _, err := io.WriteString(c, ch); err != nil {
				errc <- err
				return
			}
		}
		errc <- c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply: %v", err)
	}
	if werr := <-errc; werr != nil {
		t.Fatalf("sending: %v", werr)
	}
	return string(got)
}

func bytewise(s string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[i] = s[i : i+1]
	}
	return out
}

// TestMessageFormsAnswerLikeStreamForms serves the same inputs with the
// stream form and the message form of every protocol and requires the
// same bytes back.
func TestMessageFormsAnswerLikeStreamForms(t *testing.T) {
	long := strings.Repeat("abcdefgh", 256<<10/8) // longer than every buffer
	inputs := []struct {
		name   string
		chunks []string
	}{
		{"seed", []string{"hello world with TCP\n"}},
		{"empty", nil},
		{"no newline then half-close", []string{"tail without newline"}},
		{"two lines in one write", []string{"one\ntwo\n"}},
		{"lines and a tail", []string{"a\r\n b \n\ttail"}},
		{"whitespace only", []string{" \t\r\n"}},
		{"non-ascii", []string{"\u00a0été straße\n\xff\xfe\n"}},
		{"byte by byte", bytewise("byte by byte\nsecond\nend")},
		{"line split across writes", []string{"hel", "lo wor", "ld\nnext", "\n"}},
		{"long line", []string{long + "\n" + long}},
	}
	forms := []struct {
		name            string
		stream, message socketserver.Handler
		// short: the server stops reading early (after one line, or at
		// the limit), so only inputs that end there are compared: more
		// input would make the server's close a reset, whose timing
		// decides what the client still reads.
		short int
	}{
		{"upper", handlers.Upper(0, nil), handlers.UpperMessage(0, nil), -1},
		{"upperlines", handlers.UpperLines(0, handlers.Work{}), handlers.UpperLinesMessage(0, handlers.Work{}), 0},
		{"cpu", handlers.UpperLines(0, handlers.Work{Rounds: 3}), handlers.UpperLinesMessage(0, handlers.Work{Rounds: 3}), 0},
		{"echo", handlers.Echo(7), handlers.EchoMessage(7), 0},
		{"upper max-line", handlers.Upper(8, nil), handlers.UpperMessage(8, nil), 8},
		{"upperlines max-line", handlers.UpperLines(8, handlers.Work{}), handlers.UpperLinesMessage(8, handlers.Work{}), 8},
	}
	for _, f := range forms {
		streamAddr, messageAddr := serve(t, f.stream), serve(t, f.message)
		for _, in := range inputs {
			all := strings.Join(in.chunks, "")
			if f.short < 0 && strings.Contains(strings.TrimSuffix(all, "\n"), "\n") {
				continue // more than one line for a one-line protocol
			}
			if f.short > 0 && len(all) > f.short && !strings.Contains(all[:f.short], "\n") {
				continue // a line over the limit: the server resets
			}
			t.Run(f.name+"/"+in.name, func(t *testing.T) {
				want := exchange(t, streamAddr, in.chunks)
				got := exchange(t, messageAddr, in.chunks)
				if got != want {
					t.Errorf("message form answered %.60q (%d bytes), stream form %.60q (%d bytes)", got, len(got), want, len(want))
				}
			})
		}
	}
}

// TestRegistryForms checks what the registry builds: the connection
// handler (the StreamHandler form, as Python's StreamRequestHandler)
// carrying its message form for the event loop, or with "message" the
// message handler itself.
func TestRegistryForms(t *testing.T) {
	for _, tt := range []struct {
		spec        string
		message     bool // the handler is a *MessageHandler
		messageForm bool // it offers a message form
	}{
		{"upper", false, true}, {"upper:message", true, true},
		{"upper:delay=1ms", false, false},
		{"upperlines", false, true}, {"upperlines:message", true, true},
		{"cpu:rounds=2", false, true}, {"sleep:delay=1ms,message", true, true},
		{"echo", false, true}, {"echo:message=true", true, true},
		{"upper-recv", false, false},
	} {
		h, err := handlers.New(tt.spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := h.(*socketserver.MessageHandler); ok != tt.message {
			t.Errorf("New(%q) is %T; want a message handler: %v", tt.spec, h, tt.message)
		}
		mf, ok := h.(socketserver.MessageFormer)
		if got := ok && mf.MessageForm() != nil; got != tt.messageForm {
			t.Errorf("New(%q) (%T) offers a message form: %v, want %v", tt.spec, h, got, tt.messageForm)
		}
	}
	if _, err := handlers.New("upper:delay=1ms,message", nil); err == nil {
		t.Error(`New("upper:delay=1ms,message") succeeded; the delayed seed has no message form`)
	}
}
