package socketserver

import (
	"errors"
	"fmt"
)

// ErrServerClosed is returned by Serve, ListenAndServe, HandleRequest, Bind
// and Activate after Shutdown or Close has been called.
var ErrServerClosed = errors.New("socketserver: server closed")

// ErrTimeout is returned by HandleRequest when no connection arrived within
// the timeout; the server's HandleTimeout hook has been called by then.
var ErrTimeout = errors.New("socketserver: no request before the timeout")

// ErrLineTooLong is returned by Stream.ReadLine when a line exceeds the
// StreamHandler's MaxLineSize.
var ErrLineTooLong = errors.New("socketserver: line too long")

// ErrRefused is the error a Strategy returns (wrapped) from Execute when it
// refuses a connection instead of waiting for capacity.
var ErrRefused = errors.New("socketserver: connection refused by strategy")

// ErrStrategyClosed is the error a Strategy returns from Execute after its
// Shutdown has been called.
var ErrStrategyClosed = errors.New("socketserver: strategy shut down")

// A PanicError is what the server reports when a handler panics. The panic
// is recovered; the connection is closed and the server keeps serving.
type PanicError struct {
	Value any    // the value passed to panic
	Stack []byte // the goroutine's stack at the panic
}

// Error describes the panic.
func (e *PanicError) Error() string { return fmt.Sprintf("socketserver: handler panic: %v", e.Value) }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// ErrReadTimeout, ErrWriteTimeout and ErrIdleTimeout are the limits of a
// Server's ReadTimeout, WriteTimeout and IdleTimeout. A Stream whose
// connection exceeded one returns an error that matches it (and
// os.ErrDeadlineExceeded) with errors.Is, and names the limit.
var (
	ErrReadTimeout  = errors.New("socketserver: read timeout")
	ErrWriteTimeout = errors.New("socketserver: write timeout")
	ErrIdleTimeout  = errors.New("socketserver: idle timeout")
)

// ErrHandlerGoexit is reported (wrapped) when a handler called
// runtime.Goexit: like a panic, the connection is closed and the server
// keeps serving with all its capacity.
var ErrHandlerGoexit = errors.New("socketserver: handler called runtime.Goexit")
