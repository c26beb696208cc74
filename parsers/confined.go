package parsers

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// ReadSettingsFile reads a file that steers the analysis rather than being
// analysed: a configuration file, a baseline. It must be a regular file
// of at most max bytes (never a named pipe, which would block the read,
// nor a device such as /dev/zero, which never ends). When tree is not
// empty, the file must lie inside tree and must not lead out of it
// through a symbolic link: a repository's configuration cannot make
// mtlslint read, and echo in an error message, a file of the host.
// Errors name the file and wrap fs.ErrNotExist, source.ErrOutsideRoot or
// source.ErrTooLarge where they apply.
func ReadSettingsFile(path, tree string, max int64) ([]byte, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	real := abs
	if tree != "" {
		if tree, err = filepath.Abs(tree); err != nil {
			return nil, err
		}
		if !within(tree, abs) {
			return nil, fmt.Errorf("%s is outside %s: %w", path, tree, source.ErrOutsideRoot)
		}
		if real, err = filepath.EvalSymlinks(abs); err != nil {
			return nil, err
		}
		realTree, err := filepath.EvalSymlinks(tree)
		if err != nil {
			return nil, err
		}
		if !within(realTree, real) {
			return nil, fmt.Errorf("%s is a symbolic link that leads outside %s: %w", path, tree, source.ErrOutsideRoot)
		}
	}
	// O_NONBLOCK: opening a named pipe does not wait for a writer (the
	// check below then refuses it). Without a tree, a link is followed
	// (the user named the file) but what it leads to must still be a
	// regular file.
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if tree != "" {
		flags |= syscall.O_NOFOLLOW // resolved above; a link swapped in since is refused
	}
	fh, err := os.OpenFile(real, flags, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s became a symbolic link while it was read: %w", path, source.ErrOutsideRoot)
		}
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s)", path, fileKind(st.Mode()))
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s is %d bytes: %w (%d bytes)", path, st.Size(), source.ErrTooLarge, max)
	}
	b, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%s grew past %d bytes while it was read: %w", path, max, source.ErrTooLarge)
	}
	return b, nil
}

func within(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !filepath.IsAbs(r) && (len(r) < 3 || r[:3] != ".."+string(filepath.Separator))
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file"
}
