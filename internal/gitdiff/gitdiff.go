// Package gitdiff is mtlslint's one git reader: the lines changed since a
// revision, for `check --new-from-rev` (only findings on changed lines, or
// in files git does not track yet, are reported), and the files as they
// are at a revision (Reader), for `check --spec-base` and `spec-diff`.
package gitdiff

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// Changes are the changed lines per root-relative file.
type Changes struct {
	lines map[string]map[int]bool
	// whole lists files that are new to git (untracked): every line counts
	// as changed.
	whole map[string]bool
}

// Since runs git in root and collects the lines added or modified since
// rev in the working tree (staged or not), and the untracked files.
func Since(root, rev string) (*Changes, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, errors.New("--new-from-rev needs git, which is not installed")
	}
	if out, err := git(root, "rev-parse", "--is-inside-work-tree"); err != nil || strings.TrimSpace(string(out)) != "true" {
		return nil, fmt.Errorf("--new-from-rev needs a git repository, and %s is not inside one", root)
	}
	if _, err := git(root, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--new-from-rev: %q is not a revision of the repository at %s", rev, root)
	}
	diff, err := git(root, "-c", "core.quotePath=false", "diff", "--relative", "--no-color", "--no-ext-diff",
		"--no-renames", "--unified=0", "--src-prefix=a/", "--dst-prefix=b/", rev, "--")
	if err != nil {
		return nil, fmt.Errorf("git diff %s: %v", rev, err)
	}
	c := Parse(diff)
	untracked, err := git(root, "-c", "core.quotePath=false", "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %v", err)
	}
	for _, p := range strings.Split(string(untracked), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			c.whole[p] = true
		}
	}
	return c, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return out, errors.New(msg)
		}
		return out, err
	}
	return out, nil
}

// Parse reads a unified diff (as `git diff --unified=0` writes it) into
// the changed lines of the new side. Pure deletions change no line.
func Parse(diff []byte) *Changes {
	c := &Changes{lines: map[string]map[int]bool{}, whole: map[string]bool{}}
	file := ""
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "+++ "):
			file = diffPath(strings.TrimPrefix(line, "+++ "))
		case strings.HasPrefix(line, "@@ ") && file != "":
			start, count, ok := newSide(line)
			if !ok {
				continue
			}
			set := c.lines[file]
			if set == nil {
				set = map[int]bool{}
				c.lines[file] = set
			}
			for l := start; l < start+count; l++ {
				set[l] = true
			}
		}
	}
	return c
}

// diffPath strips the "b/" prefix; /dev/null (a deleted file) gives "".
func diffPath(s string) string {
	s = strings.TrimRight(s, "\t")
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			s = u
		}
	}
	if s == "/dev/null" {
		return ""
	}
	return strings.TrimPrefix(s, "b/")
}

// newSide reads "+start,count" from a hunk header
// "@@ -a,b +start,count @@"; count defaults to 1.
func newSide(header string) (start, count int, ok bool) {
	fields := strings.Fields(header)
	if len(fields) < 3 || !strings.HasPrefix(fields[2], "+") {
		return 0, 0, false
	}
	spec := strings.TrimPrefix(fields[2], "+")
	count = 1
	if i := strings.IndexByte(spec, ','); i >= 0 {
		n, err := strconv.Atoi(spec[i+1:])
		if err != nil {
			return 0, 0, false
		}
		count = n
		spec = spec[:i]
	}
	start, err := strconv.Atoi(spec)
	if err != nil {
		return 0, 0, false
	}
	return start, count, true
}

// Changed reports whether any line of [from, to] in file changed.
func (c *Changes) Changed(file string, from, to int) bool {
	if c.whole[file] {
		return true
	}
	set := c.lines[file]
	if set == nil {
		return false
	}
	if to < from {
		to = from
	}
	for l := from; l <= to; l++ {
		if set[l] {
			return true
		}
	}
	return false
}

// Keep returns the findings whose range touches a changed line.
func (c *Changes) Keep(diags []rules.Finding) []rules.Finding {
	out := diags[:0:0]
	for _, d := range diags {
		end := d.Range.End.Line
		if end > d.Range.Start.Line && d.Range.End.Col <= 1 {
			end-- // the range stops at the start of the next line
		}
		if c.Changed(d.Range.File, d.Range.Start.Line, end) {
			out = append(out, d)
		}
	}
	return out
}

// Reader reads files as they are at a git revision, through `git show`,
// confined to the repository directory it was opened on: what
// `check --spec-base` compares with, and what `spec-diff REV:PATH` reads.
type Reader struct {
	dir string // the directory paths are relative to
	rev string
}

// NewReader checks that rev names a commit of the repository at dir.
func NewReader(dir, rev string) (*Reader, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("%q is not a git revision", rev)
	}
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("%q is not a commit of the git repository at %s", rev, dir)
	}
	return &Reader{dir: dir, rev: rev}, nil
}

// Revision is the revision the reader reads.
func (g *Reader) Revision() string { return g.rev }

func (g *Reader) object(p string) (string, error) {
	c := path.Clean(p)
	if path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%s: %w", p, source.ErrOutsideRoot)
	}
	return g.rev + ":./" + c, nil
}

// ReadFile implements source.Reader.
func (g *Reader) ReadFile(p string) (*source.File, error) {
	obj, err := g.object(p)
	if err != nil {
		return nil, err
	}
	if _, err := g.Stat(p); err != nil {
		return nil, err
	}
	out, err := git(g.dir, "show", obj)
	if err != nil {
		return nil, err
	}
	if len(out) > parsers.DefaultMaxFileSize {
		return nil, fmt.Errorf("%s at %s: %w", p, g.rev, source.ErrTooLarge)
	}
	if parsers.IsBinary(out) {
		return nil, fmt.Errorf("%s at %s: %w", p, g.rev, source.ErrBinary)
	}
	return source.NewFile(path.Clean(p), out), nil
}

// Glob implements source.Reader; patterns are not expanded at a revision.
func (g *Reader) Glob(pattern string) ([]string, error) {
	return nil, fmt.Errorf("glob %s: not supported at a git revision", pattern)
}

// Stat implements source.Reader.
func (g *Reader) Stat(p string) (fs.FileInfo, error) {
	obj, err := g.object(p)
	if err != nil {
		return nil, err
	}
	out, err := git(g.dir, "cat-file", "-t", obj)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", p, g.rev, fs.ErrNotExist)
	}
	if t := strings.TrimSpace(string(out)); t != "blob" {
		return nil, fmt.Errorf("%s at %s is a %s, not a file", p, g.rev, t)
	}
	return gitInfo{name: path.Base(p)}, nil
}

type gitInfo struct{ name string }

func (i gitInfo) Name() string       { return i.name }
func (i gitInfo) Size() int64        { return 0 }
func (i gitInfo) Mode() fs.FileMode  { return 0o644 }
func (i gitInfo) ModTime() time.Time { return time.Time{} }
func (i gitInfo) IsDir() bool        { return false }
func (i gitInfo) Sys() any           { return nil }
