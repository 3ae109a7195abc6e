// Package procproto is the one definition of the contract between a
// process strategy (strategies/fork, strategies/prefork) and the child
// processes it starts: the same executable re-run with EnvVar set to a
// Child encoded as JSON, and descriptors at fixed numbers. The parent
// writes the Child with Env, the child reads it with FromEnv: the
// arguments are one struct, never a string built on one side and parsed
// on the other. The package imports only the standard library.
package procproto

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// EnvVar is the environment variable that marks a process as a child of
// a process strategy and holds its Child, as JSON.
const EnvVar = "SOCKBENCH_CHILD"

// The descriptors a child inherits (os/exec ExtraFiles start at 3).
const (
	// SocketFD is the connection (RoleConn) or the listening socket
	// (RoleWorker) the child serves.
	SocketFD = 3
	// ControlFD is the read end of a pipe the parent holds the write end
	// of: end of input means "shut down gracefully" (the parent is
	// shutting down, or is gone).
	ControlFD = 4
	// StatusFD is the write end of a pipe on which a worker reports to
	// its parent, one status byte at a time (StatusReady, StatusAccepted;
	// RoleWorker only).
	StatusFD = 5
)

// The bytes a worker writes on StatusFD. A parent ignores a byte it does
// not know, so that a newer worker can say more.
const (
	// StatusReady is written once, when the worker's server is serving:
	// its accept loop has started on the inherited listener or, with
	// ReusePort, on its own socket, which is bound by then. A connection
	// that arrives after it is one this worker can be handed.
	StatusReady byte = 2
	// StatusAccepted is written once per connection the worker accepts.
	StatusAccepted byte = 1
)

// The roles of a child.
const (
	// RoleConn serves the one connection on SocketFD and exits (fork).
	RoleConn = "conn"
	// RoleWorker serves the listener on SocketFD with Strategy until the
	// control pipe ends (prefork).
	RoleWorker = "worker"
)

// ErrBadChild is wrapped by errors about a Child that does not decode or
// is incomplete.
var ErrBadChild = errors.New("bad child description")

// Child is what a child process is told: its role, the handler to rebuild
// from its registry spec, and the server settings that a Handler value
// would otherwise carry across.
type Child struct {
	Role     string `json:"role"`
	Handler  string `json:"handler"`            // handler registry spec
	Strategy string `json:"strategy,omitempty"` // worker: the inner strategy spec
	Worker   int    `json:"worker,omitempty"`   // worker: its index, for logs

	ReadTimeout     time.Duration `json:"read_timeout,omitempty"`
	WriteTimeout    time.Duration `json:"write_timeout,omitempty"`
	IdleTimeout     time.Duration `json:"idle_timeout,omitempty"`
	MaxLineSize     int           `json:"max_line,omitempty"`
	ShutdownTimeout time.Duration `json:"shutdown_timeout,omitempty"` // bound on the child's drain
	ReusePort       bool          `json:"reuse_port,omitempty"`       // worker: listen on its own SO_REUSEPORT socket at Addr
	Network         string        `json:"network,omitempty"`          // worker with ReusePort
	Addr            string        `json:"addr,omitempty"`             // worker with ReusePort
}

// Check reports whether c is complete enough to run.
func (c Child) Check() error {
	switch {
	case c.Role != RoleConn && c.Role != RoleWorker:
		return fmt.Errorf("%w: role %q (want %q or %q)", ErrBadChild, c.Role, RoleConn, RoleWorker)
	case c.Handler == "":
		return fmt.Errorf("%w: no handler spec", ErrBadChild)
	case c.Role == RoleWorker && c.Strategy == "":
		return fmt.Errorf("%w: a worker needs an inner strategy", ErrBadChild)
	}
	return nil
}

// Env returns the "NAME=value" environment entry that passes c.
func (c Child) Env() (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("encode child: %w", err)
	}
	return EnvVar + "=" + string(b), nil
}

// FromEnv returns the Child this process was started as, and false when
// it was not started by a process strategy. An EnvVar that does not
// decode, or a Child that fails Check, is an error wrapping ErrBadChild.
func FromEnv() (Child, bool, error) {
	v, ok := os.LookupEnv(EnvVar)
	if !ok {
		return Child{}, false, nil
	}
	var c Child
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return Child{}, true, fmt.Errorf("%w: %s: %w", ErrBadChild, EnvVar, err)
	}
	if err := c.Check(); err != nil {
		return Child{}, true, err
	}
	return c, true, nil
}

// Environ returns the environment for a child: env without any EnvVar
// entry, plus entry. A child never passes its own Child on.
func Environ(env []string, entry string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if len(kv) > len(EnvVar) && kv[:len(EnvVar)+1] == EnvVar+"=" {
			continue
		}
		out = append(out, kv)
	}
	return append(out, entry)
}
