package parsers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// DefaultMaxFileSize is the default cap on the size of a file that is read.
const DefaultMaxFileSize = 8 << 20

// FSReader reads files below a root directory on disk, with an overlay of
// in-memory contents (unsaved editor buffers) that take precedence. It
// refuses paths that leave the root, including through symbolic links,
// caches what it has read, and is safe for concurrent use.
type FSReader struct {
	root     string // absolute, cleaned
	realRoot string // root with symbolic links resolved
	maxSize  int64
	overlay  map[string][]byte
	// aliased holds the overlay contents by the identity of their path,
	// so that an unsaved buffer of sites-available/shop.conf stands in
	// for the sites-enabled/shop.conf link to it too.
	aliased map[string][]byte

	// ctx is the context of the load the reader is serving (LoadWith):
	// while it runs, once the context is done, reads of files not read
	// yet fail and Err says why (source.Cancelled). A loaded workspace's
	// reader keeps serving (the language server reads from it later).
	ctx context.Context

	mu    sync.Mutex
	cache map[string]readResult
	stats map[string]statResult // Stat's answers
	ids   map[string]string     // Identity's answers
	// listings are the directories Glob listed (sorted by name; nil when
	// the directory cannot be listed): rules and front ends glob the same
	// directories again and again ("*/requirements*.txt",
	// "*/docker-compose*.yml", "app/*/*.py"), and a match's existence and
	// kind are answered from its directory's listing.
	listings map[string][]fs.DirEntry
	// listedFiles are the files the discovery walk listed as regular
	// files (not links), which readListed reads without an lstat.
	listedFiles map[string]bool
	// plainDirs records, for directories below the root, whether they and
	// every directory above them are real directories, not symbolic links,
	// or which of them is missing.
	plainDirs map[string]dirState
}

// dirState is what one lstat per directory told about a directory below
// the root and the directories above it.
type dirState struct {
	// plain: the directory and every one above it are real directories.
	plain bool
	// missing, when not plain, is the first of them that does not exist
	// (the ones above it being real directories), "" otherwise; notExist
	// is its lstat's error.
	missing  string
	notExist error
}

type readResult struct {
	file *source.File
	err  error
}

// NewFSReader returns a reader rooted at dir. maxSize ≤ 0 means
// DefaultMaxFileSize. overlay maps slash-separated relative paths to
// contents.
func NewFSReader(dir string, maxSize int64, overlay map[string][]byte) (*FSReader, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	r := &FSReader{root: abs, realRoot: real, maxSize: maxSize, overlay: overlay, cache: map[string]readResult{}, plainDirs: map[string]dirState{}}
	if len(overlay) > 0 {
		r.aliased = make(map[string][]byte, len(overlay))
		for rel, b := range overlay {
			r.aliased[r.Identity(rel)] = b
		}
	}
	return r, nil
}

// Identity implements source.Identifier: the root-relative path of the
// file p names, with symbolic links resolved. A path that does not resolve
// inside the root is its own identity.
func (r *FSReader) Identity(p string) string {
	rel, err := cleanRel(p)
	if err != nil {
		return p
	}
	r.mu.Lock()
	id, ok := r.ids[rel]
	r.mu.Unlock()
	if ok {
		return id
	}
	id = r.identity(rel)
	r.mu.Lock()
	if r.ids == nil {
		r.ids = map[string]string{}
	}
	r.ids[rel] = id
	r.mu.Unlock()
	return id
}

func (r *FSReader) identity(rel string) string {
	real, err := r.confine(rel)
	if err != nil {
		return rel
	}
	return r.identityOf(rel, real)
}

// identityOf is the identity of rel, which resolves to real.
func (r *FSReader) identityOf(rel, real string) string {
	if real == "" {
		return rel
	}
	id, err := filepath.Rel(r.realRoot, real)
	if err != nil {
		return rel
	}
	return filepath.ToSlash(id)
}

// learn keeps what reading rel found out on the way, its identity and
// (when a plain path's lstat told it) its information, as Identity and
// Stat would: the workspace asks both of nearly every file it has read,
// and each answer would cost the lstat again.
func (r *FSReader) learn(rel, real string, info fs.FileInfo) {
	id := r.identityOf(rel, real)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]string{}
	}
	if _, ok := r.ids[rel]; !ok {
		r.ids[rel] = id
	}
	if info == nil {
		return
	}
	if r.stats == nil {
		r.stats = map[string]statResult{}
	}
	if _, ok := r.stats[rel]; !ok {
		r.stats[rel] = statResult{info: info}
	}
}

// Err implements source.Cancelled: the error of the context of the load
// the reader serves, nil while it goes on.
func (r *FSReader) Err() error {
	if r.ctx == nil {
		return nil
	}
	return r.ctx.Err()
}

// Root is the absolute directory the reader is confined to.
func (r *FSReader) Root() string { return r.root }

// Rel converts an absolute or root-relative OS path into the
// slash-separated relative path the reader uses. ok is false when the path
// is outside the root.
func (r *FSReader) Rel(p string) (rel string, ok bool) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(r.root, p)
	}
	rel, err := filepath.Rel(r.root, filepath.Clean(p))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

func cleanRel(p string) (string, error) {
	if path.IsAbs(p) {
		return "", fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	return c, nil
}

// confine resolves symbolic links in rel and checks that the result stays
// below the root.
func (r *FSReader) confine(rel string) (string, error) {
	real, _, err := r.confineInfo(rel)
	return real, err
}

// confineInfo is confine, and it returns the file's information when
// finding the path cost an lstat that already tells it (nil otherwise).
func (r *FSReader) confineInfo(rel string) (string, fs.FileInfo, error) {
	switch real, info, err := r.plainPath(rel); {
	case err != nil:
		return "", nil, err
	case info != nil:
		return real, info, nil
	}
	real, err := r.evalConfine(rel)
	return real, nil, err
}

// evalConfine resolves every symbolic link on the way to rel.
func (r *FSReader) evalConfine(rel string) (string, error) {
	full := filepath.Join(r.root, filepath.FromSlash(rel))
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		if strings.Contains(err.Error(), "too many links") {
			return "", fmt.Errorf("%s is a symbolic link loop", rel)
		}
		return "", err
	}
	if real != r.realRoot && !strings.HasPrefix(real, r.realRoot+string(filepath.Separator)) {
		return "", fmt.Errorf("%s resolves to %s: %w", rel, real, source.ErrOutsideRoot)
	}
	return real, nil
}

// plainPath looks for rel without following any symbolic link. When every
// directory on the way and the file itself are plain (not links), the path
// cannot lead outside the root: it returns the real path and the file's
// information. When the directories are plain and the file does not exist,
// it returns that error. Otherwise (a link on the way) it returns neither,
// and the caller resolves the links. Most paths are plain, and this costs
// one lstat per file and one per directory (cached), where resolving the
// links of an absolute path costs one per component.
func (r *FSReader) plainPath(rel string) (string, fs.FileInfo, error) {
	if rel == "." {
		return "", nil, nil
	}
	if dir := path.Dir(rel); dir != "." {
		switch st := r.plainDir(dir); {
		case st.missing != "":
			// What resolving the links would report, without an lstat
			// per component: import resolution probes many such paths.
			return "", nil, st.notExist
		case !st.plain:
			return "", nil, nil
		}
	}
	real := filepath.Join(r.realRoot, filepath.FromSlash(rel))
	st, err := os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil, err
	case err != nil || st.Mode()&fs.ModeSymlink != 0:
		return "", nil, nil
	}
	return real, st, nil
}

func (r *FSReader) plainDir(dir string) dirState {
	r.mu.Lock()
	st, seen := r.plainDirs[dir]
	r.mu.Unlock()
	if seen {
		return st
	}
	st = dirState{plain: true}
	if parent := path.Dir(dir); parent != "." {
		st = r.plainDir(parent)
	}
	if st.plain {
		info, err := os.Lstat(filepath.Join(r.realRoot, filepath.FromSlash(dir)))
		st.plain = err == nil && info.IsDir() // Lstat: a link to a directory is not one
		if errors.Is(err, fs.ErrNotExist) {
			st.missing, st.notExist = dir, err
		}
	}
	r.mu.Lock()
	r.plainDirs[dir] = st
	r.mu.Unlock()
	return st
}

// ReadFile implements source.Reader.
func (r *FSReader) ReadFile(p string) (*source.File, error) {
	rel, err := cleanRel(p)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if res, ok := r.cache[rel]; ok {
		r.mu.Unlock()
		return res.file, res.err
	}
	r.mu.Unlock()
	if err := r.Err(); err != nil {
		return nil, err // cancelled: nothing more is read (and nothing cached)
	}
	f, err := r.read(rel)
	r.mu.Lock()
	r.cache[rel] = readResult{f, err}
	r.mu.Unlock()
	return f, err
}

func (r *FSReader) read(rel string) (*source.File, error) {
	if b, ok := r.overlay[rel]; ok {
		return source.NewFile(rel, b), nil
	}
	if f, ok, err := r.readListed(rel); ok {
		return f, err
	}
	real, info, err := r.confineInfo(rel)
	if err != nil {
		return nil, err
	}
	r.learn(rel, real, info)
	if r.aliased != nil {
		if id, err := filepath.Rel(r.realRoot, real); err == nil {
			if b, ok := r.aliased[filepath.ToSlash(id)]; ok {
				return source.NewFile(rel, b), nil
			}
		}
	}
	// Refuse special files before opening them: opening a named pipe
	// blocks until someone writes to it.
	if info == nil {
		if info, err = os.Stat(real); err != nil {
			return nil, err
		}
	}
	if !info.IsDir() && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", rel, source.ErrBinary)
	}
	b, err := readRegular(rel, real, r.maxSize)
	if err != nil {
		return nil, err
	}
	if IsBinary(b) {
		return nil, fmt.Errorf("%s: %w", rel, source.ErrBinary)
	}
	return source.NewFile(rel, b), nil
}

// noteListed records that a directory listing showed rel as a regular
// file, not a symbolic link.
func (r *FSReader) noteListed(rel string) {
	r.mu.Lock()
	if r.listedFiles == nil {
		r.listedFiles = map[string]bool{}
	}
	r.listedFiles[rel] = true
	r.mu.Unlock()
}

// readListed reads a file a listing showed as a regular file in a
// directory that is plain all the way up, without the lstat the checked
// path costs per file: the listing already said what it would. The open
// refuses a symbolic link swapped in since and does not wait on a named
// pipe; when anything is not as listed (ok false), the checked path reads
// the file and reports what it finds as usual.
func (r *FSReader) readListed(rel string) (f *source.File, ok bool, err error) {
	r.mu.Lock()
	listed := r.listedFiles[rel]
	r.mu.Unlock()
	if !listed {
		return nil, false, nil
	}
	if dir := path.Dir(rel); dir != "." && !r.plainDir(dir).plain {
		return nil, false, nil
	}
	if _, ok := r.aliased[rel]; ok {
		return nil, false, nil // a plain path is its own identity
	}
	real := filepath.Join(r.realRoot, filepath.FromSlash(rel))
	b, err := readUnfollowed(real, r.maxSize)
	if err != nil {
		return nil, false, nil
	}
	r.learn(rel, real, nil)
	if IsBinary(b) {
		return nil, true, fmt.Errorf("%s: %w", rel, source.ErrBinary)
	}
	return source.NewFile(rel, b), true, nil
}

// IsBinary reports whether content looks like a binary file: a NUL byte in
// its first 8000 bytes (git's heuristic).
func IsBinary(b []byte) bool {
	if len(b) > 8000 {
		b = b[:8000]
	}
	return bytes.IndexByte(b, 0) >= 0
}

// Glob implements source.Reader: files (not directories) matching pattern,
// sorted byte-wise as glob(3) in the C locale does. Only directories that
// resolve inside the root are listed: a pattern whose fixed leading
// directories lead outside (through a symbolic link) fails with
// ErrOutsideRoot, and a linked directory outside that a wildcard reaches is
// treated as empty. A matching symbolic link to a file is returned as it
// is; reading it reports where it leads.
func (r *FSReader) Glob(pattern string) ([]string, error) {
	pat, err := cleanRel(pattern)
	if err != nil {
		return nil, err
	}
	if _, err := path.Match(pat, ""); err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	matches, err := r.glob(pat)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, rel := range matches {
		if r.isDir(rel) {
			continue
		}
		seen[rel] = true
		out = append(out, rel)
	}
	for p := range r.overlay {
		if ok, _ := path.Match(pat, p); ok && !seen[p] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

func hasMeta(seg string) bool { return strings.ContainsAny(seg, `*?[\`) }

// glob expands pat one path segment at a time, listing only directories
// confined to the root.
func (r *FSReader) glob(pat string) ([]string, error) {
	segs := strings.Split(pat, "/")
	fixed := 0
	for fixed < len(segs)-1 && !hasMeta(segs[fixed]) {
		fixed++
	}
	base := path.Join(segs[:fixed]...)
	if base == "" {
		base = "."
	}
	if base != "." && !r.plainDir(base).plain {
		if _, err := r.confine(base); err != nil {
			if errors.Is(err, source.ErrOutsideRoot) {
				return nil, fmt.Errorf("%s: %w", pat, err)
			}
			return nil, nil // no such directory: no match
		}
	}
	dirs := []string{base}
	for i, seg := range segs[fixed:] {
		inner := fixed+i < len(segs)-1
		var next []string
		for _, d := range dirs {
			if !hasMeta(seg) {
				next = append(next, path.Join(d, seg))
				continue
			}
			if d != base && !r.confinedDir(d) {
				continue
			}
			for _, e := range r.listing(d) {
				if inner && !e.IsDir() && e.Type()&fs.ModeSymlink == 0 {
					continue // a file has no entries to match the rest
				}
				if ok, _ := path.Match(seg, e.Name()); ok {
					next = append(next, path.Join(d, e.Name()))
				}
			}
		}
		dirs = next
	}
	var out []string
	for _, c := range dirs {
		if parent := path.Dir(c); parent != base && parent != "." && !r.confinedDir(parent) {
			continue
		}
		if _, ok := r.listed(c); ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// confinedDir reports whether the directory rel leads to a place below
// the root, as confine would, answering from the directories known to be
// plain (kept per reader) before resolving links.
func (r *FSReader) confinedDir(rel string) bool {
	if rel == "." || r.plainDir(rel).plain {
		return true
	}
	_, err := r.confine(rel)
	return err == nil
}

// listing returns the entries of the directory rel (relative to the root,
// "." for the root itself), sorted by name, listing it once per reader;
// nil when it cannot be listed.
func (r *FSReader) listing(rel string) []fs.DirEntry {
	r.mu.Lock()
	entries, ok := r.listings[rel]
	r.mu.Unlock()
	if ok {
		return entries
	}
	entries, _ = os.ReadDir(filepath.Join(r.root, filepath.FromSlash(rel)))
	plain := rel == "." || r.plainDir(rel).plain
	r.mu.Lock()
	if r.listings == nil {
		r.listings = map[string][]fs.DirEntry{}
	}
	r.listings[rel] = entries
	// A real directory listed in a plain one is plain too: the listing
	// already says what an lstat of it would (Glob lists every directory
	// it descends into, and would otherwise lstat each one again).
	if plain {
		prefix := ""
		if rel != "." {
			prefix = rel + "/"
		}
		for _, e := range entries {
			if e.Type()&fs.ModeType == fs.ModeDir {
				if _, known := r.plainDirs[prefix+e.Name()]; !known {
					r.plainDirs[prefix+e.Name()] = dirState{plain: true}
				}
			}
		}
	}
	r.mu.Unlock()
	return entries
}

// listed returns the entry of rel in its directory's listing: ok is what
// an lstat of rel would say about its existence, and the entry's type is
// what it would say about its kind (a symbolic link is not followed).
func (r *FSReader) listed(rel string) (fs.DirEntry, bool) {
	dir, name := path.Split(rel)
	if name == "" || name == "." || name == ".." {
		return nil, false
	}
	dir = strings.TrimSuffix(dir, "/")
	if dir == "" {
		dir = "."
	}
	entries := r.listing(dir)
	i := sort.Search(len(entries), func(i int) bool { return entries[i].Name() >= name })
	if i < len(entries) && entries[i].Name() == name {
		return entries[i], true
	}
	return nil, false
}

// isDir reports whether rel is a directory, or a symbolic link to one
// inside the root. A link that leads outside is not followed.
func (r *FSReader) isDir(rel string) bool {
	e, ok := r.listed(rel)
	if !ok {
		return false
	}
	if e.Type()&fs.ModeSymlink == 0 {
		return e.IsDir()
	}
	real, err := r.confine(rel)
	if err != nil {
		return false
	}
	st, err := os.Stat(real)
	return err == nil && st.IsDir()
}

// Stat implements source.Reader.
func (r *FSReader) Stat(p string) (fs.FileInfo, error) {
	rel, err := cleanRel(p)
	if err != nil {
		return nil, err
	}
	if b, ok := r.overlay[rel]; ok {
		return overlayInfo{name: path.Base(rel), size: int64(len(b))}, nil
	}
	// Front ends ask again and again for the same files (every tree of a
	// repository looks for the snippets its includes name, and for their
	// alternative places): the answers are kept, as ReadFile's are.
	r.mu.Lock()
	res, ok := r.stats[rel]
	r.mu.Unlock()
	if ok {
		return res.info, res.err
	}
	res.info, res.err = r.stat(rel)
	r.mu.Lock()
	if r.stats == nil {
		r.stats = map[string]statResult{}
	}
	r.stats[rel] = res
	r.mu.Unlock()
	return res.info, res.err
}

type statResult struct {
	info fs.FileInfo
	err  error
}

func (r *FSReader) stat(rel string) (fs.FileInfo, error) {
	real, info, err := r.confineInfo(rel)
	if err != nil || info != nil {
		return info, err
	}
	return os.Stat(real)
}

type overlayInfo struct {
	name string
	size int64
}

func (o overlayInfo) Name() string       { return o.name }
func (o overlayInfo) Size() int64        { return o.size }
func (o overlayInfo) Mode() fs.FileMode  { return 0o644 }
func (o overlayInfo) ModTime() time.Time { return time.Time{} }
func (o overlayInfo) IsDir() bool        { return false }
func (o overlayInfo) Sys() any           { return nil }

// checkOpened refuses what an open file turned out to be when it is not a
// regular file of at most maxSize bytes: the file may have changed since
// it was looked up.
func checkOpened(rel string, isDir, isRegular bool, size, maxSize int64) error {
	switch {
	case isDir:
		return fmt.Errorf("%s is a directory", rel)
	case !isRegular:
		return fmt.Errorf("%s is not a regular file: %w", rel, source.ErrBinary)
	case size > maxSize:
		return fmt.Errorf("%s is %d bytes: %w (%d bytes)", rel, size, source.ErrTooLarge, maxSize)
	}
	return nil
}
