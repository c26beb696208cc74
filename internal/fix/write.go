package fix

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// Write writes the fixed files of out below root as one change. Every
// file is checked first (a regular file inside root, writable, unchanged
// since it was read) and its new content written to a temporary file
// beside it and synced; only when all of them are ready is each renamed
// over its file, so a file is never left half written and a concurrent
// change is never overwritten: when one file cannot be written, or one
// changed meanwhile, no file is changed and the error says which and why.
// Each file keeps its permissions and, when possible, its owner.
func Write(root string, out *Outcome) error {
	paths := make([]string, 0, len(out.Fixed))
	for p := range out.Fixed {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var ready []pendingWrite
	abort := func(p string, err error) error {
		for _, r := range ready {
			os.Remove(r.tmp)
		}
		return fmt.Errorf("%s: %w; no file was changed", p, err)
	}
	for _, p := range paths {
		w, err := prepare(root, p, out.Original[p], out.Fixed[p])
		if err != nil {
			return abort(p, err)
		}
		ready = append(ready, w)
	}
	// Last look before anything changes: a file edited while the others
	// were being prepared is not overwritten.
	for _, w := range ready {
		if err := w.unchanged(); err != nil {
			return abort(w.rel, err)
		}
	}
	for i, w := range ready {
		if err := os.Rename(w.tmp, w.path); err != nil {
			for _, rest := range ready[i:] {
				os.Remove(rest.tmp)
			}
			var done []string
			for _, d := range ready[:i] {
				done = append(done, d.rel)
			}
			if len(done) == 0 {
				return fmt.Errorf("%s: %w; no file was changed", w.rel, err)
			}
			return fmt.Errorf("%s: %w; fixed before it: %s", w.rel, err, strings.Join(done, ", "))
		}
		syncDir(filepath.Dir(w.path))
	}
	return nil
}

// pendingWrite is one file whose new content waits in tmp.
type pendingWrite struct {
	rel, path, tmp string
	original       []byte
}

func (w pendingWrite) unchanged() error {
	cur, err := os.ReadFile(w.path)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, w.original) {
		return errors.New("the file changed since it was read (fix it again)")
	}
	return nil
}

func prepare(root, rel string, original, fixed []byte) (pendingWrite, error) {
	full := filepath.Join(root, filepath.FromSlash(rel))
	path, err := filepath.EvalSymlinks(full)
	if err != nil {
		return pendingWrite{}, err
	}
	if realRoot, err := filepath.EvalSymlinks(root); err == nil {
		if r, err := filepath.Rel(realRoot, path); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return pendingWrite{}, errors.New("the file leads outside the root")
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		return pendingWrite{}, err
	}
	if !st.Mode().IsRegular() {
		return pendingWrite{}, errors.New("not a regular file")
	}
	// Read-only by its mode (even for a user who could override it), or
	// not writable for this user.
	if st.Mode().Perm()&0o222 == 0 || syscall.Access(path, 2 /* W_OK */) != nil {
		return pendingWrite{}, errors.New("the file is read-only")
	}
	w := pendingWrite{rel: rel, path: path, original: original}
	if err := w.unchanged(); err != nil {
		return pendingWrite{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".mtlslint-*")
	if err != nil {
		return pendingWrite{}, err
	}
	w.tmp = tmp.Name()
	err = writeSynced(tmp, fixed, st)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(w.tmp)
		return pendingWrite{}, err
	}
	return w, nil
}

func writeSynced(f *os.File, content []byte, like os.FileInfo) error {
	if _, err := f.Write(content); err != nil {
		return err
	}
	if err := f.Chmod(like.Mode().Perm()); err != nil {
		return err
	}
	if sys, ok := like.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(sys.Uid), int(sys.Gid)) // only a privileged user can; keep what can be kept
	}
	return f.Sync()
}

// syncDir makes a rename durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
