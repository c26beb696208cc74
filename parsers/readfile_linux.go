package parsers

import (
	"fmt"
	"io/fs"
	"syscall"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// readRegular reads the regular file at real (rel names it in messages),
// refusing a directory, a special file and one beyond maxSize bytes.
//
// It uses the system calls directly: an *os.File registers every file with
// the runtime's poller (which refuses regular files after trying) and
// switches it to non-blocking mode and back, five more system calls per
// file and several allocations, which were a tenth of the CPU time of
// linting a tree of a few hundred small files. Here a file costs open,
// fstat, usually one read, and close.
func readRegular(rel, real string, maxSize int64) ([]byte, error) {
	return readOpening(rel, real, maxSize, syscall.O_RDONLY|syscall.O_CLOEXEC)
}

// readUnfollowed is readRegular for a file not looked at before: a
// symbolic link is refused (ELOOP) rather than followed, and a named pipe
// does not block the open (the check of what was opened refuses it).
func readUnfollowed(real string, maxSize int64) ([]byte, error) {
	return readOpening(real, real, maxSize, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NONBLOCK)
}

func readOpening(rel, real string, maxSize int64, flags int) ([]byte, error) {
	fd, err := openRetrying(real, flags)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: real, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := ignoringEINTR(func() error { return syscall.Fstat(fd, &st) }); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: real, Err: err}
	}
	mode := st.Mode & syscall.S_IFMT
	if err := checkOpened(rel, mode == syscall.S_IFDIR, mode == syscall.S_IFREG, st.Size, maxSize); err != nil {
		return nil, err
	}
	// Read at most maxSize+1 bytes, so a file that grows meanwhile (or a
	// special file that lies about its size) is still capped. The buffer
	// is one byte longer than the file: a read that returns less than it
	// asked for has met the end of a regular file, so a file takes one
	// read, and one that grew takes more.
	buf := make([]byte, 0, st.Size+1)
	for int64(len(buf)) <= maxSize {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // grow: the file is longer than its stat said
		}
		want := min(int64(cap(buf)), maxSize+1) - int64(len(buf))
		var n int
		err := ignoringEINTR(func() (err error) {
			n, err = syscall.Read(fd, buf[len(buf):int64(len(buf))+want])
			return err
		})
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: real, Err: err}
		}
		buf = buf[:len(buf)+n]
		if int64(n) < want {
			break
		}
	}
	if int64(len(buf)) > maxSize {
		return nil, fmt.Errorf("%s: %w (%d bytes)", rel, source.ErrTooLarge, maxSize)
	}
	return buf, nil
}

func openRetrying(real string, flags int) (int, error) {
	for {
		fd, err := syscall.Open(real, flags, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

func ignoringEINTR(call func() error) error {
	for {
		if err := call(); err != syscall.EINTR {
			return err
		}
	}
}
