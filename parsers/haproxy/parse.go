package haproxy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Line is one keyword line of a configuration file. A configuration
// holds tens of thousands of lines, so a line is small (56 bytes): its
// words once, and the line number and the modifier packed in one word.
type Line struct {
	File *source.File
	// Words are all words of the line, a leading "no"/"default" included.
	Words []Word
	// cond points to the branches that Cond returns, shared by the lines
	// between two directives; nil outside conditional blocks. A pointer
	// rather than a slice keeps the line small.
	cond *[]*Branch
	// Section is the section the line belongs to (nil for lines before
	// any section and for directives).
	Section *Section
	num     int32 // 1-based line number
	// modified is set when Words[0] is a "no"/"default" modifier.
	modified bool
}

// Num is the line's 1-based line number.
func (l *Line) Num() int { return int(l.num) }

// Args are the words after the modifier: Args()[0] is the keyword.
func (l *Line) Args() []Word {
	if l.modified {
		return l.Words[1:]
	}
	return l.Words
}

// Range covers the line from its first word to the end of its last.
func (l *Line) Range() source.Range {
	if len(l.Words) == 0 {
		return l.File.LineRange(l.Num())
	}
	return l.File.Range(l.Words[0].Start(), l.Words[len(l.Words)-1].End())
}

// Mod is "no" or "default" when the line starts with that modifier.
func (l *Line) Mod() string {
	if l.modified {
		return l.Words[0].Value()
	}
	return ""
}

// Keyword is the line's first word after any modifier.
func (l *Line) Keyword() string {
	args := l.Args()
	if len(args) == 0 {
		return ""
	}
	return args[0].Value()
}

// Arg returns the value of Args[i], or "" when there is no such word.
func (l *Line) Arg(i int) string {
	if args := l.Args(); i < len(args) {
		return args[i].Value()
	}
	return ""
}

// Conditional reports whether the line sits inside a conditional block.
func (l *Line) Conditional() bool { return len(l.Cond()) > 0 }

// Cond lists the conditional-block branches (.if/.elif/.else) that
// enclose the line, outermost first. Every branch is kept, so a line with
// a non-empty Cond is configured only in some builds or environments.
func (l *Line) Cond() []*Branch {
	if l.cond == nil {
		return nil
	}
	return *l.cond
}

// Text is the line's words joined by single spaces (for messages).
func (l *Line) Text() string {
	parts := make([]string, len(l.Words))
	for i, w := range l.Words {
		parts[i] = w.Raw()
	}
	return strings.Join(parts, " ")
}

// Branch is one branch of a conditional block.
type Branch struct {
	// Directive is the ".if", ".elif" or ".else" line that opens it.
	Directive *Line
	// Expr is the condition as written ("" for .else).
	Expr string
	// Known is true when the condition uses only predicates that HAProxy
	// 2.6 knows; an unknown predicate (from a newer release) is kept as is.
	Known bool
}

// SectionKeywords are the words that open a section. HAProxy 2.6 knows
// most; crt-store, traces and acme come from newer releases and are
// recognised so that their contents are not taken for proxy keywords.
var SectionKeywords = map[string]bool{
	"global": true, "defaults": true, "frontend": true, "backend": true, "listen": true,
	"userlist": true, "peers": true, "resolvers": true, "mailers": true, "cache": true,
	"http-errors": true, "ring": true, "log-forward": true, "fcgi-app": true,
	"crt-store": true, "program": true, "namespace_list": true, "traces": true, "acme": true,
}

// Section is one section: its header line and the keyword lines under it.
type Section struct {
	Kind   string // "global", "defaults", "frontend", ...
	Name   string // "" for global and anonymous defaults
	Header *Line
	Lines  []*Line
	// From names the defaults section given with "from" on the header.
	From     string
	FromWord *Word
	Index    int // position among all sections of the configuration
}

// File is one parsed configuration file.
type File struct {
	Source   *source.File
	Sections []*Section
	// Directives are the .if/.elif/.else/.endif/.diag/.notice/.warning/
	// .alert lines.
	Directives []*Line
	// Orphans are keyword lines before the first section (HAProxy refuses
	// them).
	Orphans []*Line
}

// ParseFile parses one file. It never fails: problems (positioned E001
// diagnostics) are returned alongside what could be read.
func ParseFile(f *source.File) (*File, []source.Problem) {
	p := &fileParser{f: f, out: &File{Source: f}, lex: newLexer(f)}
	if uint64(len(f.Content)) > maxFileSize {
		p.errorf(0, 0, "file of %d bytes: larger than the %d bytes mtlslint reads as a HAProxy configuration", len(f.Content), maxFileSize)
		return p.out, p.problems
	}
	p.run()
	return p.out, p.problems
}

type condState struct {
	branch  *Branch
	opener  *Line // the .if line
	hasElse bool
}

type fileParser struct {
	f        *source.File
	out      *File
	problems []source.Problem
	conds    []*condState
	cur      *Section
	lastLine int
	lex      *lexer
	// enclosing is what branches returns until the next directive.
	enclosing *[]*Branch
	// lines holds the Line values for the lines to come: a file's lines
	// take their memory from one allocation per lineChunk physical lines
	// rather than one each (a tenth of the allocations of a HAProxy run).
	lines []Line
	// sectionLines backs the Lines of every section of the file, which
	// follow one another: one allocation with room for every physical
	// line left when the first section line comes, instead of each
	// section growing a slice of its own (a quarter of the allocations
	// of building the sections).
	sectionLines []*Line
	curStart     int // where p.cur's lines start in sectionLines
}

// lineChunk is how many physical lines newLine provides for at once.
const lineChunk = 32

// newLine returns a new line numbered ln of the file. A chunk has room
// for the lines of the next lineChunk physical lines that are neither
// blank nor comments, so that little of it is left unused.
func (p *fileParser) newLine(ln int, words []Word) *Line {
	if len(p.lines) == cap(p.lines) {
		n := 1 // line ln itself
		c := p.f.Content
		for k := ln + 1; k < ln+lineChunk && k <= p.f.LineCount(); k++ {
			i, end := p.f.LineStart(k), p.f.LineEnd(k)
			for i < end && isSpace(c[i]) {
				i++
			}
			if i < end && c[i] != '#' {
				n++
			}
		}
		// slices.Grow rounds the capacity up to the allocator's size
		// class: the lines after the window use what would be slack.
		p.lines = slices.Grow([]Line(nil), n)
	}
	p.lines = append(p.lines, Line{File: p.f, num: int32(ln), Words: words})
	return &p.lines[len(p.lines)-1]
}

// maxFileSize is the largest file ParseFile reads: words keep their
// offsets in 31 bits.
const maxFileSize = hasMore - 1

// maxNestedConds is HAProxy's MAXNESTEDCONDS: 2.6 refuses the 100th
// nested '.if' ("too many nested '.if', max is 100"). It bounds the
// nesting this parser keeps, too.
const maxNestedConds = 100

func (p *fileParser) errorf(start, end int, format string, args ...any) {
	p.problems = append(p.problems, source.Problem{
		Kind:    source.ProblemSyntax,
		Range:   p.f.Range(start, end),
		Message: fmt.Sprintf(format, args...),
	})
}

// lineErrorf reports a syntax error over line l.
func (p *fileParser) lineErrorf(l *Line, format string, args ...any) {
	p.problems = append(p.problems, source.Problem{Kind: source.ProblemSyntax, Range: l.Range(), Message: fmt.Sprintf(format, args...)})
}

func (p *fileParser) run() {
	c := p.f.Content
	n := p.f.LineCount()
	for ln := 1; ln <= n; ln++ {
		start := p.f.LineStart(ln)
		if ln == 1 && p.f.HasBOM() {
			// HAProxy has no notion of a byte order mark: it is part of
			// the first word, which is then no keyword. The file is read
			// on without it, so that its other findings are not lost.
			p.problems = append(p.problems, source.Problem{Kind: source.ProblemSyntax, Range: p.f.Range(0, 3),
				Message: "byte order mark at the start of the file: HAProxy refuses the file",
				Detail:  "HAProxy reads the mark as part of the first word, which is then no keyword (\"unknown keyword ... out of section\"). Save the file as UTF-8 without a byte order mark."})
			start = 3
		}
		end := len(c)
		hasLF := false
		if ln < n {
			end = p.f.LineStart(ln+1) - 1
			hasLF = true
		}
		if !hasLF && start == end {
			break // nothing after the final line feed
		}
		// HAProxy reads lines with fgets() and strlen(): a NUL ends the
		// line, and the rest of the file is then refused.
		stray := -1
		for k := start; k < end; k++ {
			if c[k] == 0 {
				stray = k
				end = k
				break
			}
		}
		p.lastLine = ln
		p.line(ln, start, end)
		if stray >= 0 {
			if ln == n {
				p.errorf(stray, stray+1, "missing line feed on the last line: HAProxy refuses the file (it reads a stray NUL character here as the end of the file)")
			} else {
				p.errorf(stray, stray+1, "stray NUL character: HAProxy stops reading the file here and refuses it")
			}
			return
		}
		if !hasLF {
			p.errorf(end, end, "missing line feed on the last line: HAProxy refuses the file (\"Missing LF on last line, file might have been truncated\")")
		}
	}
	if len(p.conds) > 0 {
		// HAProxy reports this on the last line it read; the opening .if
		// is the related location.
		o := p.conds[len(p.conds)-1].opener
		last := p.lastLine
		if last < 1 {
			last = 1
		}
		p.problems = append(p.problems, source.Problem{Kind: source.ProblemSyntax,
			Range:   p.f.Range(p.f.LineEnd(last), p.f.LineEnd(last)),
			Message: fmt.Sprintf("the '.if' block opened on line %d is not terminated by '.endif' before the end of the file", o.Num()),
			Related: []source.Related{{Range: o.Range(), Message: "the unterminated '.if'"}}})
	}
}

func (p *fileParser) line(ln, start, end int) {
	b := p.f.Content
	i := start
	for i < end && isSpace(b[i]) {
		i++
	}
	if i < end && b[i] == '[' {
		p.scope(i, end)
		return
	}
	words, lp := p.lex.line(i, end)
	if lp != nil {
		endOff := lp.off + 1
		if endOff > end {
			endOff = end
		}
		p.errorf(lp.off, endOff, "%s", lp.msg)
		if !strings.HasPrefix(lp.msg, "too many words") {
			return // HAProxy skips the line
		}
	}
	if len(words) == 0 || (words[0].Value() == "" && !words[0].Symbolic()) {
		return // empty line: HAProxy skips a line whose first word is empty
	}
	l := p.newLine(ln, words)
	if strings.HasPrefix(words[0].Value(), ".") {
		p.directive(l)
		return
	}
	l.cond = p.branches()
	if kw := words[0].Value(); (kw == "no" || kw == "default") && len(words) > 1 {
		l.modified = true
	}
	kw := l.Keyword()
	if l.Mod() == "" && SectionKeywords[kw] {
		s := &Section{Kind: kw, Header: l}
		if len(l.Args()) > 1 {
			s.Name = l.Args()[1].Value()
		}
		for k := 2; k+1 < len(l.Args()); k++ {
			if l.Args()[k].Value() == "from" {
				s.From = l.Args()[k+1].Value()
				w := l.Args()[k+1]
				s.FromWord = &w
			}
		}
		if kw == "defaults" && len(l.Args()) > 1 && l.Args()[1].Value() == "from" {
			s.Name = ""
			s.From = l.Arg(2)
			if len(l.Args()) > 2 {
				w := l.Args()[2]
				s.FromWord = &w
			}
		}
		l.Section = s
		p.cur, p.curStart = s, len(p.sectionLines)
		p.out.Sections = append(p.out.Sections, s)
		return
	}
	if p.cur == nil {
		if len(p.out.Orphans) == 0 {
			p.problems = append(p.problems, source.Problem{Kind: source.ProblemSyntax, Range: l.Range(),
				Message: fmt.Sprintf("unknown keyword '%s' out of section", clipWord(l.Keyword())),
				Detail:  "HAProxy refuses a keyword line before the first section."})
		}
		p.out.Orphans = append(p.out.Orphans, l)
		return
	}
	l.Section = p.cur
	if p.sectionLines == nil {
		// A keyword line takes at least one physical line, so the
		// buffer never grows: were it to, the sections before would keep
		// the old one alive.
		p.sectionLines = make([]*Line, 0, p.f.LineCount()-l.Num()+1)
	}
	p.sectionLines = append(p.sectionLines, l)
	n := len(p.sectionLines)
	p.cur.Lines = p.sectionLines[p.curStart:n:n]
}

// scope handles a "[name]" scope line: HAProxy accepts nothing after it.
func (p *fileParser) scope(i, end int) {
	b := p.f.Content
	j := i + 1
	for j < end && b[j] != ']' {
		j++
	}
	if j >= end {
		p.errorf(i, end, "missing ']' after the scope name")
		return
	}
	k := j + 1
	for k < end && isSpace(b[k]) {
		k++
	}
	if k < end && b[k] != '#' {
		p.errorf(k, k+1, "character '%c' is not permitted after a scope declaration", b[k])
	}
}

// branches returns the branches that enclose the current line. The lines
// between two directives share one slice.
func (p *fileParser) branches() *[]*Branch {
	if len(p.conds) == 0 {
		return nil
	}
	if p.enclosing == nil {
		enclosing := make([]*Branch, len(p.conds))
		for i, c := range p.conds {
			enclosing[i] = c.branch
		}
		p.enclosing = &enclosing
	}
	return p.enclosing
}

func (p *fileParser) directive(l *Line) {
	l.cond = p.branches()
	p.enclosing = nil // the directive may open, change or close a branch
	p.out.Directives = append(p.out.Directives, l)
	expr := func() string {
		parts := make([]string, 0, len(l.Args())-1)
		for _, w := range l.Args()[1:] {
			parts = append(parts, w.Value())
		}
		return strings.Join(parts, " ")
	}
	switch l.Keyword() {
	case ".if":
		if len(p.conds) >= maxNestedConds-1 {
			p.lineErrorf(l, "too many nested '.if' blocks (HAProxy allows %d)", maxNestedConds-1)
			return
		}
		e := expr()
		p.conds = append(p.conds, &condState{opener: l, branch: &Branch{Directive: l, Expr: e, Known: knownCondition(e)}})
	case ".elif":
		if len(p.conds) == 0 {
			p.lineErrorf(l, "'.elif' without a matching '.if'")
			return
		}
		top := p.conds[len(p.conds)-1]
		if top.hasElse {
			p.lineErrorf(l, "'.elif' after '.else' is not permitted")
			return
		}
		e := expr()
		top.branch = &Branch{Directive: l, Expr: e, Known: knownCondition(e)}
	case ".else":
		if len(p.conds) == 0 {
			p.lineErrorf(l, "'.else' without a matching '.if'")
			return
		}
		top := p.conds[len(p.conds)-1]
		if top.hasElse {
			p.lineErrorf(l, "'.else' after '.else' is not permitted")
			return
		}
		top.hasElse = true
		top.branch = &Branch{Directive: l, Known: true}
	case ".endif":
		if len(p.conds) == 0 {
			p.lineErrorf(l, "'.endif' without a matching '.if'")
			return
		}
		p.conds = p.conds[:len(p.conds)-1]
	}
	// .diag, .notice, .warning, .alert and unknown dot-keywords are kept as
	// directives; HAProxy reports unknown ones as errors of their own kind.
}

// condPredicates are the predicates HAProxy 2.6 evaluates in .if.
var condPredicates = map[string]bool{
	"defined": true, "feature": true, "streq": true, "strneq": true,
	"version_atleast": true, "version_before": true,
	"openssl_version_atleast": true, "openssl_version_before": true,
	"ssllib_name_startswith": true,
}

// knownCondition reports whether every predicate in a .if expression is
// one HAProxy 2.6 knows. The branches are kept either way.
func knownCondition(expr string) bool {
	s := expr
	for {
		k := strings.IndexByte(s, '(')
		if k < 0 {
			return true
		}
		j := k
		for j > 0 && (isAlnum(s[j-1]) || s[j-1] == '_') {
			j--
		}
		if name := s[j:k]; name != "" && !condPredicates[name] {
			return false
		}
		e := strings.IndexByte(s[k:], ')')
		if e < 0 {
			return true
		}
		s = s[k+e+1:]
	}
}

// clipWord shortens a word of the file quoted in a message (a line of
// garbage is one word too) to 40 characters.
func clipWord(w string) string {
	if r := []rune(w); len(r) > 40 {
		return string(r[:39]) + "…"
	}
	return w
}
