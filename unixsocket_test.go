package socketserver_test

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/gosocketserver/socketserver"
)

// sockDir returns a short temporary directory for socket files (a socket
// path must fit in about 100 bytes, which t.TempDir may not).
func sockDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ss")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func TestUnixSocketModeAndGroup(t *testing.T) {
	gid := os.Getgid()
	for _, mode := range []os.FileMode{0600, 0660, 0666} {
		t.Run(mode.String(), func(t *testing.T) {
			path := filepath.Join(sockDir(t), "s.sock")
			srv := &socketserver.Server{Network: "unix", Addr: path, Handler: upper,
				UnixMode: mode, UnixGroup: strconv.Itoa(gid)}
			start(t, srv)
			fi, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != mode {
				t.Errorf("socket file mode %v, want %v", got, mode)
			}
			if got := int(fi.Sys().(*syscall.Stat_t).Gid); got != gid {
				t.Errorf("socket file group %d, want %d", got, gid)
			}
			if got := exchange(t, "unix", path, "hi\n"); got != "HI" {
				t.Errorf("got %q", got)
			}
		})
	}
}

func TestUnixSocketBadGroup(t *testing.T) {
	path := filepath.Join(sockDir(t), "s.sock")
	srv := &socketserver.Server{Network: "unix", Addr: path, Handler: upper, UnixGroup: "no-such-group-xyz"}
	if err := srv.Listen(); err == nil {
		srv.Close()
		t.Fatal("Listen with an unknown group succeeded")
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("a failed Listen left the socket file: %v", err)
	}
}

// TestRemoveSocketFileOnlyOwn: a file that replaced the server's socket
// stays when the server closes.
func TestRemoveSocketFileOnlyOwn(t *testing.T) {
	path := filepath.Join(sockDir(t), "s.sock")
	srv := &socketserver.Server{Network: "unix", Addr: path, Handler: upper, RemoveSocketFile: true}
	start(t, srv)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if b, err := os.ReadFile(path); err != nil || string(b) != "keep me" {
		t.Errorf("the file that replaced the socket: %q, %v; want it kept", b, err)
	}
}

// staleSocket leaves a socket file at path that nobody listens on, as a
// killed server does.
func staleSocket(t *testing.T, path string) {
	t.Helper()
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
}

func TestRemoveStaleSocket(t *testing.T) {
	for _, tt := range []struct {
		name      string
		prepare   func(t *testing.T, path string)
		removal   bool
		wantServe bool
	}{
		{"stale socket, no opt-in", staleSocket, false, false},
		{"stale socket, opt-in", staleSocket, true, true},
		{"regular file, opt-in", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"live socket, opt-in", func(t *testing.T, path string) {
			live := &socketserver.Server{Network: "unix", Addr: path, Handler: upper}
			start(t, live)
		}, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(sockDir(t), "s.sock")
			tt.prepare(t, path)
			before, _ := os.Lstat(path)
			srv := &socketserver.Server{Network: "unix", Addr: path, Handler: upper, RemoveStaleSocket: tt.removal}
			err := srv.Listen()
			srv.Close()
			if served := err == nil; served != tt.wantServe {
				t.Fatalf("Listen: %v; want success %v", err, tt.wantServe)
			}
			if !tt.wantServe {
				after, err := os.Lstat(path)
				if err != nil || !os.SameFile(before, after) {
					t.Errorf("the file at the path was replaced or removed: %v", err)
				}
			}
		})
	}
}
