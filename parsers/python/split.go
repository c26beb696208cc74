package python

import "github.com/mtlslint/mtlslint/parsers/source"

// Chunk is one top-level statement of a module as the splitter found it:
// a logical line starting at column 0, with the indented block of a
// compound statement, its else/elif/except/finally clauses, and the
// decorators before a def or class.
type Chunk struct {
	// Start and End are byte offsets of the statement's first token and
	// the end of its last token.
	Start, End int
	// Line is the 1-based line of Start.
	Line int
	// First and Last index the chunk's tokens (Last inclusive).
	First, Last int
}

var continuationKeywords = map[string]bool{"else": true, "elif": true, "except": true, "finally": true}

// Split divides a module into top-level statements. A token that starts
// a logical line at column 0 starts a statement, unless it continues the
// current one (else/elif/except/finally, or def/class after decorators).
// Indented lines belong to the statement before them.
func Split(f *source.File, toks []Token) []Chunk {
	var out []Chunk
	decorating := false
	for i, t := range toks {
		if t.Kind == TokComment || t.Kind == TokNewline || t.Kind == TokContinue {
			if len(out) > 0 && t.Kind != TokComment {
				// newline tokens end the statement's text but not its tokens
				out[len(out)-1].Last = i
			}
			continue
		}
		if !t.LineStart {
			if len(out) > 0 {
				c := &out[len(out)-1]
				c.Last = i
				c.End = t.End
			}
			continue
		}
		p := f.Pos(t.Start)
		atCol0 := p.Col == 1 || (p.Line == 1 && f.HasBOM() && p.Col == 4)
		word := ""
		if t.Kind == TokName {
			word = string(f.Content[t.Start:t.End])
		}
		isDecorator := t.Kind == TokOp && f.Content[t.Start] == '@'
		startsNew := atCol0 && len(out) > 0 && !continuationKeywords[word] &&
			!(decorating && (isDecorator || word == "def" || word == "class" || word == "async"))
		if len(out) == 0 || startsNew {
			out = append(out, Chunk{Start: t.Start, End: t.End, Line: p.Line, First: i, Last: i})
			decorating = isDecorator
			continue
		}
		if atCol0 && decorating && !isDecorator {
			decorating = false
		}
		c := &out[len(out)-1]
		c.Last = i
		c.End = t.End
	}
	return out
}
