package python

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Module is a parsed Python file: its top-level statements in order.
// A statement that could not be parsed is kept as a Chunk with Err set
// and reported as a Problem; it is never silently dropped.
type Module struct {
	File *source.File
	// Tokens are the file's tokens while it is parsed; after, only a
	// module with a rejected statement keeps them (see releaseTokens).
	Tokens   []Token
	Rewrites []Rewrite
	Stmts    []*TopStmt
	Problems []source.Problem

	// match is, for each bracket token, the index of the token that
	// closes or opens it, -1 for other tokens (matchBrackets); read it
	// with partner.
	match []int32
	// rewriteEnds serves Rewritten.
	rewriteEnds []int
	// lines indexes the lines as Python reads them: with universal
	// newlines a lone CR ends a line as LF and CRLF do. It is File itself
	// unless the file has a lone CR; its offsets are File's offsets.
	lines *source.File
}

// TopStmt is one top-level statement: the chunk the splitter found and
// what it parsed to (usually one statement, several for "a = 1; b = 2").
type TopStmt struct {
	Chunk
	Body []Stmt
	Err  string // non-empty when the statement was not analysed
}

// DefaultParser is the parser Parse uses: the recursive-descent parser,
// with gpython for what it does not accept.
var DefaultParser Parser = Descent{Fallback: GPython{}}

// Parse tokenizes, splits, rewrites and parses a module with
// DefaultParser. It never fails: statements it cannot parse become M002
// problems.
func Parse(f *source.File) *Module { return ParseWith(f, DefaultParser) }

// ParseWith is Parse with a given parser.
func ParseWith(f *source.File, p Parser) *Module {
	m := &Module{File: f, lines: f}
	src, changed := universalNewlines(f.Content)
	if changed {
		m.lines = source.NewFile(f.Path, src)
	}
	m.Tokens = Tokenize(src)
	m.match = matchBrackets(src, m.Tokens)
	rw, rws := rewriteSource(src, m.Tokens, m.match)
	m.Rewrites = rws
	// rewriteEnds[i] is the largest End of Rewrites[:i+1]: rewrites are
	// sorted by Start but may nest (an annotation over an f-string).
	m.rewriteEnds = make([]int, len(rws))
	for i, r := range rws {
		m.rewriteEnds[i] = r.End
		if i > 0 {
			m.rewriteEnds[i] = max(r.End, m.rewriteEnds[i-1])
		}
	}
	// Statements are parsed in runs: one parser call for consecutive
	// statements is much cheaper than one per statement. A run that does
	// not parse falls back to one call per statement, so that one
	// unsupported construct loses one statement, not its neighbours.
	var run []*TopStmt
	// A run is either all statements that a rewrite touches or none:
	// the parser reads the file's tokens for the text of a run no
	// rewrite touches, and scans the text again otherwise.
	runRewritten := false
	flush := func() {
		if len(run) > 1 && m.parseRun(rw, p, run) {
			run = run[:0]
			return
		}
		for _, ts := range run {
			m.parseOne(rw, p, ts)
		}
		run = run[:0]
	}
	for _, c := range Split(m.lines, m.Tokens) {
		ts := &TopStmt{Chunk: c}
		m.Stmts = append(m.Stmts, ts)
		if reason := m.chunkProblem(c); reason != "" {
			flush()
			ts.Err = reason
			m.notAnalysed(c, c.Line, reason)
			continue
		}
		if off := m.tooDeep(c); off >= 0 {
			// Not even handed to the parser: its cost grows with the depth.
			flush()
			m.nestedTooDeep(ts, off)
			continue
		}
		if len(run) >= maxRun || (c.Start < len(rw) && (rw[c.Start] == ' ' || rw[c.Start] == '\t')) {
			// A blanked "async" leaves the statement indented: it can
			// only be parsed on its own.
			flush()
		}
		textStart, textEnd := m.chunkText(rw, c)
		if rewritten := len(m.Rewritten(textStart, textEnd)) > 0; rewritten != runRewritten {
			flush()
			runRewritten = rewritten
		}
		run = append(run, ts)
	}
	flush()
	m.releaseTokens()
	return m
}

// releaseTokens drops the tokens and their bracket matches once the
// module is parsed, unless a statement was rejected: the token scan of
// rejected statements (the project's sweep) is the only later reader.
// Every other reader (finishing ends and literal values, the upgrade of
// rewritten syntax, the fallbacks for rejected statements) runs during
// parsing. Tokens are the largest part of a parsed module that nothing
// reads after it, and a run keeps every module until its rules are done.
func (m *Module) releaseTokens() {
	for _, ts := range m.Stmts {
		if ts.Err != "" {
			return
		}
	}
	m.Tokens, m.match = nil, nil
}

// universalNewlines returns src with each lone CR turned into LF, as
// Python's universal newlines read it; CRLF stays (the parser takes it as
// one line ending). The length, and so every offset, is unchanged; src
// itself is returned, unchanged, when it has no lone CR.
func universalNewlines(src []byte) ([]byte, bool) {
	var out []byte
	for i, c := range src {
		if c == '\r' && (i+1 == len(src) || src[i+1] != '\n') {
			if out == nil {
				out = append([]byte(nil), src...)
			}
			out[i] = '\n'
		}
	}
	if out == nil {
		return src, false
	}
	return out, true
}

// lineRange is the range of the text of line n as Python counts lines.
func (m *Module) lineRange(n int) source.Range {
	return m.File.Range(m.lines.LineStart(n), m.lines.LineEnd(n))
}

// maxRun bounds a run, so that a failing run costs at most that many
// statements parsed twice.
const maxRun = 64

// chunkText returns the rewritten text of a chunk (through the end of its
// last line, its line ending included) and the offset it starts at.
func (m *Module) chunkText(rw []byte, c Chunk) (int, int) {
	lastLine := m.lines.Pos(m.textEnd(c)).Line
	// Through the whole line ending: the parser takes "\r\n" as one, but a
	// text cut after the "\r" ends in a stray CR it rejects.
	textEnd := m.lines.LineStart(lastLine + 1)
	textStart := c.Start
	for textStart < textEnd && (rw[textStart] == ' ' || rw[textStart] == '\t') {
		textStart++ // a blanked "async"
	}
	return textStart, textEnd
}

// offsets maps the parser's 1-based lines and columns of a text that starts
// at textStart, on line firstLine, back to file offsets.
func (m *Module) offsets(textStart, firstLine int) func(line, col int) int {
	return func(line, col int) int {
		if line <= 1 {
			return textStart + col
		}
		return m.lines.LineStart(firstLine+line-1) + col
	}
}

// parseRun parses consecutive statements with one parser call and gives
// each chunk the statements that start inside it. It reports false, and
// changes nothing, when the run does not parse.
func (m *Module) parseRun(rw []byte, p Parser, run []*TopStmt) bool {
	start, _ := m.chunkText(rw, run[0].Chunk)
	_, end := m.chunkText(rw, run[len(run)-1].Chunk)
	if start != run[0].Start {
		return false
	}
	stmts, err := m.parseText(p, rw, start, end, run[0].Line)
	if err != nil {
		return false
	}
	i := 0
	for _, s := range stmts {
		off := s.Pos().Start
		for i+1 < len(run) && off >= run[i+1].Start {
			i++
		}
		run[i].Body = append(run[i].Body, s)
	}
	for _, ts := range run {
		for _, s := range ts.Body {
			m.finishStmt(s)
		}
		m.upgrade(ts.Body, rw, p)
	}
	return true
}

// parseText parses rw[start:end], which starts on line firstLine. A
// parser that takes tokens is given the file's when no rewrite touches
// the text (its tokens are then the text's).
func (m *Module) parseText(p Parser, rw []byte, start, end, firstLine int) ([]Stmt, error) {
	offset := m.offsets(start, firstLine)
	if tp, ok := p.(tokenParser); ok && len(m.Rewritten(start, end)) == 0 {
		return tp.parseTokens(rw[start:end], m.Tokens[m.tokenAt(start):m.tokenAt(end)], start, offset)
	}
	return p.ParseStatement(rw[start:end], offset)
}

// parseOne parses one statement; when it does not parse, it is reported
// as not analysed, keeping the name it assigns when there is one.
func (m *Module) parseOne(rw []byte, p Parser, ts *TopStmt) {
	c := ts.Chunk
	textStart, textEnd := m.chunkText(rw, c)
	stmts, err := m.parseText(p, rw, textStart, textEnd, c.Line)
	if ne, ok := err.(*NestingError); ok {
		m.nestedTooDeep(ts, ne.Offset)
		return
	}
	if err != nil {
		msg := err.Error()
		line := c.Line
		if se, ok := err.(*SyntaxError); ok && se.Line >= 1 {
			line = c.Line + se.Line - 1
		}
		ts.Err = m.describe(c, msg)
		if a := m.fallbackAssign(c, "syntax the parser does not support"); a != nil {
			// The statement assigns a name; only its value is unknown.
			ts.Body = []Stmt{a}
			m.notAnalysed(c, line, ts.Err+"; the value of "+a.Targets[0].(*Name).ID+" is unknown")
			return
		}
		m.notAnalysed(c, line, ts.Err)
		return
	}
	ts.Body = stmts
	for _, s := range stmts {
		m.finishStmt(s)
	}
	m.upgrade(ts.Body, rw, p)
}

// textEnd is the offset of the end of the chunk's last token that is not
// a newline (a comment or continuation included).
func (m *Module) textEnd(c Chunk) int {
	end := c.End
	for i := c.First; i <= c.Last && i < len(m.Tokens); i++ {
		if t := m.Tokens[i]; t.Kind != TokNewline && t.End > end {
			end = t.End
		}
	}
	return end
}

func (m *Module) chunkProblem(c Chunk) string {
	for i := c.First; i <= c.Last && i < len(m.Tokens); i++ {
		t := m.Tokens[i]
		if t.Kind == TokString && t.Unterminated {
			return "unterminated string"
		}
		if t.Kind == TokError {
			return fmt.Sprintf("unexpected character %q", m.File.Content[t.Start:t.End])
		}
	}
	return ""
}

// describe explains why a statement did not parse, naming the newer
// syntax it uses when one is recognisable.
func (m *Module) describe(c Chunk, msg string) string {
	src := m.File.Content
	for i := c.First; i <= c.Last && i < len(m.Tokens); i++ {
		t := m.Tokens[i]
		text := string(src[t.Start:t.End])
		switch {
		case t.Kind == TokName && (text == "match" || text == "case") && t.LineStart && i+1 <= c.Last && m.Tokens[i+1].Kind != TokOp:
			return "not analysed: match statement (Python 3.10) is not supported"
		case t.Kind == TokOp && (text == "**" || text == "*") && i > c.First:
			prev := string(src[m.Tokens[i-1].Start:m.Tokens[i-1].End])
			if prev == "{" || prev == "[" || prev == "," && m.Tokens[i].Depth > 0 && m.enclosing(i) != '(' {
				return "not analysed: unpacking in a display (Python 3.5) is not supported"
			}
		case t.Kind == TokOp && text == "/" && i > c.First && i+1 <= c.Last && (string(src[m.Tokens[i+1].Start:m.Tokens[i+1].End]) == "," || string(src[m.Tokens[i+1].Start:m.Tokens[i+1].End]) == ")"):
			return "not analysed: positional-only parameters (Python 3.8) are not supported"
		case t.Kind == TokString && t.Prefix > 0 && prefixHas(src[t.Start:t.bodyStart()], 'f') && strings.Count(string(src[t.bodyStart():t.End]), string(src[t.bodyStart()])) > 2:
			if !strings.HasPrefix(string(src[t.bodyStart():t.End]), `"""`) && !strings.HasPrefix(string(src[t.bodyStart():t.End]), `'''`) {
				return "not analysed: f-string with nested quotes (Python 3.12) is not supported"
			}
		}
	}
	return "not analysed: " + msg
}

// enclosing returns the bracket that encloses token i, or 0.
func (m *Module) enclosing(i int) byte {
	d := m.Tokens[i].Depth
	for j := i - 1; j >= 0; j-- {
		if m.Tokens[j].Depth < d {
			return m.File.Content[m.Tokens[j].Start]
		}
	}
	return 0
}

// nestedTooDeep reports a statement that nests deeper than MaxNesting at
// offset off as E006; the name it assigns, when there is one, is bound to
// an unknown value.
func (m *Module) nestedTooDeep(ts *TopStmt, off int) {
	ts.Err = "not analysed: " + tooDeepMessage
	detail := "What this statement sets is unknown."
	if a := m.fallbackAssign(ts.Chunk, tooDeepMessage); a != nil {
		ts.Body = []Stmt{a}
		detail = "The value of " + a.Targets[0].(*Name).ID + " is unknown."
	}
	end := off
	if i := m.tokenContaining(off); i < len(m.Tokens) && m.Tokens[i].Start == off {
		end = m.Tokens[i].End
	}
	m.Problems = append(m.Problems, source.Problem{Kind: source.ProblemTooDeep, Range: m.File.Range(off, end), Message: ts.Err, Detail: detail})
}

func (m *Module) notAnalysed(c Chunk, line int, reason string) {
	if !strings.HasPrefix(reason, "not analysed") {
		reason = "not analysed: " + reason
	}
	start := m.lines.LineStart(line)
	if line == c.Line {
		start = c.Start
	}
	m.Problems = append(m.Problems, source.Problem{
		Kind:    source.ProblemNotAnalysed,
		Range:   m.File.Range(start, m.lines.LineEnd(line)),
		Message: reason + "; what this statement sets is unknown",
	})
}

// tokenAt returns the index of the first token starting at or after off.
func (m *Module) tokenAt(off int) int {
	return sort.Search(len(m.Tokens), func(i int) bool { return m.Tokens[i].Start >= off })
}

// tokenContaining returns the index of the token that contains off, or
// of the first token after it.
func (m *Module) tokenContaining(off int) int {
	lo, hi := 0, len(m.Tokens) // sort.Search's, without a call per step
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.Tokens[mid].End > off {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// significant reports whether token i carries syntax (not a comment,
// newline or continuation).
func (m *Module) significant(i int) bool {
	k := m.Tokens[i].Kind
	return k != TokComment && k != TokNewline && k != TokContinue
}

// nextJoined returns the next token on the same logical line, skipping
// comments and continuations (implicit string concatenation).
func (m *Module) nextJoined(i int) int {
	for i++; i < len(m.Tokens) && (m.Tokens[i].Kind == TokComment || m.Tokens[i].Kind == TokContinue); i++ {
	}
	return i
}

func (m *Module) nextSig(i int) int {
	for i++; i < len(m.Tokens) && !m.significant(i); i++ {
	}
	return i
}

func (m *Module) opAt(i int, op string) bool {
	return i >= 0 && i < len(m.Tokens) && m.Tokens[i].Kind == TokOp && string(m.File.Content[m.Tokens[i].Start:m.Tokens[i].End]) == op
}

// lastTokenBefore returns the index of the last significant token that
// ends at or before off.
func (m *Module) lastTokenBefore(off int) int {
	i := m.tokenContaining(off) - 1
	for i >= 0 && !m.significant(i) {
		i--
	}
	return i
}

// balance extends an end offset so that every bracket opened between start
// and end is closed.
func (m *Module) balance(start, end int) int {
	i := m.tokenAt(start)
	for ; i < len(m.Tokens) && m.Tokens[i].Start < end; i++ {
		if j := m.partner(i); j > i && m.Tokens[j].End > end {
			end = m.Tokens[j].End
		}
	}
	return end
}

func (m *Module) finishStmt(s Stmt) {
	for e := range stmtExprs(s) {
		m.finishExpr(e)
	}
	end := 0
	for e := range stmtExprs(s) {
		if e != nil && e.Pos().End > end {
			end = e.Pos().End
		}
	}
	for _, body := range Bodies(s) {
		for _, b := range body {
			m.finishStmt(b)
			if b.Pos().End > end {
				end = b.Pos().End
			}
		}
	}
	if t, ok := s.(*Try); ok {
		for i := range t.Handlers {
			h := &t.Handlers[i]
			h.End = h.Start
			for _, b := range h.Body {
				if b.Pos().End > h.End {
					h.End = b.Pos().End
				}
			}
		}
	}
	sp := spanOf(s)
	switch s.(type) {
	case *Import, *ImportFrom, *OtherStmt, *Return, *Delete:
		// to the end of the simple statement: the last token before a
		// newline or a ";" at the statement's depth
		i := m.tokenAt(sp.Start)
		last := i
		for j := i; j < len(m.Tokens); j++ {
			t := m.Tokens[j]
			if t.Kind == TokNewline || t.Kind == TokOp && t.Depth == m.Tokens[i].Depth && m.File.Content[t.Start] == ';' {
				break
			}
			if m.significant(j) {
				last = j
			}
		}
		if last < len(m.Tokens) && m.Tokens[last].End > end {
			end = m.Tokens[last].End
		}
	}
	if end < sp.Start {
		end = sp.Start
	}
	sp.End = end
}

// spanOf returns a pointer to the span embedded in a statement.
func spanOf(n Node) *Span {
	switch x := n.(type) {
	case *Assign:
		return &x.Span
	case *AugAssign:
		return &x.Span
	case *ExprStmt:
		return &x.Span
	case *If:
		return &x.Span
	case *Try:
		return &x.Span
	case *Loop:
		return &x.Span
	case *With:
		return &x.Span
	case *Import:
		return &x.Span
	case *ImportFrom:
		return &x.Span
	case *FuncDef:
		return &x.Span
	case *ClassDef:
		return &x.Span
	case *Return:
		return &x.Span
	case *Delete:
		return &x.Span
	case *OtherStmt:
		return &x.Span
	case *Name:
		return &x.Span
	case *Const:
		return &x.Span
	case *SeqExpr:
		return &x.Span
	case *DictExpr:
		return &x.Span
	case *Attribute:
		return &x.Span
	case *Subscript:
		return &x.Span
	case *Call:
		return &x.Span
	case *BinOp:
		return &x.Span
	case *UnaryOp:
		return &x.Span
	case *BoolOp:
		return &x.Span
	case *Compare:
		return &x.Span
	case *IfExp:
		return &x.Span
	case *Opaque:
		return &x.Span
	case *NamedExpr:
		return &x.Span
	case *JoinedStr:
		return &x.Span
	case *FormattedValue:
		return &x.Span
	case *Match:
		return &x.Span
	}
	return &Span{}
}

// finishExpr computes the end offsets of e and its children and the
// values of its literals from the original tokens.
func (m *Module) finishExpr(e Expr) {
	if e == nil {
		return
	}
	sp := spanOf(e)
	i := m.tokenContaining(sp.Start)
	if i >= len(m.Tokens) {
		return
	}
	if m.Tokens[i].Kind == TokString {
		sp.Start = m.Tokens[i].Start // the parser saw the quote, the f prefix was blanked
	}
	tokEnd := m.Tokens[i].End
	src := m.File.Content
	end := tokEnd
	switch x := e.(type) {
	case *Name:
	case *Const:
		t := m.Tokens[i]
		switch t.Kind {
		case TokNumber:
			if v, ok := decodeNumberToken(string(src[t.Start:t.End])); ok {
				x.Value = v
			} else if t.End-t.Start > maxIntDigits {
				x.Value, x.Reason = nil, fmt.Sprintf("integer literal of more than %d digits", maxIntDigits)
			} else {
				x.Value, x.Reason = nil, "number literal not understood"
			}
		case TokString:
			// adjacent literals are joined; a single one is its own value
			var sb strings.Builder
			single, parts := "", 0
			isBytes := false
			reason := ""
			j := i
			for ; j < len(m.Tokens); j = m.nextJoined(j) {
				t := m.Tokens[j]
				if t.Kind != TokString {
					break
				}
				v, b, r := decodeStringToken(string(src[t.Start:t.End]))
				if r != "" && reason == "" {
					reason = r
				}
				isBytes = b
				if parts++; parts == 1 {
					single = v
				} else {
					if parts == 2 {
						sb.WriteString(single)
					}
					sb.WriteString(v)
				}
				end = t.End
			}
			if parts > 1 {
				single = sb.String()
			}
			switch {
			case reason != "":
				x.Value, x.Reason = nil, reason
			case isBytes:
				x.Value = Bytes(single)
			default:
				x.Value = Str(single)
			}
		}
	case *SeqExpr:
		for _, el := range x.Elts {
			m.finishExpr(el)
			end = max(end, el.Pos().End)
		}
		if m.partner(i) > i {
			end = max(end, m.Tokens[m.partner(i)].End)
		}
		if x.Type == Tuple && len(x.Elts) > 0 {
			// a trailing comma belongs to an unparenthesized tuple
			if j := m.nextSig(m.lastTokenBefore(end)); m.opAt(j, ",") {
				end = m.Tokens[j].End
			}
		}
	case *DictExpr:
		for k := range x.Keys {
			m.finishExpr(x.Keys[k])
			m.finishExpr(x.Values[k])
		}
		if m.partner(i) > i {
			end = m.Tokens[m.partner(i)].End
		}
	case *Attribute:
		m.finishExpr(x.Value)
		if x.Value != nil {
			sp.Start = x.Value.Pos().Start
		}
		j := m.nextSig(m.lastTokenBefore(m.balance(x.Value.Pos().Start, x.Value.Pos().End)))
		for j < len(m.Tokens) && !(m.Tokens[j].Kind == TokName && string(src[m.Tokens[j].Start:m.Tokens[j].End]) == x.Attr) {
			j = m.nextSig(j)
		}
		if j < len(m.Tokens) {
			end = m.Tokens[j].End
		}
	case *Subscript:
		m.finishExpr(x.Value)
		if x.Value != nil {
			sp.Start = x.Value.Pos().Start
		}
		m.finishExpr(x.Index)
		j := m.trailerAfter(x.Value)
		if m.opAt(j, "[") && m.partner(j) > j {
			end = m.Tokens[m.partner(j)].End
		}
	case *Call:
		m.finishExpr(x.Func)
		if x.Func != nil {
			sp.Start = x.Func.Pos().Start
		}
		for _, a := range x.Args {
			m.finishExpr(a)
		}
		for k := range x.Keywords {
			m.finishExpr(x.Keywords[k].Value)
			kw := &x.Keywords[k]
			kw.End = x.Keywords[k].Value.Pos().End
			// the keyword starts at its name: the NAME before "=" before the value
			if vi := m.tokenAt(kw.Value.Pos().Start); vi >= 2 && m.opAt(vi-1, "=") {
				kw.Start = m.Tokens[vi-2].Start
			}
		}
		m.finishExpr(x.Star)
		m.finishExpr(x.DStar)
		j := m.trailerAfter(x.Func)
		if m.opAt(j, "(") && m.partner(j) > j {
			end = m.Tokens[m.partner(j)].End
		}
	case *BinOp:
		m.finishExpr(x.Left)
		m.finishExpr(x.Right)
		end = m.balance(sp.Start, x.Right.Pos().End)
	case *UnaryOp:
		m.finishExpr(x.X)
		end = m.balance(sp.Start, x.X.Pos().End)
	case *BoolOp:
		for _, v := range x.Values {
			m.finishExpr(v)
		}
		end = m.balance(sp.Start, x.Values[len(x.Values)-1].Pos().End)
	case *Compare:
		m.finishExpr(x.Left)
		for _, r := range x.Rights {
			m.finishExpr(r)
		}
		end = m.balance(sp.Start, x.Rights[len(x.Rights)-1].Pos().End)
		for _, rw := range m.Rewritten(sp.Start, end) {
			if rw.Kind == RewriteWalrus && rw.Start >= sp.Start && rw.Start < end && m.Tokens[m.tokenAt(rw.Start)].Depth == 0 {
				x.Walrus = true
			}
		}
	case *IfExp:
		m.finishExpr(x.Test)
		m.finishExpr(x.Body)
		m.finishExpr(x.Else)
		end = m.balance(sp.Start, x.Else.Pos().End)
	case *Opaque:
		for _, s := range x.Subs {
			m.finishExpr(s)
			end = max(end, s.Pos().End)
		}
		if m.partner(i) > i {
			end = max(end, m.Tokens[m.partner(i)].End)
		}
		end = m.balance(sp.Start, end)
	}
	sp.End = end
}

// trailerAfter is the index of the token that opens the call's or
// subscript's trailer after e: the next significant token past e, with
// the brackets closing around e skipped ("(f)(x)": e's span is the name
// alone) and a blanked "await" ("f await (x)" is parsed as "f(x)").
// Without the skips the end would fall back to the token at the node's
// start, which is wherever the parser put it, even before the start.
func (m *Module) trailerAfter(e Expr) int {
	j := m.nextSig(m.lastTokenBefore(m.balance(e.Pos().Start, e.Pos().End)))
	for j < len(m.Tokens) {
		t := m.Tokens[j]
		closesAround := m.partner(j) >= 0 && m.partner(j) < j && m.Tokens[m.partner(j)].Start < e.Pos().Start
		if !closesAround && !(t.Kind == TokName && m.blankedAwait(t)) {
			break
		}
		j = m.nextSig(j)
	}
	return j
}

// blankedAwait reports whether t is an "await" the rewrite blanked.
func (m *Module) blankedAwait(t Token) bool {
	for _, rw := range m.Rewritten(t.Start, t.End) {
		if rw.Kind == RewriteAsync && rw.Start == t.Start && string(m.File.Content[t.Start:t.End]) == "await" {
			return true
		}
	}
	return false
}

// Rewritten reports the rewrites that touch [start, end). It is asked
// about every statement and expression, so it searches rather than scans.
func (m *Module) Rewritten(start, end int) []Rewrite {
	// Candidates start before end; of those, the ones at or after the
	// first whose running End passes start.
	hi := sort.Search(len(m.Rewrites), func(i int) bool { return m.Rewrites[i].Start >= end })
	lo := sort.Search(hi, func(i int) bool { return m.rewriteEnds[i] > start })
	var out []Rewrite
	for _, r := range m.Rewrites[lo:hi] {
		if r.End > start {
			out = append(out, r)
		}
	}
	return out
}

// Range returns the source range of a node.
func (m *Module) Range(n Node) source.Range {
	s := n.Pos()
	return m.File.Range(s.Start, s.End)
}

// Text returns the source text of a node.
func (m *Module) Text(n Node) string {
	s := n.Pos()
	if s.Start < 0 || s.End > len(m.File.Content) || s.End < s.Start {
		return ""
	}
	return string(m.File.Content[s.Start:s.End])
}

// partner is the index of the bracket token matching token i, -1 when
// token i is not a matched bracket.
func (m *Module) partner(i int) int { return int(m.match[i]) }

// AllStmts returns the parsed top-level statements in order.
func (m *Module) AllStmts() []Stmt {
	n := 0
	for _, t := range m.Stmts {
		n += len(t.Body)
	}
	out := make([]Stmt, 0, n)
	for _, t := range m.Stmts {
		out = append(out, t.Body...)
	}
	return out
}

// fallbackAssign recognises "NAME = <value>" in a statement the parser
// rejected, so that the name is still known to be assigned (to an unknown
// value).
func (m *Module) fallbackAssign(c Chunk, why string) *Assign {
	src := m.File.Content
	first := c.First
	if first >= len(m.Tokens) || m.Tokens[first].Kind != TokName || pyKeywords[string(src[m.Tokens[first].Start:m.Tokens[first].End])] {
		return nil
	}
	eq := m.nextSig(first)
	if !m.opAt(eq, "=") {
		return nil
	}
	valStart := m.nextSig(eq)
	if valStart > c.Last || valStart >= len(m.Tokens) {
		return nil
	}
	// one statement only: no ";" at depth 0 and no further "NAME =" chain
	for i := valStart; i <= c.Last && i < len(m.Tokens); i++ {
		if t := m.Tokens[i]; t.Kind == TokOp && t.Depth == 0 && (src[t.Start] == ';' || string(src[t.Start:t.End]) == "=") {
			return nil
		}
	}
	t0 := m.Tokens[first]
	name := &Name{Span: Span{t0.Start, t0.End}, ID: string(src[t0.Start:t0.End])}
	val := &Opaque{Span: Span{m.Tokens[valStart].Start, c.End}, What: why}
	return &Assign{Span: Span{t0.Start, c.End}, Targets: []Expr{name}, Value: val}
}
