package suppress

import (
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Directive is one suppression comment:
//
//	# mtlslint: ignore[N003, N010] -- reason
//	# mtlslint: ignore-file[N010] -- reason
type Directive struct {
	// Range spans the directive, from the comment marker to the end of
	// its reason.
	Range source.Range
	// FileWide: an ignore-file directive, covering the whole file.
	FileWide bool
	// Codes are the rule codes it names, upper-case, in written order.
	Codes []Code
	// Reason is the text after "--", trimmed; empty when missing or when
	// it is still a placeholder such as the editor's `<reason>`.
	Reason string
	// Placeholder is the reason as written when it is one: a single
	// `<...>` the user was meant to replace.
	Placeholder string
	// OwnLine: the comment is alone on its line and applies to the next
	// statement; otherwise it applies to the statement on its line.
	OwnLine bool
	// From and To are the lines it covers: the statement's line, or the
	// whole block when that line opens one. Zero when it covers nothing
	// (an own-line comment followed by a blank line or the end of file).
	From, To int
	// Problem says why the comment cannot be read; such a directive
	// suppresses nothing.
	Problem string

	removeLine bool         // remove the whole line to delete it
	removal    source.Range // what deleting it removes when !removeLine
	list       source.Range // the text between the brackets
}

// Code is one code of a directive with where it is written.
type Code struct {
	Code  string
	Range source.Range
}

// Covers reports whether the directive applies to a finding starting on
// line.
func (d *Directive) Covers(line int) bool {
	if d.Problem != "" {
		return false
	}
	if d.FileWide {
		return true
	}
	return d.From > 0 && d.From <= line && line <= d.To
}

// Names reports whether the directive lists code.
func (d *Directive) Names(code string) bool {
	for _, c := range d.Codes {
		if c.Code == code {
			return true
		}
	}
	return false
}

var codePattern = source.LazyRegexp(`^[A-Za-z][0-9]{3}$`)

// Scan finds the suppression directives of a file.
func Scan(o *Outline) []Directive {
	f := o.file
	var out []Directive
	for l := 1; l <= f.LineCount(); l++ {
		c := o.CommentStart(l)
		if c < 0 {
			continue
		}
		end := f.LineEnd(l)
		if c >= end {
			continue
		}
		d, ok := parseDirective(f, o, l, c, end)
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// ReasonPlaceholder is what the editor writes where the user must say why
// a suppression is safe. It is no reason: M003 stands until it is
// replaced.
const ReasonPlaceholder = "<reason>"

// placeholder matches a reason that is only a placeholder in angle
// brackets (`<reason>`, `<why this is safe>`).
var placeholder = source.LazyRegexp(`^<[^<>]*>$`)

// parseDirective reads the comment at [start, end) of line l. Like ruff's
// `noqa`, the directive may follow other text in the comment
// (`# public  # mtlslint: ignore[X004] -- firewall`): it starts at the
// comment marker that precedes "mtlslint:".
func parseDirective(f *source.File, o *Outline, l, start, end int) (Directive, bool) {
	text := string(f.Content[start:end])
	at, i := directiveStart(text)
	if at < 0 {
		return Directive{}, false
	}
	start += at
	text = text[at:]
	i -= at
	word := i
	for i < len(text) && (isLetter(text[i]) || text[i] == '-') {
		i++
	}
	verb := strings.ToLower(text[word:i])
	if !strings.HasPrefix(verb, "ignore") && !strings.HasPrefix(text[i:], "[") {
		return Directive{}, false // "mtlslint:" in prose, not a directive
	}
	d := Directive{OwnLine: !o.HasCode(l)}
	d.Range = f.Range(start, end)
	setRemoval := func(to int) {
		d.Range = f.Range(start, to)
		if d.OwnLine {
			d.removeLine = true
			return
		}
		from := start
		for from > f.LineStart(l) && (f.Content[from-1] == ' ' || f.Content[from-1] == '\t') {
			from--
		}
		d.removal = f.Range(from, to)
	}
	setRemoval(end)
	switch verb {
	case "ignore":
	case "ignore-file":
		d.FileWide = true
	default:
		d.Problem = "unknown suppression `" + text[word:i] + "`: write `mtlslint: ignore[CODE] -- reason` or `mtlslint: ignore-file[CODE] -- reason`"
		return d, true
	}
	if i >= len(text) || text[i] != '[' {
		d.Problem = "a suppression must name the codes it suppresses: `mtlslint: " + verb + "[CODE, ...] -- reason`"
		return d, true
	}
	close := strings.IndexByte(text[i:], ']')
	if close < 0 {
		d.Problem = "unterminated code list: `]` missing"
		return d, true
	}
	listStart, listEnd := start+i+1, start+i+close
	d.list = f.Range(listStart, listEnd)
	for j := listStart; j < listEnd; {
		for j < listEnd && (f.Content[j] == ',' || f.Content[j] == ' ' || f.Content[j] == '\t') {
			j++
		}
		k := j
		for k < listEnd && f.Content[k] != ',' && f.Content[k] != ' ' && f.Content[k] != '\t' {
			k++
		}
		if k > j {
			tok := string(f.Content[j:k])
			if !codePattern().MatchString(tok) {
				d.Problem = "`" + tok + "` is not a rule code (like N003)"
				return d, true
			}
			d.Codes = append(d.Codes, Code{Code: strings.ToUpper(tok), Range: f.Range(j, k)})
		}
		j = k
	}
	if len(d.Codes) == 0 {
		d.Problem = "empty code list: name the codes to suppress"
		return d, true
	}
	i += close + 1
	rest := text[i:]
	trimmed := strings.TrimLeft(rest, " \t")
	if strings.HasPrefix(trimmed, "--") {
		reasonStart := i + (len(rest) - len(trimmed)) + 2
		reason := text[reasonStart:]
		// A further comment after the reason (" # want M003") is not part
		// of it.
		if m := trailingComment().FindStringIndex(reason); m != nil {
			reason = reason[:m[0]]
		}
		d.Reason = strings.TrimSpace(reason)
		if placeholder().MatchString(d.Reason) {
			d.Placeholder, d.Reason = d.Reason, ""
		}
		setRemoval(start + reasonStart + len(strings.TrimRight(reason, " \t")))
	} else if m := trailingComment().FindStringIndex(rest); m != nil && m[0] == 0 || strings.TrimSpace(rest) == "" {
		setRemoval(start + i)
	}
	return d, true
}

// directiveStart finds the directive in a comment: the comment marker
// ("#", or "//" where the comment starts so) followed by "mtlslint:",
// at the start of the comment or later in it. It returns the marker's
// offset and the offset just after "mtlslint:" and the blanks that follow,
// or -1 when the comment holds no directive.
func directiveStart(text string) (at, after int) {
	mark := "#"
	if strings.HasPrefix(text, "//") {
		mark = "//"
	} else if !strings.HasPrefix(text, "#") {
		return -1, 0
	}
	const word = "mtlslint:"
	lower := strings.ToLower(text)
	for at = 0; at < len(text); {
		i := skipBlanks(text, at+len(mark))
		if strings.HasPrefix(lower[i:], word) {
			return at, skipBlanks(text, i+len(word))
		}
		next := strings.Index(text[at+len(mark):], mark)
		if next < 0 {
			break
		}
		at += len(mark) + next
	}
	return -1, 0
}

// trailingComment finds a further "#" comment: a "#" after a blank and
// followed by a blank or the end ("see #12" stays part of a reason).
var trailingComment = source.LazyRegexp(`[ \t]+#([ \t]|$)`)

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// cover sets the lines each directive applies to.
func cover(o *Outline, ds []Directive) {
	n := o.file.LineCount()
	for i := range ds {
		d := &ds[i]
		if d.FileWide || d.Problem != "" {
			continue
		}
		l := d.Range.Start.Line
		if d.OwnLine {
			// The next statement, past further comment lines; a blank
			// line in between leaves the directive without a target.
			t := l + 1
			for t <= n && !o.HasCode(t) && o.CommentStart(t) >= 0 {
				t++
			}
			if t > n || !o.HasCode(t) {
				continue
			}
			l = t
		}
		d.From, d.To = o.Extent(l)
	}
}
