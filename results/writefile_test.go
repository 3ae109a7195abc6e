package results

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteFileNeverReplacesNonRegular checks that WriteFile writes through
// symlinks, devices and pipes instead of renaming a regular file over them
// (the bug: "bench --out /dev/stdout" as root replaced the /dev/stdout link).
func TestWriteFileNeverReplacesNonRegular(t *testing.T) {
	run := fakeRun(t, defaultFake())
	var want bytes.Buffer
	if err := Write(&want, run); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		// setup returns the path to write and the file that must then hold
		// the run ("" when it cannot be read back, as /dev/null).
		setup func(t *testing.T, dir string) (path, holder string)
		mode  fs.FileMode // the type bits path must still have afterwards
	}{
		{"new file", func(t *testing.T, dir string) (string, string) {
			p := filepath.Join(dir, "run.json")
			return p, p
		}, 0},
		{"symlink to a file", func(t *testing.T, dir string) (string, string) {
			target := filepath.Join(dir, "target.json")
			mustWrite(t, target, "old")
			link := filepath.Join(dir, "link.json")
			mustSymlink(t, target, link)
			return link, target
		}, fs.ModeSymlink},
		{"dangling symlink", func(t *testing.T, dir string) (string, string) {
			target := filepath.Join(dir, "sub-target.json")
			link := filepath.Join(dir, "link.json")
			mustSymlink(t, target, link)
			return link, target
		}, fs.ModeSymlink},
		{"dev null", func(t *testing.T, dir string) (string, string) { return os.DevNull, "" }, fs.ModeDevice | fs.ModeCharDevice},
		{"symlink to dev null", func(t *testing.T, dir string) (string, string) {
			link := filepath.Join(dir, "null")
			mustSymlink(t, os.DevNull, link)
			return link, ""
		}, fs.ModeSymlink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, holder := tt.setup(t, t.TempDir())
			if err := WriteFile(path, run); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Type(); got != tt.mode {
				t.Errorf("after WriteFile, %s has type %v, want %v", path, got, tt.mode)
			}
			if holder == "" {
				return
			}
			got, err := os.ReadFile(holder)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s holds %.80q..., want the run", holder, got)
			}
		})
	}
}

func TestWriteFileFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// A non-blocking reader first, so that opening for writing does not
	// block; the run is smaller than the pipe's buffer.
	r, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	run := &Run{Warnings: []string{"through a pipe"}}
	if err := WriteFile(fifo, run); err != nil {
		t.Fatal(err)
	}
	got, err := Read(io.Reader(r))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Warnings) != 1 || got.Warnings[0] != "through a pipe" {
		t.Errorf("read back %+v, want the run written", got.Warnings)
	}
	fi, err := os.Lstat(fifo)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != fs.ModeNamedPipe {
		t.Errorf("after WriteFile the FIFO has type %v", fi.Mode().Type())
	}
}

func TestWriteFileKeepsMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "run.json")
	mustWrite(t, p, "old")
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, &Run{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after WriteFile, want 0600 kept", fi.Mode().Perm())
	}
}

func mustWrite(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
