//go:build !linux

package parsers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// readRegular reads the regular file at real (rel names it in messages),
// refusing a directory, a special file and one beyond maxSize bytes.
func readRegular(rel, real string, maxSize int64) ([]byte, error) {
	fh, err := os.Open(real)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkOpened(rel, st.IsDir(), st.Mode().IsRegular(), st.Size(), maxSize); err != nil {
		return nil, err
	}
	// Read at most maxSize+1 bytes, so a file that grows meanwhile (or a
	// special file that lies about its size) is still capped.
	// Sized from the stat, so that reading takes one buffer and two reads.
	buf := bytes.NewBuffer(make([]byte, 0, st.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(fh, maxSize+1)); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if int64(len(b)) > maxSize {
		return nil, fmt.Errorf("%s: %w (%d bytes)", rel, source.ErrTooLarge, maxSize)
	}
	return b, nil
}

// readUnfollowed has no way here to refuse a symbolic link in the open
// itself: the caller takes the checked path.
func readUnfollowed(real string, maxSize int64) ([]byte, error) {
	return nil, errors.ErrUnsupported
}
