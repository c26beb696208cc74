package python

import (
	"bytes"
	"sort"
)

// RewriteKind names a same-length rewrite of newer syntax into syntax the
// parser understands.
type RewriteKind uint8

// Rewrites. Each keeps every byte offset of the file unchanged.
const (
	// RewriteFString blanks the f of an f-string prefix; the literal's value
	// becomes unknown.
	RewriteFString RewriteKind = iota + 1
	// RewriteAnnotation blanks ": TYPE" of an annotated assignment.
	RewriteAnnotation
	// RewriteWalrus turns ":=" into "," inside brackets (a tuple or an
	// argument list, which keeps the value's precedence); in an if or
	// while header, where the assignment is the whole test, it blanks the
	// target and ":=". The parsed tree is then turned back into a
	// NamedExpr (Module.upgrade).
	RewriteWalrus
	// RewriteDigits removes "_" from a number and pads it with spaces.
	RewriteDigits
	// RewriteStarComma blanks the trailing comma after *args or **kwargs.
	RewriteStarComma
	// RewriteAsync turns "async def/for/with" into "def/for/with" padded
	// with spaces, and blanks "await"; an awaited expression's value is
	// unknown.
	RewriteAsync
	// RewriteMatch turns the soft keyword "match" of a match statement
	// into "with ", so that the subject parses as a with item.
	RewriteMatch
	// RewriteCase turns "case PATTERN [if GUARD]:" into "if   1 ...:"; the
	// pattern and the guard are read from the original tokens.
	RewriteCase
)

var rewriteNames = [...]string{"", "f-string", "annotation", "walrus", "digits", "star-comma", "async", "match", "case"}

func (k RewriteKind) String() string {
	if int(k) < len(rewriteNames) {
		return rewriteNames[k]
	}
	return "?"
}

// Rewrite records one rewrite: the byte range that was changed.
type Rewrite struct {
	Kind       RewriteKind
	Start, End int
	// Target is the walrus target's name.
	Target string
	// RewriteCase: Start is the "case" keyword and End the header's colon;
	// the pattern starts at Pattern and ends at Guard, the guard's "if"
	// (-1 without a guard), or at End. GuardText is the guard as the
	// parser is to read it (with the other rewrites applied).
	Pattern, Guard int
	GuardText      []byte
}

var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// matchBrackets returns, for each opening bracket token, the index of its
// closing token (or -1), and for each closing token its opener.
func matchBrackets(src []byte, toks []Token) []int32 {
	match := make([]int32, len(toks))
	var stack []int
	for i, t := range toks {
		match[i] = -1
		if t.Kind != TokOp {
			continue
		}
		switch src[t.Start] {
		case '(', '[', '{':
			stack = append(stack, i)
		case ')', ']', '}':
			if n := len(stack); n > 0 {
				match[stack[n-1]] = int32(i)
				match[i] = int32(stack[n-1])
				stack = stack[:n-1]
			}
		}
	}
	return match
}

// RewriteSource applies the same-length rewrites to a copy of src and
// returns it with the list of rewrites, sorted by offset. When nothing is
// rewritten it returns src itself, not a copy: the result is read-only.
func RewriteSource(src []byte, toks []Token) ([]byte, []Rewrite) {
	return rewriteSource(src, toks, matchBrackets(src, toks))
}

// rewriteSource is RewriteSource given the tokens' matching brackets
// (matchBrackets), which the module keeps too.
func rewriteSource(src []byte, toks []Token, match []int32) ([]byte, []Rewrite) {
	// out is the rewritten copy, made on the first rewrite: most files
	// need none, and then the source itself is returned.
	var out []byte
	own := func() {
		if out == nil {
			out = append([]byte(nil), src...)
		}
	}
	var rws []Rewrite
	partner := func(i int) int { return int(match[i]) }
	matches := findMatches(src, toks)
	cases := caseHeads(matches)
	isOp := func(i int, op string) bool {
		return i >= 0 && i < len(toks) && toks[i].Kind == TokOp && string(src[toks[i].Start:toks[i].End]) == op
	}
	word := func(i int) string {
		if i >= 0 && i < len(toks) && toks[i].Kind == TokName {
			return string(src[toks[i].Start:toks[i].End])
		}
		return ""
	}
	// next returns the index of the next token that is not a comment or a
	// continuation.
	next := func(i int) int {
		for i++; i < len(toks) && (toks[i].Kind == TokComment || toks[i].Kind == TokContinue); i++ {
		}
		return i
	}
	blank := func(start, end int) {
		own()
		for k := start; k < end; k++ {
			if out[k] != '\n' && out[k] != '\r' {
				out[k] = ' '
			}
		}
	}
	// annotationFrom and annotationTo bound the last annotation blanked:
	// its tokens are gone from the rewritten text, and a later rewrite of
	// one of them would write bytes back into the blanks.
	annotationFrom, annotationTo := 0, 0
	for i, t := range toks {
		if t.Start >= annotationFrom && t.Start < annotationTo {
			continue
		}
		switch t.Kind {
		case TokString:
			if t.Prefix > 0 && prefixHas(src[t.Start:t.bodyStart()], 'f') {
				// "f" → " ", "rf"/"fr" → " r": keep the raw flag so the
				// body still tokenizes as the same string.
				r := byte(0)
				for _, c := range src[t.Start:t.bodyStart()] {
					if c|0x20 == 'r' {
						r = c
					}
				}
				blank(t.Start, t.bodyStart())
				if r != 0 {
					out[t.bodyStart()-1] = r
				}
				rws = append(rws, Rewrite{Kind: RewriteFString, Start: t.Start, End: t.End})
			}
		case TokNumber:
			text := src[t.Start:t.End]
			if bytes.IndexByte(text, '_') < 0 {
				continue
			}
			own()
			n := 0
			for _, c := range text {
				if c != '_' {
					out[t.Start+n] = c
					n++
				}
			}
			if n < len(text) {
				blank(t.Start+n, t.End)
				rws = append(rws, Rewrite{Kind: RewriteDigits, Start: t.Start, End: t.End})
			}
		case TokOp:
			switch string(src[t.Start:t.End]) {
			case ":=":
				// Inside brackets "x , v" keeps v whole, since nothing
				// binds less tightly than a comma; in an if or while
				// header a comma would make a tuple, so "==" it is, and
				// the value is parsed again on its own.
				own()
				out[t.Start], out[t.Start+1] = ',', ' '
				if t.Depth == 0 && i > 0 && toks[i-1].Kind == TokName {
					// the whole header is the assignment: blank the target
					blank(toks[i-1].Start, t.End)
				}
				rw := Rewrite{Kind: RewriteWalrus, Start: t.Start, End: t.End}
				if i > 0 && toks[i-1].Kind == TokName {
					rw.Target = string(src[toks[i-1].Start:toks[i-1].End])
				}
				rws = append(rws, rw)
			case "(":
				// A trailing comma after *args or **kwargs.
				end := partner(i)
				if end < 0 {
					continue
				}
				star := false
				for j := i + 1; j < end; j++ {
					if toks[j].Depth == t.Depth+1 && (isOp(j, "*") || isOp(j, "**")) && (isOp(j-1, "(") || isOp(j-1, ",")) && j-1 >= i {
						star = true
					}
					if partner(j) > j {
						j = partner(j)
					}
				}
				if !star {
					continue
				}
				k := end - 1
				for k > i && (toks[k].Kind == TokComment || toks[k].Kind == TokContinue) {
					k--
				}
				if k > i && isOp(k, ",") {
					blank(toks[k].Start, toks[k].End)
					rws = append(rws, Rewrite{Kind: RewriteStarComma, Start: toks[k].Start, End: toks[k].End})
				}
			}
		case TokName:
			w := word(i)
			if kw := word(i + 1); w == "async" && (kw == "def" || kw == "for" || kw == "with") {
				if !bytes.ContainsAny(src[t.End:toks[i+1].Start], "\r\n\\") {
					// "async def" → "def      ": the keyword stays at the
					// statement's column, so an indented block keeps its
					// indentation.
					blank(t.Start, toks[i+1].End)
					copy(out[t.Start:], kw)
				} else {
					blank(t.Start, t.End)
				}
				rws = append(rws, Rewrite{Kind: RewriteAsync, Start: t.Start, End: t.End})
				continue
			}
			if w == "await" {
				blank(t.Start, t.End)
				if t.LineStart {
					// "await x" starting a line → "0 or x": blanks alone
					// would move the statement right of its block's
					// indentation.
					copy(out[t.Start:], "0 or")
				}
				rws = append(rws, Rewrite{Kind: RewriteAsync, Start: t.Start, End: t.End})
				continue
			}
			if !t.LineStart || pyKeywords[w] || cases[t.Start] {
				continue
			}
			// An annotated assignment: target (NAME, attribute or
			// subscript chain) then ":" at the same depth.
			j := next(i)
			for j < len(toks) {
				if isOp(j, ".") && word(next(j)) != "" {
					j = next(next(j))
					continue
				}
				if isOp(j, "[") && partner(j) > j {
					j = next(partner(j))
					continue
				}
				break
			}
			if !isOp(j, ":") {
				continue
			}
			colon := j
			end := -1
			last := colon
			for k := colon + 1; k < len(toks) && toks[k].Kind != TokNewline; k++ {
				if toks[k].Kind == TokOp && toks[k].Depth == t.Depth && string(src[toks[k].Start:toks[k].End]) == "=" {
					end = k
					break
				}
				last = k
			}
			from, to := toks[colon].Start, toks[last].End
			if end >= 0 {
				to = toks[end].Start
			}
			own()
			if blankAnnotation(out, from, to) {
				rws = append(rws, Rewrite{Kind: RewriteAnnotation, Start: from, End: to})
				annotationFrom, annotationTo = from, to
			}
		}
	}
	if len(matches) > 0 {
		own()
		rws = append(rws, rewriteMatches(out, toks, matches)...)
	}
	sort.Slice(rws, func(a, b int) bool { return rws[a].Start < rws[b].Start })
	if out == nil {
		return src, rws
	}
	return out, rws
}

// blankAnnotation replaces out[from:to] with spaces; where the range spans
// lines, the byte before each line end becomes a backslash so that the
// statement stays one logical line.
// It does nothing and returns false when a line inside has no byte left to
// carry the backslash (an empty line): the statement then stays as written
// and is reported as not analysed.
func blankAnnotation(out []byte, from, to int) bool {
	for k := from; k < to; k++ {
		if out[k] == '\n' {
			p := k - 1
			if p >= from && out[p] == '\r' {
				p--
			}
			if p < from || out[p] == '\n' {
				return false
			}
		}
	}
	for k := from; k < to; k++ {
		switch out[k] {
		case '\n':
			p := k - 1
			if p >= from && out[p] == '\r' {
				p--
			}
			if p >= from {
				out[p] = '\\'
			}
		case '\r':
		default:
			out[k] = ' '
		}
	}
	return true
}
