// Package gitdiff is mtlslint's one git reader: the lines changed since a
// revision, for `check --new-from-rev` (only findings on changed lines, or
// in files git does not track yet, are reported), and the files as they
// are at a revision (Reader), for `check --spec-base`, `spec-diff` and
// `check --baseline-rev` (which lints a whole revision's tree).
package gitdiff

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"

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

// Keep returns the findings whose range touches a changed line. git knows
// a file by its own path, a finding may name it through a symbolic link:
// identity, when not nil, gives the path git knows.
func (c *Changes) Keep(diags []rules.Finding, identity func(string) string) []rules.Finding {
	out := diags[:0:0]
	for _, d := range diags {
		end := d.Range.End.Line
		if end > d.Range.Start.Line && d.Range.End.Col <= 1 {
			end-- // the range stops at the start of the next line
		}
		file := d.Range.File
		if identity != nil {
			file = identity(file)
		}
		if c.Changed(file, d.Range.Start.Line, end) {
			out = append(out, d)
		}
	}
	return out
}
