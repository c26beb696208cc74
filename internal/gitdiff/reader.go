package gitdiff

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

// Reader reads the files of a git revision below a directory of the work
// tree from git's objects: nothing is checked out or written. It is a
// source.Reader (what `check --spec-base` compares with, what `spec-diff
// REV:PATH` reads) and a parsers.ListReader, so a whole workspace loads from
// it as from a directory (`check --baseline-rev`). Contents come through
// one `git cat-file --batch`, started on the first read; Close ends it (and
// so does the reader's collection, for a reader nobody closes).
type Reader struct {
	root, rev string
	maxSize   int64
	blobs     map[string]blob   // path → its object
	links     map[string]string // path of a symbolic link → its target, root-relative ("" when it leaves the tree)
	dirs      map[string]bool
	files     []string

	mu    sync.Mutex // guards cache; the batch has its own
	cache map[string]readResult
	cat   *batch
}

// batch is a `git cat-file --batch` process, asked one object at a time.
type batch struct {
	mu  sync.Mutex
	dir string
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

type blob struct {
	id   string
	size int64
}

type readResult struct {
	file *source.File
	err  error
}

// NewReader lists the files of rev below root (a directory of a git work
// tree; paths are relative to it), checking that rev names a commit.
// Files larger than parsers.DefaultMaxFileSize are listed but not read
// (WithMaxFileSize changes the cap).
func NewReader(root, rev string) (*Reader, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("%q is not a git revision", rev)
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errors.New("reading a revision needs git, which is not installed")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if _, err := git(abs, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("%q is not a commit of the git repository at %s", rev, abs)
	}
	// Without --full-tree, ls-tree lists the subtree of the directory it
	// runs in, with paths relative to it.
	list, err := git(abs, "-c", "core.quotePath=false", "ls-tree", "-r", "-l", "-z", rev)
	if err != nil {
		return nil, fmt.Errorf("git ls-tree %s: %v", rev, err)
	}
	t := &Reader{root: abs, rev: rev, maxSize: parsers.DefaultMaxFileSize, blobs: map[string]blob{}, links: map[string]string{}, dirs: map[string]bool{".": true},
		cache: map[string]readResult{}, cat: &batch{dir: abs}}
	runtime.AddCleanup(t, func(b *batch) { b.close() }, t.cat)
	linkIDs := map[string]string{}
	for _, rec := range bytes.Split(list, []byte{0}) {
		meta, p, ok := strings.Cut(string(rec), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 || f[1] != "blob" {
			continue // a submodule (commit), or the end of the list
		}
		size, _ := strconv.ParseInt(f[3], 10, 64)
		switch f[0] {
		case "120000":
			linkIDs[p] = f[2]
		default:
			t.blobs[p] = blob{id: f[2], size: size}
		}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			t.dirs[d] = true
		}
	}
	// A symbolic link to a file of the tree reads as that file; one that
	// leaves the tree, or points at a directory, does not read.
	for p, id := range linkIDs {
		target, err := t.cat.object(id)
		if err != nil {
			t.Close()
			return nil, err
		}
		rel := path.Join(path.Dir(p), string(target))
		if path.IsAbs(string(target)) || rel == ".." || strings.HasPrefix(rel, "../") {
			rel = ""
		}
		t.links[p] = rel
	}
	for p := range t.blobs {
		t.files = append(t.files, p)
	}
	for p, target := range t.links {
		if _, ok := t.blobs[target]; ok || target == "" {
			t.files = append(t.files, p)
		}
	}
	sort.Strings(t.files)
	return t, nil
}

// WithMaxFileSize sets the size above which a file is not read (≤ 0:
// parsers.DefaultMaxFileSize) and returns the reader.
func (t *Reader) WithMaxFileSize(n int64) *Reader {
	if n <= 0 {
		n = parsers.DefaultMaxFileSize
	}
	t.maxSize = n
	return t
}

// Root implements parsers.ListReader.
func (t *Reader) Root() string { return t.root }

// Revision is the revision the reader reads.
func (t *Reader) Revision() string { return t.rev }

// Files implements parsers.ListReader.
func (t *Reader) Files() []string { return t.files }

// Identity implements source.Identifier: a link reads as its target.
func (t *Reader) Identity(p string) string {
	if target, ok := t.links[path.Clean(p)]; ok && target != "" {
		return target
	}
	return path.Clean(p)
}

// ReadFile implements source.Reader.
func (t *Reader) ReadFile(p string) (*source.File, error) {
	rel := path.Clean(p)
	if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.cache[rel]; ok {
		return r.file, r.err
	}
	f, err := t.read(rel)
	t.cache[rel] = readResult{f, err}
	return f, err
}

func (t *Reader) read(rel string) (*source.File, error) {
	name := rel
	if target, ok := t.links[rel]; ok {
		if target == "" {
			return nil, fmt.Errorf("%s at %s is a symbolic link that leaves the tree: %w", rel, t.rev, source.ErrOutsideRoot)
		}
		name = target
	}
	b, ok := t.blobs[name]
	if !ok {
		if t.dirs[name] {
			return nil, fmt.Errorf("%s is a directory", rel)
		}
		return nil, fmt.Errorf("%s at %s: %w", rel, t.rev, fs.ErrNotExist)
	}
	if b.size > t.maxSize {
		return nil, fmt.Errorf("%s at %s is %d bytes: %w (%d bytes)", rel, t.rev, b.size, source.ErrTooLarge, t.maxSize)
	}
	content, err := t.cat.object(b.id)
	if err != nil {
		return nil, err
	}
	if parsers.IsBinary(content) {
		return nil, fmt.Errorf("%s at %s: %w", rel, t.rev, source.ErrBinary)
	}
	return source.NewFile(rel, content), nil
}

// Glob implements source.Reader: the files (and links to files) of the
// tree that match pattern, sorted.
func (t *Reader) Glob(pattern string) ([]string, error) {
	pat := path.Clean(pattern)
	if path.IsAbs(pat) || pat == ".." || strings.HasPrefix(pat, "../") {
		return nil, fmt.Errorf("%s: %w", pattern, source.ErrOutsideRoot)
	}
	if _, err := path.Match(pat, ""); err != nil {
		return nil, fmt.Errorf("bad pattern %q: %w", pattern, err)
	}
	var out []string
	for _, f := range t.files {
		if ok, _ := path.Match(pat, f); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// Stat implements source.Reader.
func (t *Reader) Stat(p string) (fs.FileInfo, error) {
	rel := path.Clean(p)
	name := rel
	if target, ok := t.links[rel]; ok {
		if target == "" {
			return nil, fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
		}
		name = target
	}
	if b, ok := t.blobs[name]; ok {
		return treeInfo{name: path.Base(rel), size: b.size}, nil
	}
	if t.dirs[name] {
		return treeInfo{name: path.Base(rel), dir: true}, nil
	}
	return nil, fmt.Errorf("%s at %s: %w", p, t.rev, fs.ErrNotExist)
}

// object asks the batch process (started on first use) for one object:
// it answers "<id> <type> <size>\n", the content and a line feed.
func (b *batch) object(id string) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		cmd := exec.Command("git", "-C", b.dir, "cat-file", "--batch")
		in, err := cmd.StdinPipe()
		if err != nil {
			return nil, err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("git cat-file: %v", err)
		}
		b.cmd, b.in, b.out = cmd, in, bufio.NewReaderSize(out, 64<<10)
	}
	if _, err := io.WriteString(b.in, id+"\n"); err != nil {
		return nil, fmt.Errorf("git cat-file: %v", err)
	}
	header, err := b.out.ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %v", err)
	}
	f := strings.Fields(header)
	if len(f) != 3 {
		return nil, fmt.Errorf("git cat-file: %s", strings.TrimSpace(header))
	}
	size, err := strconv.Atoi(f[2])
	if err != nil {
		return nil, fmt.Errorf("git cat-file: %s", strings.TrimSpace(header))
	}
	buf := make([]byte, size+1)
	if _, err := io.ReadFull(b.out, buf); err != nil {
		return nil, fmt.Errorf("git cat-file: %v", err)
	}
	return buf[:size], nil
}

func (b *batch) close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.cmd == nil {
		return nil
	}
	b.in.Close()
	err := b.cmd.Wait()
	b.cmd = nil
	return err
}

// Close ends the git process.
func (t *Reader) Close() error { return t.cat.close() }

type treeInfo struct {
	name string
	size int64
	dir  bool
}

func (i treeInfo) Name() string { return i.name }
func (i treeInfo) Size() int64  { return i.size }
func (i treeInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i treeInfo) ModTime() time.Time { return time.Time{} }
func (i treeInfo) IsDir() bool        { return i.dir }
func (i treeInfo) Sys() any           { return nil }
