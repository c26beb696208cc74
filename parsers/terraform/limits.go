package terraform

import (
	"bytes"
	"fmt"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// maxNesting is how deeply blocks, brackets, template interpolations and
// chained operators (a ? b : c ? ..., !!x) may nest. The HCL parser
// recurses about a dozen frames per level and has no limit of its own:
// 60,000 nested "[" overflow the stack, which kills the process.
// Terraform configurations nest a few levels; 1,000 is far above them.
const maxNesting = 1000

// maxHeredocLines caps the lines of a heredoc whose value is computed. The
// HCL parser joins a heredoc's lines one at a time, copying everything
// joined so far, so its time grows with the square of the length (a 7 MB
// heredoc takes a minute). A longer heredoc's value is unknown.
const maxHeredocLines = 1000

var tooDeepMessage = fmt.Sprintf("nesting deeper than %d levels (blocks, brackets, interpolations, operators)", maxNesting)

// guard prepares src for the HCL parser without moving a byte: an item of
// a block (an attribute or a nested block) that nests deeper than
// maxNesting is blanked (E006 where the limit is passed), and a heredoc
// longer than maxHeredocLines becomes a reference that never resolves
// followed by a comment (M002). src itself is returned when nothing
// changes. Positions are taken from byte offsets only, so the parser
// never sees the difference in lines.
func guard(f *source.File) ([]byte, []source.Problem) {
	g := &guardScan{src: f.Content, stack: []hctx{{kind: 'B', itemStart: -1}}, deepIn: -1}
	g.run()
	if len(g.blank) == 0 && len(g.heredocs) == 0 {
		return f.Content, nil
	}
	out := append([]byte(nil), f.Content...)
	var probs []source.Problem
	for _, h := range g.heredocs {
		probs = append(probs, source.Problem{Kind: source.ProblemNotAnalysed, Range: f.Range(h.start, h.start+2),
			Message: fmt.Sprintf("not analysed: a heredoc of %d lines (more than %d): its value is unknown", h.lines, maxHeredocLines)})
		copy(out[h.start:], "a/*")
		body := out[h.start+3 : h.markerEnd-2]
		for i := 0; i+1 < len(body); i++ {
			if body[i] == '*' && body[i+1] == '/' {
				body[i+1] = ' '
			}
		}
		copy(out[h.markerEnd-2:], "*/")
	}
	for _, b := range g.blank {
		probs = append(probs, source.Problem{Kind: source.ProblemTooDeep, Range: f.Range(b.at, b.at+1),
			Message: "not analysed: " + tooDeepMessage, Detail: "This attribute or block was left out."})
		for i := b.start; i < b.end; i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	return out, probs
}

// hctx is one open construct of the scan.
type hctx struct {
	// kind: 'B' a body (the file, a block), '[', '(', '{' an expression
	// bracket, '"' a quoted template, 'H' a heredoc, '$' an
	// interpolation or template directive.
	kind byte
	// itemStart is where the body's current item began (-1: between
	// items); deep marks an item that passed the limit.
	itemStart int
	deep      int // where the item passed the limit
	isDeep    bool
	// inExpr: the body's current item is an attribute and its "=" was
	// seen, so a "{" is an object, not a block.
	inExpr bool
	// count is the chained operators since the last separator.
	count int
	// body is the index on the stack of the innermost body at or below.
	body int
	// heredoc: its marker, where it starts, its lines so far, and
	// whether the scan is in the middle of a line (after an
	// interpolation).
	marker  []byte
	start   int
	lines   int
	midline bool
}

type blankItem struct{ at, start, end int }

type longHeredoc struct{ start, markerEnd, lines int }

type guardScan struct {
	src      []byte
	i        int
	stack    []hctx
	levels   int  // constructs on the stack that count as a level
	deepIn   int  // the body whose current item passed the limit (-1: none)
	total    int  // Σ count over the stack
	prevOp   bool // the previous significant token leaves an operand to come (a prefix "-" is unary)
	blank    []blankItem
	heredocs []longHeredoc
}

func (g *guardScan) top() *hctx { return &g.stack[len(g.stack)-1] }

// depth is the nesting at this point: the open constructs (the file's
// body and templates not counted: a template and its interpolation are
// one level) and the chained operators.
func (g *guardScan) depth() int { return g.levels + g.total }

// check marks the current item of the innermost body when the nesting
// passes the limit at offset at. A block that was just opened is not the
// body to blame: the item that opened it is.
func (g *guardScan) check(at int, opened bool) {
	if g.depth() <= maxNesting || g.deepIn >= 0 {
		return // within limits, or inside an item already left out
	}
	k := len(g.stack) - 1
	if opened {
		k--
	}
	bi := g.stack[k].body
	if b := &g.stack[bi]; b.itemStart >= 0 {
		b.isDeep, b.deep = true, at
		g.deepIn = bi
	}
}

func (g *guardScan) push(c hctx) {
	c.body = g.top().body
	if c.kind == 'B' {
		c.body = len(g.stack)
	}
	g.stack = append(g.stack, c)
	if c.kind != '"' && c.kind != 'H' {
		g.levels++
	}
	g.prevOp = true
	g.check(g.i-1, true)
}

func (g *guardScan) pop() {
	if len(g.stack) == 1 {
		return
	}
	t := g.top()
	g.total -= t.count
	if t.kind != '"' && t.kind != 'H' {
		g.levels--
	}
	g.stack = g.stack[:len(g.stack)-1]
	g.prevOp = false
}

// endItem closes the current item of body b at end.
func (g *guardScan) endItem(b *hctx, end int) {
	if b.isDeep {
		g.blank = append(g.blank, blankItem{at: b.deep, start: b.itemStart, end: end})
		g.deepIn = -1
	}
	b.itemStart, b.isDeep, b.inExpr = -1, false, false
	g.total -= b.count
	b.count = 0
}

func (g *guardScan) run() {
	for g.i < len(g.src) {
		switch g.top().kind {
		case '"':
			g.quoted()
		case 'H':
			g.heredocLine()
		default:
			g.normal()
		}
	}
	// Unterminated constructs end at the end of the file.
	for len(g.stack) > 1 {
		if g.top().kind == 'B' {
			g.endItem(g.top(), len(g.src))
		}
		g.pop()
	}
	g.endItem(&g.stack[0], len(g.src))
}

// normal scans one token of a body, an expression or an interpolation.
func (g *guardScan) normal() {
	c := g.src[g.i]
	t := g.top()
	if t.kind == 'B' && t.itemStart < 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '#' && !g.at("//") && !g.at("/*") {
		t.itemStart = g.i
		g.prevOp = true
	}
	switch {
	case c == '\n':
		if t.kind == 'B' && t.itemStart >= 0 {
			g.endItem(t, g.i)
		}
		g.i++
	case c == ' ' || c == '\t' || c == '\r':
		g.i++
	case c == '#' || g.at("//"):
		for g.i < len(g.src) && g.src[g.i] != '\n' {
			g.i++
		}
	case g.at("/*"):
		end := bytes.Index(g.src[g.i+2:], []byte("*/"))
		if end < 0 {
			g.i = len(g.src)
		} else {
			g.i += end + 4
		}
	case c == '"':
		g.i++
		g.push(hctx{kind: '"'})
	case g.at("<<"):
		g.heredocStart()
	case c == '{':
		b := t.kind == 'B' && !t.inExpr
		g.i++
		if b {
			g.push(hctx{kind: 'B', itemStart: -1})
		} else {
			g.push(hctx{kind: '{'})
		}
	case c == '[' || c == '(':
		g.i++
		g.push(hctx{kind: c})
	case c == '}' || c == ']' || c == ')':
		g.i++
		if t.kind == 'B' && t.itemStart >= 0 {
			g.endItem(t, g.i-1)
		}
		if len(g.stack) > 1 {
			g.pop()
		}
	case c == '=' && !g.at("==") && !g.at("=>"):
		g.i++
		if t.kind == 'B' {
			t.inExpr = true
		}
		g.separator()
	case c == ',':
		g.i++
		g.separator()
	case c == '?' || c == '!' && !g.at("!="):
		g.i++
		g.operator()
	case c == '-' && g.prevOp:
		g.i++
		g.operator()
	case isIdentByte(c) || c >= 0x80:
		for g.i < len(g.src) && (isIdentByte(g.src[g.i]) || g.src[g.i] >= 0x80 || g.src[g.i] == '-') {
			g.i++
		}
		g.prevOp = false
	default:
		// Other operators and punctuation leave an operand to come.
		g.i++
		g.prevOp = true
	}
}

// operator counts one chained operator at the current level.
func (g *guardScan) operator() {
	g.top().count++
	g.total++
	g.prevOp = true
	g.check(g.i-1, false)
}

// separator ends the chained operators of the current level.
func (g *guardScan) separator() {
	t := g.top()
	g.total -= t.count
	t.count = 0
	g.prevOp = true
}

func (g *guardScan) at(s string) bool { return bytes.HasPrefix(g.src[g.i:], []byte(s)) }

func isIdentByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// quoted scans one piece of a quoted template.
func (g *guardScan) quoted() {
	c := g.src[g.i]
	switch {
	case c == '\\':
		g.i += 2
	case c == '"':
		g.i++
		g.pop()
	case c == '\n':
		g.pop() // unterminated: the parser reports it; the line ends here
	case g.at("$${") || g.at("%%{"):
		g.i += 3
	case g.at("${") || g.at("%{"):
		g.i += 2
		g.push(hctx{kind: '$'})
	default:
		g.i++
	}
	if g.i > len(g.src) {
		g.i = len(g.src)
	}
}

// heredocStart reads "<<MARKER" or "<<-MARKER" and a line end, and opens
// the heredoc; "<<" without them is an operator.
func (g *guardScan) heredocStart() {
	j := g.i + 2
	if j < len(g.src) && g.src[j] == '-' {
		j++
	}
	k := j
	for k < len(g.src) && (isIdentByte(g.src[k]) || g.src[k] == '-') {
		k++
	}
	marker := g.src[j:k]
	if k < len(g.src) && g.src[k] == '\r' {
		k++
	}
	if len(marker) == 0 || k >= len(g.src) || g.src[k] != '\n' {
		g.i += 2
		g.prevOp = true
		return
	}
	start := g.i
	g.i = k + 1
	g.push(hctx{kind: 'H', marker: marker, start: start})
}

// heredocLine scans the heredoc from the start of a line: the closing
// marker, or a line of its body.
func (g *guardScan) heredocLine() {
	h := g.top()
	end := bytes.IndexByte(g.src[g.i:], '\n')
	if end < 0 {
		end = len(g.src)
	} else {
		end += g.i
	}
	line := g.src[g.i:end]
	if !h.midline && bytes.Equal(bytes.TrimSpace(line), h.marker) && end < len(g.src) {
		markerEnd := g.i + len(bytes.TrimRight(line, " \t\r"))
		if h.lines > maxHeredocLines {
			g.heredocs = append(g.heredocs, longHeredoc{start: h.start, markerEnd: markerEnd, lines: h.lines})
		}
		g.i = markerEnd
		g.pop()
		return
	}
	if !h.midline {
		h.lines++
	}
	h.midline = false
	// Interpolations in the line open expressions; the rest is text.
	for g.i < end {
		switch {
		case g.at("$${") || g.at("%%{"):
			g.i += 3
		case g.at("${") || g.at("%{"):
			g.i += 2
			h.midline = true
			g.push(hctx{kind: '$'})
			return // the interpolation is scanned as an expression
		default:
			g.i++
		}
	}
	if g.i < len(g.src) {
		g.i++ // the line feed
	}
}
