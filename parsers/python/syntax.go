package python

import (
	"bytes"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Syntax newer than the parser's grammar (Python 3.4): match statements,
// assignment expressions and f-strings. The same-length rewrites
// (rewrite.go) make the statement parse; upgrade then turns the parsed
// tree into the nodes the source really has, reading patterns, guards and
// f-string fields from the original text. CPython's ast is the oracle
// (syntax_test.go).

// matchBlock is a match statement found in the tokens: the "match"
// token and its case clauses.
type matchBlock struct {
	match int
	cases []Rewrite
}

// caseHeads returns the offsets of the "case" keywords of match
// statements, which the annotation rewrite must leave alone ("case [a]:"
// looks like an annotated subscript).
func caseHeads(blocks []matchBlock) map[int]bool {
	out := map[int]bool{}
	for _, b := range blocks {
		for _, c := range b.cases {
			out[c.Start] = true
		}
	}
	return out
}

// rewriteMatches rewrites the headers of the match statements found: the
// soft keyword "match" becomes "with " and each "case PATTERN [if
// GUARD]:" becomes "if   1 ...:" with the rest of the header blanked.
func rewriteMatches(out []byte, toks []Token, blocks []matchBlock) []Rewrite {
	var rws []Rewrite
	for _, b := range blocks {
		pre := append([]byte(nil), out...)
		ok := true
		for i := range b.cases {
			c := &b.cases[i]
			if c.Guard >= 0 {
				c.GuardText = pre[c.Guard+len("if") : c.End]
			}
			if !blankAnnotation(out, c.Pattern, c.End) {
				ok = false
				break
			}
			copy(out[c.Start:], "if  ")
			out[c.Pattern] = '1'
		}
		if !ok {
			copy(out, pre) // leave the statement as written: it is reported as not analysed
			continue
		}
		t := toks[b.match]
		copy(out[t.Start:], "with ")
		rws = append(rws, Rewrite{Kind: RewriteMatch, Start: t.Start, End: t.End})
		rws = append(rws, b.cases...)
	}
	return rws
}

// findMatches finds the match statements of a module by their tokens: a
// logical line that starts with the soft keyword "match", ends with ":"
// and is followed by an indented "case".
func findMatches(src []byte, toks []Token) []matchBlock {
	var blocks []matchBlock
	text := func(i int) string { return string(src[toks[i].Start:toks[i].End]) }
	sig := func(i int) bool {
		k := toks[i].Kind
		return k != TokComment && k != TokContinue && k != TokNewline
	}
	// lineEnd returns the index of the newline token that ends the
	// logical line starting at i (or len(toks)).
	lineEnd := func(i int) int {
		for ; i < len(toks) && toks[i].Kind != TokNewline; i++ {
		}
		return i
	}
	nextSig := func(i, end int) int {
		for i++; i < end && !sig(i); i++ {
		}
		return i
	}
	lastSig := func(from, end int) int {
		for j := end - 1; j > from; j-- {
			if sig(j) {
				return j
			}
		}
		return from
	}
	col := func(off int) int {
		c := 0
		for off-c-1 >= 0 && src[off-c-1] != '\n' && src[off-c-1] != '\r' {
			c++
		}
		return c
	}
	for i, t := range toks {
		if t.Kind != TokName || !t.LineStart || text(i) != "match" {
			continue
		}
		end := lineEnd(i)
		j := nextSig(i, end)
		if j >= end || toks[j].Kind == TokOp && strings.Contains("=.:,)]};", text(j)) && text(j) != "" {
			continue // match = 1, match.x, match: int
		}
		colon := lastSig(i, end)
		if toks[colon].Kind != TokOp || text(colon) != ":" || toks[colon].Depth != t.Depth {
			continue
		}
		// The block must open with a case clause.
		first := nextSig(end, len(toks))
		if first >= len(toks) || toks[first].Kind != TokName || !toks[first].LineStart || text(first) != "case" {
			continue
		}
		caseCol := col(toks[first].Start)
		if caseCol <= col(t.Start) {
			continue
		}
		var cases []Rewrite
		ok := true
		for k := first; k < len(toks) && toks[k].Kind == TokName && toks[k].LineStart && text(k) == "case" && col(toks[k].Start) == caseCol; {
			lend := lineEnd(k)
			pat := nextSig(k, lend)
			hdr, guard := -1, -1
			for q := pat; q < lend; q = nextSig(q, lend) {
				if toks[q].Depth != toks[k].Depth {
					continue
				}
				if toks[q].Kind == TokName && text(q) == "if" && guard < 0 {
					guard = q
				}
				if toks[q].Kind == TokOp && text(q) == ":" {
					hdr = q
					break
				}
			}
			if pat >= lend || hdr < 0 || pat == hdr || guard == pat {
				ok = false
				break
			}
			rw := Rewrite{Kind: RewriteCase, Start: toks[k].Start, End: toks[hdr].Start, Pattern: toks[pat].Start, Guard: -1}
			if guard >= 0 {
				rw.Guard = toks[guard].Start
			}
			cases = append(cases, rw)
			// the next clause at the same column: skip the body
			k = nextSig(lend, len(toks))
			for k < len(toks) && !(toks[k].LineStart && col(toks[k].Start) <= caseCol) {
				k = nextSig(lineEnd(k), len(toks))
			}
		}
		if ok && len(cases) > 0 {
			blocks = append(blocks, matchBlock{match: i, cases: cases})
		}
	}
	return blocks
}

// upgrade turns the parsed statements back into the syntax the source
// has: match statements, assignment expressions, f-strings. Each of them
// left a rewrite (an f-string its RewriteFString), so a module without
// rewrites has nothing to upgrade.
func (m *Module) upgrade(stmts []Stmt, rw []byte, p Parser) {
	if len(m.Rewrites) == 0 {
		return
	}
	u := &upgrader{m: m, rw: rw, p: p}
	u.stmts(stmts)
}

type upgrader struct {
	m  *Module
	rw []byte
	p  Parser
}

func (u *upgrader) stmts(list []Stmt) {
	for i, s := range list {
		if w, ok := s.(*With); ok {
			if ms := u.match(w); ms != nil {
				list[i] = ms
				s = ms
			}
		}
		mapStmtExprs(s, u.expr)
		switch x := s.(type) {
		case *If:
			x.Test = u.headerWalrus(x.Test)
		case *Loop:
			if !x.For {
				x.Iter = u.headerWalrus(x.Iter)
			}
		}
		for _, b := range Bodies(s) {
			u.stmts(b)
		}
	}
}

// rewriteAt returns the rewrite of kind k that starts at off.
func (u *upgrader) rewriteAt(k RewriteKind, off int) *Rewrite {
	for i := range u.m.Rewrites {
		r := &u.m.Rewrites[i]
		if r.Start == off && r.Kind == k {
			return r
		}
		if r.Start > off {
			break
		}
	}
	return nil
}

// match turns a with statement that was a match statement into one.
func (u *upgrader) match(w *With) *Match {
	if u.rewriteAt(RewriteMatch, w.Start) == nil || len(w.Vars) > 0 {
		return nil
	}
	ms := &Match{Span: w.Span}
	if len(w.Items) == 1 {
		ms.Subject = w.Items[0]
	} else if len(w.Items) > 1 {
		ms.Subject = &SeqExpr{Span: Span{w.Items[0].Pos().Start, w.Items[len(w.Items)-1].Pos().End}, Type: Tuple, Elts: w.Items}
	}
	for _, s := range w.Body {
		st, ok := s.(*If)
		if !ok {
			return nil
		}
		r := u.rewriteAt(RewriteCase, st.Start)
		if r == nil || len(st.Else) > 0 {
			return nil
		}
		c := MatchCase{Span: st.Span, Body: st.Body}
		patEnd := r.End
		if r.Guard >= 0 {
			patEnd = r.Guard
			if g, ok := u.parseExpr(r.GuardText, r.Guard+len("if")); ok {
				c.Guard = g
			} else {
				c.Guard = &Opaque{Span: Span{r.Guard, r.End}, What: "guard the parser does not read"}
			}
		}
		c.Pattern = u.m.parsePattern(r.Pattern, patEnd)
		ms.Cases = append(ms.Cases, c)
	}
	return ms
}

// parseExpr parses text, found at file offset off, as one expression.
func (u *upgrader) parseExpr(text []byte, off int) (Expr, bool) {
	// Parenthesised, as Python reads a field or a guard: the value may
	// span lines; the parenthesis is not in the file, so columns on the
	// first line shift back by one.
	line := u.m.lines.Pos(off).Line
	base := u.m.offsets(off, line)
	wrapped := make([]byte, 0, len(text)+3)
	wrapped = append(append(append(wrapped, '('), text...), ")\n"...)
	stmts, err := u.p.ParseStatement(wrapped, func(l, c int) int {
		if l <= 1 {
			c--
		}
		return base(l, c)
	})
	if err != nil || len(stmts) != 1 {
		return nil, false
	}
	es, ok := stmts[0].(*ExprStmt)
	if !ok || es.X == nil {
		return nil, false
	}
	u.m.finishExpr(es.X)
	return u.expr(es.X), true
}

// parseField parses the expression of an f-string field, found at file
// offset off. The field is inside a string token, so it is tokenized,
// rewritten and finished on its own, and its nodes moved to off.
func (u *upgrader) parseField(text []byte, off int) (Expr, bool) {
	wrapped := make([]byte, 0, len(text)+3)
	wrapped = append(append(append(wrapped, '('), text...), ")\n"...)
	sub := &Module{File: source.NewFile(u.m.File.Path, wrapped)}
	sub.Tokens = Tokenize(wrapped)
	sub.match = matchBrackets(wrapped, sub.Tokens)
	rw, rws := rewriteSource(wrapped, sub.Tokens, sub.match)
	sub.Rewrites = rws
	stmts, err := u.p.ParseStatement(rw, sub.offsets(0, 1))
	if err != nil || len(stmts) != 1 {
		return nil, false
	}
	es, ok := stmts[0].(*ExprStmt)
	if !ok || es.X == nil {
		return nil, false
	}
	sub.finishExpr(es.X)
	e := (&upgrader{m: sub, rw: rw, p: u.p}).expr(es.X)
	shiftExpr(e, off-1)
	return e, true
}

// shiftExpr moves every node of e by delta bytes.
func shiftExpr(e Expr, delta int) {
	WalkExpr(e, func(x Expr) bool {
		sp := spanOf(x)
		sp.Start += delta
		sp.End += delta
		if c, ok := x.(*Call); ok {
			for i := range c.Keywords {
				c.Keywords[i].Start += delta
				c.Keywords[i].End += delta
			}
		}
		return true
	})
}

// expr upgrades an expression bottom up.
func (u *upgrader) expr(e Expr) Expr {
	if e == nil {
		return nil
	}
	mapExprChildren(e, u.expr)
	switch x := e.(type) {
	case *Const:
		if x.Value == nil && x.Reason == "f-string" {
			if js := u.fstring(x); js != nil {
				return js
			}
		}
	case *SeqExpr:
		x.Elts = u.mergeWalrus(x.Elts)
		if x.Type == Tuple && len(x.Elts) == 1 {
			if ne, ok := x.Elts[0].(*NamedExpr); ok && !u.trailingComma(ne) {
				return ne // (x := v): parentheses, not a tuple
			}
		}
	case *Call:
		x.Args = u.mergeWalrus(x.Args)
	}
	return e
}

// mergeWalrus joins "x", "v" (from "x := v" rewritten to "x , v") into
// a NamedExpr.
func (u *upgrader) mergeWalrus(list []Expr) []Expr {
	var out []Expr
	for i := 0; i < len(list); i++ {
		n, ok := list[i].(*Name)
		if ok && i+1 < len(list) {
			if r := u.walrusAfter(n); r != nil && list[i+1].Pos().Start >= r.End {
				v := list[i+1]
				out = append(out, &NamedExpr{Span: Span{n.Start, v.Pos().End}, Target: n, Value: v})
				i++
				continue
			}
		}
		out = append(out, list[i])
	}
	return out
}

// walrusAfter returns the walrus rewrite right after a name.
func (u *upgrader) walrusAfter(n *Name) *Rewrite {
	i := u.m.tokenAt(n.End)
	for i < len(u.m.Tokens) && !u.m.significant(i) {
		i++
	}
	if i < len(u.m.Tokens) {
		return u.rewriteAt(RewriteWalrus, u.m.Tokens[i].Start)
	}
	return nil
}

func (u *upgrader) trailingComma(e Expr) bool {
	j := u.m.nextSig(u.m.lastTokenBefore(e.Pos().End))
	return j < len(u.m.Tokens) && u.m.Tokens[j].Start < len(u.rw) && string(u.m.File.Content[u.m.Tokens[j].Start:u.m.Tokens[j].End]) == ","
}

// headerWalrus restores "if x := v:" and "while x := v:", whose target
// and ":=" were blanked so that the test parsed as the value alone.
func (u *upgrader) headerWalrus(test Expr) Expr {
	if test == nil {
		return nil
	}
	m := u.m
	i := m.tokenContaining(test.Pos().Start)
	op := i - 1
	for op >= 0 && !m.significant(op) {
		op--
	}
	if op < 1 || m.Tokens[op].Depth != 0 || !m.opAt(op, ":=") || m.Tokens[op-1].Kind != TokName {
		return test
	}
	nt := m.Tokens[op-1]
	return &NamedExpr{Span: Span{nt.Start, test.Pos().End}, Target: &Name{Span: Span{nt.Start, nt.End}, ID: string(m.File.Content[nt.Start:nt.End])}, Value: test}
}

// mapEach and mapOne replace expressions in place with f of them.
func mapEach(list []Expr, f func(Expr) Expr) {
	for i, c := range list {
		if c != nil {
			list[i] = f(c)
		}
	}
}

func mapOne(c *Expr, f func(Expr) Expr) {
	if *c != nil {
		*c = f(*c)
	}
}

// mapExprChildren replaces each direct sub-expression c of e with f(c).
func mapExprChildren(e Expr, f func(Expr) Expr) {
	switch x := e.(type) {
	case *SeqExpr:
		mapEach(x.Elts, f)
	case *DictExpr:
		mapEach(x.Keys, f)
		mapEach(x.Values, f)
	case *Attribute:
		mapOne(&x.Value, f)
	case *Subscript:
		mapOne(&x.Value, f)
		mapOne(&x.Index, f)
	case *Call:
		mapOne(&x.Func, f)
		mapEach(x.Args, f)
		for i := range x.Keywords {
			mapOne(&x.Keywords[i].Value, f)
		}
		mapOne(&x.Star, f)
		mapOne(&x.DStar, f)
	case *BinOp:
		mapOne(&x.Left, f)
		mapOne(&x.Right, f)
	case *UnaryOp:
		mapOne(&x.X, f)
	case *BoolOp:
		mapEach(x.Values, f)
	case *Compare:
		mapOne(&x.Left, f)
		mapEach(x.Rights, f)
	case *IfExp:
		mapOne(&x.Test, f)
		mapOne(&x.Body, f)
		mapOne(&x.Else, f)
	case *Opaque:
		mapEach(x.Subs, f)
	case *NamedExpr:
		mapOne(&x.Value, f)
	case *JoinedStr:
		mapEach(x.Parts, f)
	case *FormattedValue:
		mapOne(&x.Value, f)
	}
}

// mapStmtExprs replaces each expression directly inside s (not in nested
// bodies) with f of it.
func mapStmtExprs(s Stmt, f func(Expr) Expr) {
	switch x := s.(type) {
	case *Assign:
		mapEach(x.Targets, f)
		mapOne(&x.Value, f)
	case *AugAssign:
		mapOne(&x.Target, f)
		mapOne(&x.Value, f)
	case *ExprStmt:
		mapOne(&x.X, f)
	case *If:
		mapOne(&x.Test, f)
	case *Loop:
		mapOne(&x.Target, f)
		mapOne(&x.Iter, f)
	case *With:
		mapEach(x.Items, f)
		mapEach(x.Vars, f)
	case *Return:
		mapOne(&x.Value, f)
	case *Delete:
		mapEach(x.Targets, f)
	case *OtherStmt:
		mapEach(x.Exprs, f)
	case *FuncDef:
		mapEach(x.Decorators, f)
		for i := range x.Params {
			mapOne(&x.Params[i].Default, f)
		}
	case *ClassDef:
		mapEach(x.Decorators, f)
		mapEach(x.Bases, f)
		for i := range x.Keywords {
			mapOne(&x.Keywords[i].Value, f)
		}
	case *Try:
		for i := range x.Handlers {
			mapOne(&x.Handlers[i].Type, f)
		}
	case *Match:
		mapOne(&x.Subject, f)
		for i := range x.Cases {
			mapOne(&x.Cases[i].Guard, f)
		}
	}
}

// fstring reads the f-string (with the strings implicitly concatenated to
// it) that c spans.
func (u *upgrader) fstring(c *Const) *JoinedStr {
	m := u.m
	js := &JoinedStr{Span: c.Span}
	var lit strings.Builder
	flush := func(at int) {
		if lit.Len() > 0 {
			js.Parts = append(js.Parts, &Const{Span: Span{at, at}, Value: Str(lit.String())})
			lit.Reset()
		}
	}
	for i := m.tokenContaining(c.Start); i < len(m.Tokens) && m.Tokens[i].Start < c.End; i = m.nextJoined(i) {
		t := m.Tokens[i]
		if t.Kind != TokString {
			break
		}
		tok := m.File.Content[t.Start:t.End]
		prefix := strings.ToLower(string(tok[:t.Prefix]))
		if !strings.Contains(prefix, "f") {
			v, isBytes, reason := decodeStringToken(string(tok))
			if reason != "" || isBytes {
				return nil
			}
			lit.WriteString(v)
			continue
		}
		body := tok[t.Prefix:]
		q := body[:1]
		if bytes.HasPrefix(body, []byte(`"""`)) || bytes.HasPrefix(body, []byte(`'''`)) {
			q = body[:3]
		}
		if len(body) < 2*len(q) || !bytes.HasSuffix(body, q) {
			return nil
		}
		innerStart := t.bodyStart() + len(q)
		inner := body[len(q) : len(body)-len(q)]
		raw := strings.Contains(prefix, "r")
		if !u.fparts(js, &lit, flush, inner, innerStart, raw, string(q)) {
			return nil
		}
	}
	flush(c.End)
	return js
}

// fparts reads the literal text and replacement fields of one f-string
// body (or format spec) into js.
func (u *upgrader) fparts(js *JoinedStr, lit *strings.Builder, flush func(int), inner []byte, at int, raw bool, q string) bool {
	decode := func(seg []byte) bool {
		if len(seg) == 0 {
			return true
		}
		pfx := ""
		if raw {
			pfx = "r"
		}
		v, _, reason := decodeStringToken(pfx + `"""` + string(seg) + `"""`)
		if reason != "" {
			return false
		}
		lit.WriteString(v)
		return true
	}
	segStart := 0
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c == '\\' && !raw {
			i++ // an escaped character is literal text
			continue
		}
		if c == '}' {
			if i+1 < len(inner) && inner[i+1] == '}' {
				if !decode(inner[segStart:i]) {
					return false
				}
				lit.WriteByte('}')
				i++
				segStart = i + 1
				continue
			}
			return false // a single } is a syntax error
		}
		if c != '{' {
			continue
		}
		if !decode(inner[segStart:i]) {
			return false
		}
		if i+1 < len(inner) && inner[i+1] == '{' {
			lit.WriteByte('{')
			i++
			segStart = i + 1
			continue
		}
		end, ok := u.field(js, lit, flush, inner, i, at, raw, q)
		if !ok {
			return false
		}
		i = end
		segStart = end + 1
	}
	return decode(inner[segStart:])
}

// field reads the replacement field that opens at inner[open] and returns
// the index of its closing brace.
func (u *upgrader) field(js *JoinedStr, lit *strings.Builder, flush func(int), inner []byte, open, at int, raw bool, q string) (int, bool) {
	depth := 0
	exprEnd, conv, specStart, end := -1, byte(0), -1, -1
	for j := open + 1; j < len(inner) && end < 0; j++ {
		c := inner[j]
		switch {
		case c == '\'' || c == '"':
			// a string inside the expression: to its closing quote
			k := j + 1
			for k < len(inner) && inner[k] != c {
				if inner[k] == '\\' {
					k++
				}
				k++
			}
			j = k
		case c == '(' || c == '[' || c == '{':
			depth++
		case (c == ')' || c == ']' || c == '}') && depth > 0:
			depth--
		case c == '}':
			if exprEnd < 0 {
				exprEnd = j
			}
			end = j
		case depth == 0 && c == '!' && j+1 < len(inner) && inner[j+1] != '=' && exprEnd < 0:
			exprEnd = j
			if j+1 < len(inner) {
				conv = inner[j+1]
			}
			j++
		case depth == 0 && c == ':' && exprEnd < 0 || depth == 0 && c == ':' && conv != 0 && specStart < 0:
			if exprEnd < 0 {
				exprEnd = j
			}
			specStart = j + 1
			// the spec runs to the matching brace; nested fields inside
			n := 0
			k := j + 1
			for ; k < len(inner); k++ {
				if inner[k] == '{' {
					n++
				} else if inner[k] == '}' {
					if n == 0 {
						break
					}
					n--
				}
			}
			if k >= len(inner) {
				return 0, false
			}
			end = k
		}
	}
	if end < 0 || exprEnd <= open+1 {
		return 0, false
	}
	if conv != 0 && conv != 's' && conv != 'r' && conv != 'a' {
		return 0, false
	}
	exprText := inner[open+1 : exprEnd]
	// {x=}: the text, then the value's repr unless a conversion or spec is given
	trimmed := bytes.TrimRight(exprText, " \t\r\n")
	if n := len(trimmed); n > 0 && trimmed[n-1] == '=' && (n < 2 || !strings.ContainsRune("=!<>", rune(trimmed[n-2]))) {
		lit.Write(exprText)
		exprText = trimmed[:n-1]
		if conv == 0 && specStart < 0 {
			conv = 'r'
		}
	}
	flush(at + open)
	fv := &FormattedValue{Span: Span{at + open, at + end + 1}, Conversion: conv}
	if v, ok := u.parseField(exprText, at+open+1); ok {
		fv.Value = v
	} else {
		fv.Value = &Opaque{Span: Span{at + open + 1, at + exprEnd}, What: "f-string field the parser does not read"}
	}
	if specStart >= 0 {
		spec := &JoinedStr{Span: Span{at + specStart, at + end}}
		var sl strings.Builder
		sflush := func(p int) {
			if sl.Len() > 0 {
				spec.Parts = append(spec.Parts, &Const{Span: Span{p, p}, Value: Str(sl.String())})
				sl.Reset()
			}
		}
		if !u.fparts(spec, &sl, sflush, inner[specStart:end], at+specStart, raw, q) {
			return 0, false
		}
		sflush(at + end)
		fv.Spec = spec
	}
	js.Parts = append(js.Parts, fv)
	return end, true
}

// parsePattern reads the pattern of a case clause from the original
// tokens between start and end.
func (m *Module) parsePattern(start, end int) *Pattern {
	pp := &patParser{m: m, i: m.tokenAt(start), end: end}
	p := pp.patterns()
	if p == nil || pp.i < len(m.Tokens) && m.Tokens[pp.i].Start < end && m.significant(pp.i) {
		return &Pattern{Span: Span{start, end}, Kind: PatValue, Value: &Opaque{Span: Span{start, end}, What: "pattern the front end does not read"}}
	}
	return p
}

type patParser struct {
	m   *Module
	i   int
	end int
}

func (pp *patParser) skip() {
	for pp.i < len(pp.m.Tokens) && !pp.m.significant(pp.i) {
		pp.i++
	}
}

func (pp *patParser) peek() (Token, string, bool) {
	pp.skip()
	if pp.i >= len(pp.m.Tokens) || pp.m.Tokens[pp.i].Start >= pp.end {
		return Token{}, "", false
	}
	t := pp.m.Tokens[pp.i]
	return t, string(pp.m.File.Content[t.Start:t.End]), true
}

// name reads a NAME token.
func (pp *patParser) name() (Token, string, bool) {
	t, text, ok := pp.peek()
	if !ok || t.Kind != TokName {
		return t, "", false
	}
	pp.i++
	return t, text, true
}

func (pp *patParser) skipComma() {
	if pp.is(",") {
		pp.i++
	}
}

// closeAt reads the closing bracket of p, which opened at start.
func (pp *patParser) closeAt(p *Pattern, start int) *Pattern {
	pp.i++
	p.Span = Span{start, pp.lastEnd()}
	return p
}

func (pp *patParser) is(s string) bool {
	t, text, ok := pp.peek()
	return ok && text == s && (t.Kind == TokOp || t.Kind == TokName)
}

func (pp *patParser) lastEnd() int {
	j := pp.i - 1
	for j >= 0 && !pp.m.significant(j) {
		j--
	}
	if j < 0 {
		return 0
	}
	return pp.m.Tokens[j].End
}

// patterns reads a case clause's pattern: an open sequence ("a, b") or
// a single pattern.
func (pp *patParser) patterns() *Pattern {
	t, _, ok := pp.peek()
	if !ok {
		return nil
	}
	items, comma, ok := pp.items()
	if !ok || len(items) == 0 {
		return nil
	}
	if !comma {
		return items[0]
	}
	return &Pattern{Span: Span{t.Start, pp.lastEnd()}, Kind: PatSequence, Subs: items}
}

// items reads comma-separated patterns up to a closing bracket or the
// end; comma reports whether there was a comma.
func (pp *patParser) items() (items []*Pattern, comma, ok bool) {
	for {
		if _, _, more := pp.peek(); !more || pp.is(")") || pp.is("]") {
			return items, comma, true
		}
		p := pp.maybeStar()
		if p == nil {
			return nil, false, false
		}
		items = append(items, p)
		if !pp.is(",") {
			return items, comma, true
		}
		pp.i++
		comma = true
	}
}

func (pp *patParser) maybeStar() *Pattern {
	t, _, ok := pp.peek()
	if ok && pp.is("*") {
		pp.i++
		nt, name, ok := pp.name()
		if !ok {
			return nil
		}
		if name == "_" {
			name = ""
		}
		return &Pattern{Span: Span{t.Start, nt.End}, Kind: PatStar, Name: name}
	}
	return pp.asPattern()
}

func (pp *patParser) asPattern() *Pattern {
	t, _, _ := pp.peek()
	p := pp.orPattern()
	if p == nil {
		return nil
	}
	if pp.is("as") {
		pp.i++
		nt, name, ok := pp.name()
		if !ok {
			return nil
		}
		return &Pattern{Span: Span{t.Start, nt.End}, Kind: PatAs, Name: name, Subs: []*Pattern{p}}
	}
	return p
}

func (pp *patParser) orPattern() *Pattern {
	t, _, _ := pp.peek()
	p := pp.closed()
	if p == nil {
		return nil
	}
	if !pp.is("|") {
		return p
	}
	or := &Pattern{Span: Span{t.Start, 0}, Kind: PatOr, Subs: []*Pattern{p}}
	for pp.is("|") {
		pp.i++
		q := pp.closed()
		if q == nil {
			return nil
		}
		or.Subs = append(or.Subs, q)
	}
	or.End = pp.lastEnd()
	return or
}

func (pp *patParser) closed() *Pattern {
	t, text, ok := pp.peek()
	if !ok {
		return nil
	}
	switch {
	case t.Kind == TokString:
		c := &Const{Span: Span{t.Start, t.End}}
		pp.m.finishExpr(c)
		if c.Value == nil { // an f-string is no pattern
			return nil
		}
		for pp.i < len(pp.m.Tokens) && pp.m.Tokens[pp.i].Start < c.End {
			pp.i++
		}
		return &Pattern{Span: c.Span, Kind: PatValue, Value: c}
	case t.Kind == TokNumber || text == "-":
		return pp.number()
	case t.Kind == TokName && (text == "None" || text == "True" || text == "False"):
		pp.i++
		var v Object = NoneObj{}
		if text != "None" {
			v = Bool(text == "True")
		}
		return &Pattern{Span: Span{t.Start, t.End}, Kind: PatSingleton, Value: &Const{Span: Span{t.Start, t.End}, Value: v}}
	case t.Kind == TokName:
		var e Expr = &Name{Span: Span{t.Start, t.End}, ID: text}
		pp.i++
		dotted := false
		for pp.is(".") {
			pp.i++
			nt, attr, ok := pp.peek()
			if !ok || nt.Kind != TokName {
				return nil
			}
			pp.i++
			e = &Attribute{Span: Span{t.Start, nt.End}, Value: e, Attr: attr}
			dotted = true
		}
		if pp.is("(") {
			return pp.class(e, t.Start)
		}
		if dotted {
			return &Pattern{Span: e.Pos(), Kind: PatValue, Value: e}
		}
		if text == "_" {
			return &Pattern{Span: Span{t.Start, t.End}, Kind: PatAs}
		}
		return &Pattern{Span: Span{t.Start, t.End}, Kind: PatAs, Name: text}
	case text == "(" || text == "[":
		closer := map[string]string{"(": ")", "[": "]"}[text]
		pp.i++
		items, comma, ok := pp.items()
		if !ok || !pp.is(closer) {
			return nil
		}
		pp.i++
		if text == "(" && len(items) == 1 && !comma {
			return items[0] // a group
		}
		return &Pattern{Span: Span{t.Start, pp.lastEnd()}, Kind: PatSequence, Subs: items}
	case text == "{":
		return pp.mapping(t.Start)
	}
	return nil
}

func (pp *patParser) number() *Pattern {
	start := pp.i
	t, _, _ := pp.peek()
	neg := pp.is("-")
	if neg {
		pp.i++
	}
	nt, ntext, ok := pp.peek()
	if !ok || nt.Kind != TokNumber {
		pp.i = start
		return nil
	}
	pp.i++
	num := &Const{Span: Span{nt.Start, nt.End}}
	pp.m.finishExpr(num)
	var e Expr = num
	if neg {
		e = &UnaryOp{Span: Span{t.Start, nt.End}, Op: "-", X: num}
	}
	_ = ntext
	if pp.is("+") || pp.is("-") { // a complex literal: real ± imaginary
		op, _, _ := pp.peek()
		opText := string(pp.m.File.Content[op.Start:op.End])
		pp.i++
		it, itext, ok := pp.peek()
		if !ok || it.Kind != TokNumber || !strings.HasSuffix(strings.ToLower(itext), "j") {
			return nil
		}
		pp.i++
		im := &Const{Span: Span{it.Start, it.End}}
		pp.m.finishExpr(im)
		e = &BinOp{Span: Span{t.Start, it.End}, Op: opText, Left: e, Right: im}
	}
	return &Pattern{Span: e.Pos(), Kind: PatValue, Value: e}
}

func (pp *patParser) class(cls Expr, start int) *Pattern {
	pp.i++ // (
	p := &Pattern{Kind: PatClass, Class: cls}
	for !pp.is(")") {
		t, text, ok := pp.peek()
		if !ok {
			return nil
		}
		if t.Kind == TokName && pp.i+1 < len(pp.m.Tokens) {
			j := pp.m.nextSig(pp.i)
			if pp.m.opAt(j, "=") {
				pp.i = j + 1
				sub := pp.asPattern()
				if sub == nil {
					return nil
				}
				p.KwNames = append(p.KwNames, text)
				p.KwSubs = append(p.KwSubs, sub)
				pp.skipComma()
				continue
			}
		}
		if len(p.KwNames) > 0 {
			return nil // a positional pattern after a keyword one
		}
		sub := pp.asPattern()
		if sub == nil {
			return nil
		}
		p.Subs = append(p.Subs, sub)
		pp.skipComma()
	}
	return pp.closeAt(p, start)
}

func (pp *patParser) mapping(start int) *Pattern {
	pp.i++ // {
	p := &Pattern{Kind: PatMapping}
	for !pp.is("}") {
		if _, _, ok := pp.peek(); !ok {
			return nil
		}
		if pp.is("**") {
			pp.i++
			_, name, ok := pp.name()
			if !ok {
				return nil
			}
			p.Name = name
		} else {
			key := pp.closed()
			if key == nil || key.Kind != PatValue && key.Kind != PatSingleton || !pp.is(":") {
				return nil
			}
			pp.i++
			sub := pp.asPattern()
			if sub == nil {
				return nil
			}
			p.Keys = append(p.Keys, key.Value)
			p.Subs = append(p.Subs, sub)
		}
		pp.skipComma()
	}
	return pp.closeAt(p, start)
}

// joined evaluates an f-string whose fields are known: strings, integers,
// booleans and None, converted as str() or repr() does, without a format
// spec.
func (ev *Evaluator) joined(x *JoinedStr, ns *Namespace, r source.Range) *Value {
	var sb strings.Builder
	for _, p := range x.Parts {
		switch y := p.(type) {
		case *Const:
			s, _ := y.Value.(Str)
			sb.WriteString(string(s))
		case *FormattedValue:
			if y.Spec != nil && len(y.Spec.Parts) > 0 {
				return UnknownValue("f-string field with a format spec", r)
			}
			v := ev.expr(y.Value, ns)
			if !v.IsKnown() {
				return UnknownValue("f-string field: "+v.String(), r)
			}
			s, ok := fieldText(v.Obj, y.Conversion)
			if !ok {
				return UnknownValue("f-string field of type "+v.Obj.pyType(), r)
			}
			sb.WriteString(s)
		}
	}
	return KnownValue(Str(sb.String()), r)
}

// fieldText is format(o) after the conversion, for the types whose text is
// exact here.
func fieldText(o Object, conv byte) (string, bool) {
	if conv == 'r' || conv == 'a' {
		switch o.(type) {
		case Str, Int, Bool, NoneObj:
			s := Repr(o)
			if conv == 'a' && !isASCII(s) {
				return "", false
			}
			return s, true
		}
		return "", false
	}
	switch v := o.(type) {
	case Str:
		return string(v), true
	case Int, Bool, NoneObj:
		return Repr(v), true
	}
	return "", false
}

// match evaluates a match statement: any case, or none, may run.
func (ev *Evaluator) match(x *Match, ns *Namespace) {
	branches := []*Namespace{ns.fork()}
	for _, c := range x.Cases {
		b := ns.fork()
		for _, name := range c.Pattern.Names() {
			b.set(&Binding{Name: name, Value: UnknownValue("bound by a case pattern", ev.rng(c.Pattern)), Target: ev.rng(c.Pattern), Stmt: ev.rng(x)})
		}
		ev.stmts(c.Body, b)
		branches = append(branches, b)
	}
	merge(ns, branches...)
}

// Names returns the names a pattern binds.
func (p *Pattern) Names() []string {
	if p == nil {
		return nil
	}
	var out []string
	if p.Name != "" && (p.Kind == PatAs || p.Kind == PatStar || p.Kind == PatMapping) {
		out = append(out, p.Name)
	}
	for _, s := range p.Subs {
		out = append(out, s.Names()...)
	}
	for _, s := range p.KwSubs {
		out = append(out, s.Names()...)
	}
	return out
}
