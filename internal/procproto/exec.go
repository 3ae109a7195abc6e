package procproto

import (
	"fmt"
	"os"
	"os/exec"
)

// Exec says how to start a child: the executable, which must run the child
// entry (strategies/child) before anything else when EnvVar is set, and
// its environment. The zero Exec re-runs this executable (os.Executable)
// with this process's environment, which is right for the sockbench
// command and for test binaries whose TestMain runs the entry.
type Exec struct {
	Path string   // "" = os.Executable()
	Args []string // arguments after the program name; none by default
	Env  []string // nil = os.Environ()
}

// Command returns the command that starts the child c with files as its
// descriptors 3, 4, ... (SocketFD, ControlFD, StatusFD). The caller sets
// its output and starts it.
func (e Exec) Command(c Child, files ...*os.File) (*exec.Cmd, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	path := e.Path
	if path == "" {
		p, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("find the executable to re-run: %w", err)
		}
		path = p
	}
	entry, err := c.Env()
	if err != nil {
		return nil, err
	}
	env := e.Env
	if env == nil {
		env = os.Environ()
	}
	cmd := exec.Command(path, e.Args...)
	cmd.Env = Environ(env, entry)
	cmd.ExtraFiles = files
	return cmd, nil
}
