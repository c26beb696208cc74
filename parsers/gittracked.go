package parsers

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"syscall"
)

// Tracked is what git tracks in a repository, read from its index, so
// that an audit analyses a tracked file whatever .gitignore says (a
// repository must not hide its haproxy.cfg behind "*" in .gitignore).
type Tracked struct {
	// All is set when the index could not be read: every file counts as
	// tracked, so .gitignore hides nothing.
	All    bool
	files  map[string]bool
	dirs   map[string]bool // directories holding a tracked file
	sparse map[string]bool // a sparse index's directories: all below is tracked
}

// IsTracked reports whether the file (or, with dir, a file below the
// directory) at the root-relative path is tracked.
func (t *Tracked) IsTracked(rel string, dir bool) bool {
	if t.All || dir && t.dirs[rel] || !dir && t.files[rel] {
		return true
	}
	for d := rel; d != "." && d != "/" && d != ""; d = path.Dir(d) {
		if t.sparse[d] {
			return true
		}
	}
	return false
}

// maxIndexSize caps the git index read: about 100 bytes an entry, so a
// repository of a few hundred thousand files.
const maxIndexSize = 64 << 20

// ReadTracked reads the files git tracks in the repository at root from
// its index (.git/index), without running git: git reads the repository's
// own configuration, which can name commands to run. The index is read
// only from a .git directory inside root, never through a symbolic link.
// When it cannot be read (no index, .git is a file pointing elsewhere as in
// worktrees, an index format not understood), the result has All set.
func ReadTracked(root string) *Tracked {
	t, err := readIndex(root)
	if err != nil {
		return &Tracked{All: true}
	}
	return t
}

func readIndex(root string) (*Tracked, error) {
	gitDir := filepath.Join(root, ".git")
	if st, err := os.Lstat(gitDir); err != nil || !st.IsDir() {
		return nil, errors.New(".git is not a directory")
	}
	p := filepath.Join(gitDir, "index")
	// O_NOFOLLOW and O_NONBLOCK: no link followed, no pipe waited for.
	fh, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxIndexSize {
		return nil, errors.New("the index is not a regular file of a sensible size")
	}
	b, err := io.ReadAll(io.LimitReader(fh, maxIndexSize+1))
	if err != nil {
		return nil, err
	}
	for _, hash := range []int{20, 32} { // SHA-1, then SHA-256 repositories
		if t, err := parseIndex(b, hash); err == nil {
			return t, nil
		}
	}
	return nil, errors.New("index not understood")
}

// parseIndex reads the entries of a git index (versions 2 to 4) whose
// object names are hash bytes long.
func parseIndex(b []byte, hash int) (*Tracked, error) {
	if len(b) < 12 || string(b[:4]) != "DIRC" {
		return nil, errors.New("not an index")
	}
	version := binary.BigEndian.Uint32(b[4:8])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("index version %d", version)
	}
	n := int(binary.BigEndian.Uint32(b[8:12]))
	t := &Tracked{files: map[string]bool{}, dirs: map[string]bool{}, sparse: map[string]bool{}}
	off := 12
	fixed := 40 + hash + 2 // stat data, object name, flags
	prev := ""
	for range n {
		if off+fixed > len(b) {
			return nil, errors.New("truncated entry")
		}
		mode := binary.BigEndian.Uint32(b[off+24 : off+28])
		flags := binary.BigEndian.Uint16(b[off+40+hash : off+fixed])
		start := off + fixed
		if flags&0x4000 != 0 { // extended flags (version 3 and later)
			if version < 3 {
				return nil, errors.New("extended flags in a version 2 index")
			}
			start += 2
		}
		if start > len(b) {
			return nil, errors.New("truncated entry")
		}
		var name string
		if version == 4 {
			strip, k := binary.Uvarint(b[start:])
			if k <= 0 || strip > uint64(len(prev)) {
				return nil, errors.New("bad path compression")
			}
			end := bytes.IndexByte(b[start+k:], 0)
			if end < 0 {
				return nil, errors.New("unterminated path")
			}
			name = prev[:len(prev)-int(strip)] + string(b[start+k:start+k+end])
			off = start + k + end + 1
		} else {
			end := bytes.IndexByte(b[start:], 0)
			if end < 0 {
				return nil, errors.New("unterminated path")
			}
			name = string(b[start : start+end])
			if l := int(flags & 0xfff); l < 0xfff && l != len(name) {
				return nil, errors.New("path length mismatch")
			}
			// Entries are padded with NULs to a multiple of 8 bytes.
			size := start - off + len(name) + 1
			off += (size + 7) &^ 7
		}
		prev = name
		if name == "" || path.IsAbs(name) {
			return nil, errors.New("bad path")
		}
		if mode&0o170000 == 0o040000 { // a sparse index's directory entry
			name = path.Clean(name)
			t.sparse[name] = true
			t.All = t.All || name == "."
		} else {
			t.files[name] = true
		}
		for d := path.Dir(name); d != "." && d != "/" && !t.dirs[d]; d = path.Dir(d) {
			t.dirs[d] = true
		}
	}
	return t, nil
}
