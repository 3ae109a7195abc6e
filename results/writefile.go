package results

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// writeFile writes data to path without ever replacing something that is
// not a regular file. A symbolic link is followed to its target, which is
// written instead of the link. A regular file (or a path that does not
// exist yet) is written to a temporary file in the target's directory and
// renamed over it, so readers never see half a file; an existing file keeps
// its permission bits, a new one gets perm. Anything else (a device such as
// /dev/null or /dev/stdout's target, a pipe, a socket) is opened and
// written in place: renaming over it would destroy it.
//
// google/renameio does the rename half but replaces a symlink with a
// regular file and does not special-case devices, which is the very bug
// this function exists to avoid; the standard library suffices.
func writeFile(path string, data []byte, perm fs.FileMode) error {
	target, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			// A dangling link: create its target through it.
			return writeInPlace(path, data, os.O_CREATE|os.O_TRUNC, perm)
		}
		target, err = path, nil
	}
	if err != nil {
		return err
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return writeInPlace(target, data, 0, 0)
	case err == nil:
		return renameInto(target, data, fi.Mode().Perm())
	case errors.Is(err, fs.ErrNotExist):
		return renameInto(target, data, perm)
	default:
		return err
	}
}

// WriteBytes writes data to path the way WriteFile writes a run: a
// symbolic link is followed, a device or pipe is written in place, and only
// a regular file is replaced atomically (keeping its permission bits; perm
// for a new file). The report's files are written with it.
func WriteBytes(path string, data []byte, perm fs.FileMode) error {
	return writeFile(path, data, perm)
}

// writeInPlace opens path for writing with the extra flags and writes data.
func writeInPlace(path string, data []byte, flags int, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|flags, perm)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}

// renameInto writes data to a temporary file beside path and renames it
// over path.
func renameInto(path string, data []byte, perm fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp, perm)
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return werr
	}
	return nil
}
