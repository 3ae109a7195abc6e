//go:build linux

package fork_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/gosocketserver/socketserver"
	"github.com/gosocketserver/socketserver/handlers"
	"github.com/gosocketserver/socketserver/strategies/child"
	"go.uber.org/goleak"
)

// TestMain lets this test binary be re-run as a fork child (with the
// test handlers below) before it runs the tests.
func TestMain(m *testing.M) {
	child.Main(child.Options{Handler: testHandler})
	goleak.VerifyTestMain(m)
}

// testHandler resolves the handlers only these tests register, and the
// registry's for the rest. "crash" reads a line: "panic" panics, "exit"
// exits the child with status 3, "error" returns an error, anything else
// is answered upper-cased with a newline, until EOF.
func testHandler(spec string) (socketserver.Handler, error) {
	if spec != "crash" {
		return handlers.New(spec, nil)
	}
	return socketserver.HandlerFunc(func(ctx context.Context, r *socketserver.Request) error {
		br := bufio.NewReader(r.Conn)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return nil
			}
			switch line = strings.TrimSpace(line); line {
			case "panic":
				panic("crash handler: panic")
			case "exit":
				os.Exit(3)
			case "error":
				return errors.New("crash handler: error")
			}
			if _, err := r.Conn.Write([]byte(strings.ToUpper(line) + "\n")); err != nil {
				return err
			}
		}
	}), nil
}
