// Package wanttest reads the expectations that fixture scenarios declare
// (`# want N003` comments and WANT files) and compares them with
// diagnostics, in the manner of golang.org/x/tools/go/analysis/analysistest:
// every expectation must match exactly one diagnostic and every diagnostic
// exactly one expectation.
package wanttest

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/rules"
)

// Loc is a file (slash-separated, relative to the scenario) and a line.
type Loc struct {
	File string
	Line int
}

func (l Loc) String() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// Want is one expected diagnostic.
type Want struct {
	Loc
	Code    string
	Related []Loc // compared when non-empty
	// Message, when set, must match the diagnostic's message: a bypass
	// worded as a lock-out does not pass for one.
	Message *regexp.Regexp
	Source  Loc // where the expectation is written
}

func (w Want) String() string {
	s := fmt.Sprintf("%s %s", w.Loc, w.Code)
	if w.Message != nil {
		s += " " + strconv.Quote(w.Message.String())
	}
	for _, r := range w.Related {
		s += " related " + r.String()
	}
	return s
}

// wantComment matches "# want N003", "// want@+1 N003 N010",
// "# want X001 related settings.py:12", "# want X002 "lock.?out"".
var wantComment = regexp.MustCompile(`(?:#|//)\s*want(@[+-]\d+)?((?:\s+[A-Z][0-9]{3}(?:\s+"(?:[^"\\]|\\.)*")?(?:\s+related\s+\S+:\d+)*)+)\s*$`)

var codeToken = regexp.MustCompile(`^[A-Z][0-9]{3}$`)

// Read collects the expectations of the scenario in dir: inline comments
// in every text file and the lines of its WANT file.
func Read(dir string) ([]Want, error) {
	var wants []Want
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "WANT" {
			ws, err := readWantFile(p)
			wants = append(wants, ws...)
			return err
		}
		ws, err := readInline(p, rel)
		wants = append(wants, ws...)
		return err
	})
	return wants, err
}

func readInline(p, rel string) ([]Want, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var wants []Want
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		m := wantComment.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		target := i + 1
		if m[1] != "" {
			off, _ := strconv.Atoi(m[1][1:])
			target += off
		}
		ws, err := parseTokens(fields(m[2]), Loc{rel, target}, Loc{rel, i + 1})
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", rel, i+1, err)
		}
		wants = append(wants, ws...)
	}
	return wants, nil
}

// fields splits an expectation into tokens; a double-quoted string (Go
// syntax) is one token, quotes included.
func fields(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out
		}
		end := strings.IndexAny(s, " \t")
		if s[0] == '"' {
			end = -1
			for i := 1; i < len(s); i++ {
				if s[i] == '\\' {
					i++
				} else if s[i] == '"' {
					end = i + 1
					break
				}
			}
		}
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
}

func parseTokens(toks []string, at, src Loc) ([]Want, error) {
	var wants []Want
	for i := 0; i < len(toks); i++ {
		switch {
		case codeToken.MatchString(toks[i]):
			wants = append(wants, Want{Loc: at, Code: toks[i], Source: src})
		case strings.HasPrefix(toks[i], `"`) && len(wants) > 0 && wants[len(wants)-1].Message == nil:
			pat, err := strconv.Unquote(toks[i])
			if err != nil {
				return nil, fmt.Errorf("cannot read message pattern %s: %v", toks[i], err)
			}
			re, err := regexp.Compile(pat)
			if err != nil {
				return nil, fmt.Errorf("message pattern %s: %v", toks[i], err)
			}
			wants[len(wants)-1].Message = re
		case toks[i] == "related" && i+1 < len(toks) && len(wants) > 0:
			l, err := parseLoc(toks[i+1])
			if err != nil {
				return nil, err
			}
			wants[len(wants)-1].Related = append(wants[len(wants)-1].Related, l)
			i++
		default:
			return nil, fmt.Errorf("cannot read expectation token %q", toks[i])
		}
	}
	return wants, nil
}

func parseLoc(s string) (Loc, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return Loc{}, fmt.Errorf("want FILE:LINE, got %q", s)
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil {
		return Loc{}, fmt.Errorf("want FILE:LINE, got %q", s)
	}
	return Loc{s[:i], n}, nil
}

// readWantFile reads "FILE:LINE CODE [related FILE:LINE]..." lines; "#"
// starts a comment line.
func readWantFile(p string) ([]Want, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var wants []Want
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		toks := strings.Fields(line)
		at, err := parseLoc(toks[0])
		if err != nil {
			return nil, fmt.Errorf("WANT:%d: %v", n, err)
		}
		ws, err := parseTokens(fields(strings.Join(toks[1:], " ")), at, Loc{"WANT", n})
		if err != nil {
			return nil, fmt.Errorf("WANT:%d: %v", n, err)
		}
		if len(ws) == 0 {
			return nil, fmt.Errorf("WANT:%d: no code", n)
		}
		wants = append(wants, ws...)
	}
	return wants, sc.Err()
}

// Compare matches diagnostics against expectations and returns one message
// per missing or unexpected diagnostic, sorted. An expectation with a
// message pattern matches only a diagnostic whose message it matches.
//
// Suppressed diagnostics (inline, per-file-ignores, baseline) are not
// reported, so they are neither expected nor unexpected.
func Compare(wants []Want, diags []rules.Finding) []string {
	reported := diags[:0:0]
	for _, d := range diags {
		if d.Suppression == nil {
			reported = append(reported, d)
		}
	}
	diags = reported
	used := make([]bool, len(diags))
	var problems []string
	// Expectations with related locations or a message first, so that a
	// plain expectation does not take the diagnostic a more specific one
	// needs.
	specific := func(w Want) int {
		n := len(w.Related)
		if w.Message != nil {
			n++
		}
		return n
	}
	sort.SliceStable(wants, func(i, j int) bool { return specific(wants[i]) > specific(wants[j]) })
	for _, w := range wants {
		found := -1
		for i, d := range diags {
			if used[i] || d.Code != w.Code || d.Range.File != w.File || d.Range.Start.Line != w.Line {
				continue
			}
			if !hasRelated(d, w.Related) || w.Message != nil && !w.Message.MatchString(d.Message) {
				continue
			}
			found = i
			break
		}
		if found < 0 {
			problems = append(problems, fmt.Sprintf("missing:    %s (declared at %s)%s", w, w.Source, near(w, diags)))
			continue
		}
		used[found] = true
	}
	for i, d := range diags {
		if !used[i] {
			problems = append(problems, fmt.Sprintf("unexpected: %s:%d %s %s: %s", d.Range.File, d.Range.Start.Line, d.Code, d.Severity, d.Message))
		}
	}
	sort.Strings(problems)
	return problems
}

func hasRelated(d rules.Finding, want []Loc) bool {
	for _, l := range want {
		ok := false
		for _, r := range d.Related {
			if r.Range.File == l.File && r.Range.Start.Line == l.Line {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// near describes diagnostics with the same code, to make a miss easy to
// diagnose.
func near(w Want, diags []rules.Finding) string {
	var locs []string
	for _, d := range diags {
		if d.Code == w.Code {
			l := fmt.Sprintf("%s:%d", d.Range.File, d.Range.Start.Line)
			for _, r := range d.Related {
				l += fmt.Sprintf(" related %s:%d", r.Range.File, r.Range.Start.Line)
			}
			locs = append(locs, l)
		}
	}
	if len(locs) == 0 {
		return ""
	}
	return "; " + w.Code + " reported at " + strings.Join(locs, ", ")
}
