package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// JSONVersion is the version of the JSON output schema
// (docs/json-output.md). It changes only when a field changes meaning or
// disappears; new fields may appear within a version.
const JSONVersion = 1

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"` // 1-based, in bytes
	Offset int `json:"offset"` // 0-based byte offset
}

type jsonLoc struct {
	File    string  `json:"file"`
	Start   jsonPos `json:"start"`
	End     jsonPos `json:"end"`
	Message string  `json:"message,omitempty"`
}

type jsonEdit struct {
	jsonLoc
	NewText string `json:"new_text"`
}

type jsonFix struct {
	Description string     `json:"description"`
	Safe        bool       `json:"safe"`
	Edits       []jsonEdit `json:"edits"`
}

type jsonSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

type jsonDiag struct {
	Code        string           `json:"code"`
	Name        string           `json:"name"`
	Severity    string           `json:"severity"`
	CWE         []string         `json:"cwe"`
	Message     string           `json:"message"`
	Detail      string           `json:"detail,omitempty"`
	FixTitle    string           `json:"fix_title,omitempty"`
	Location    jsonLoc          `json:"location"`
	Related     []jsonLoc        `json:"related"`
	Fixes       []jsonFix        `json:"fixes"`
	Key         string           `json:"key,omitempty"`
	Fingerprint string           `json:"fingerprint,omitempty"`
	HelpURI     string           `json:"help_uri,omitempty"`
	Suppression *jsonSuppression `json:"suppression,omitempty"`
	Proof       Proof            `json:"proof,omitempty"`
}

type jsonDoc struct {
	Version     int        `json:"version"`
	Tool        jsonTool   `json:"tool"`
	Root        string     `json:"root"`
	Diagnostics []jsonDiag `json:"diagnostics"`
	Summary     Summary    `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

func loc(r source.Range, msg string) jsonLoc {
	return jsonLoc{
		File:    r.File,
		Start:   jsonPos{r.Start.Line, r.Start.Col, r.Start.Offset},
		End:     jsonPos{r.End.Line, r.End.Col, r.End.Offset},
		Message: msg,
	}
}

// JSONDiagnostic converts a diagnostic into its JSON form (shared with the
// audit's JSON Lines records).
func JSONDiagnostic(d rules.Finding) any { return toJSON(d) }

func toJSON(d rules.Finding) jsonDiag {
	j := jsonDiag{
		Code: d.Code, Name: d.Name, Severity: d.Severity.String(), CWE: d.CWE, Message: d.Message, Detail: d.Detail, FixTitle: d.FixTitle,
		Location: loc(d.Range, ""), Related: []jsonLoc{}, Fixes: []jsonFix{}, Key: d.Key.String(), Fingerprint: d.Fingerprint,
	}
	if j.CWE == nil {
		j.CWE = []string{}
	}
	for _, r := range d.Related {
		j.Related = append(j.Related, loc(r.Range, r.Message))
	}
	for _, f := range d.Fixes {
		jf := jsonFix{Description: f.Description, Safe: f.Safe, Edits: []jsonEdit{}}
		for _, e := range f.Edits {
			jf.Edits = append(jf.Edits, jsonEdit{loc(e.Range, ""), e.NewText})
		}
		j.Fixes = append(j.Fixes, jf)
	}
	if d.Suppression != nil {
		j.Suppression = &jsonSuppression{Kind: d.Suppression.Kind, Justification: d.Suppression.Justification}
	}
	return j
}

// JSON writes the documented JSON document. Suppressed findings are
// included only when showSuppressed is set, marked with "suppression".
func JSON(w io.Writer, in Input, showSuppressed bool) error {
	doc := jsonDoc{
		Version:     JSONVersion,
		Tool:        jsonTool{Name: "mtlslint", Version: in.Version},
		Root:        in.Root,
		Diagnostics: []jsonDiag{},
		Summary:     Summarize(in),
	}
	byCode := map[string]*rules.Rule{}
	for _, r := range in.Rules {
		byCode[r.Code] = r
	}
	var shown []int // positions in in.Findings of the findings written
	for i, d := range in.Findings {
		if d.Suppression == nil || showSuppressed {
			shown = append(shown, i)
		}
	}
	// The document without its diagnostics is indented whole; the
	// diagnostics, most of the report, are encoded and indented in
	// parallel chunks and written between its two halves.
	compact, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	frame := indentJSON(nil, compact)
	if len(shown) == 0 {
		_, err = w.Write(append(frame, '\n'))
		return err
	}
	split := bytes.Index(frame, []byte(diagnosticsEmpty))
	if split < 0 {
		return errors.New("JSON report: no diagnostics array in the document")
	}
	split += len(diagnosticsEmpty) - 1 // before the "]"
	chunks, err := diagnosticChunks(in, shown, byCode)
	if err != nil {
		return err
	}
	if _, err := w.Write(frame[:split]); err != nil {
		return err
	}
	for _, c := range chunks {
		if _, err := w.Write(c); err != nil {
			return err
		}
	}
	_, err = w.Write(append(append([]byte("\n  "), frame[split:]...), '\n'))
	return err
}

// diagnosticsEmpty is how the document's empty diagnostics array is
// indented. No string of the document can contain it: a quote inside a
// string is escaped.
const diagnosticsEmpty = `"diagnostics": []`

// minChunk is the fewest diagnostics worth a goroutine of their own.
const minChunk = 64

// diagnosticChunks encodes the shown findings as the elements of the
// report's "diagnostics" array, indented at their depth (2) and each
// preceded by "," (but the first) and a new line, in chunks encoded in
// parallel; written in order, they are the bytes indenting the whole
// document at once gives.
func diagnosticChunks(in Input, shown []int, byCode map[string]*rules.Rule) ([][]byte, error) {
	n := min(runtime.GOMAXPROCS(0), (len(shown)+minChunk-1)/minChunk)
	size := (len(shown) + n - 1) / n
	chunks := make([][]byte, (len(shown)+size-1)/size)
	errs := make([]error, len(chunks))
	encode := func(c int) {
		first := c * size
		part := shown[first:min(first+size, len(shown))]
		var compact bytes.Buffer
		enc := json.NewEncoder(&compact) // as json.Marshal encodes, into one reused buffer
		buf := make([]byte, 0, 1024*len(part))
		diags := make([]jsonDiag, len(part)) // encoded through pointers: one allocation, not one per finding
		for k, i := range part {
			d := in.Findings[i]
			j := &diags[k]
			*j = toJSON(d)
			j.Proof = in.proof(i)
			if r := byCode[d.Code]; r != nil {
				j.HelpURI = r.HelpURI()
			}
			compact.Reset()
			if err := enc.Encode(j); err != nil {
				errs[c] = err
				return
			}
			if first+k > 0 {
				buf = append(buf, ',')
			}
			buf = indentJSONAt(newlineJSON(buf, 2), bytes.TrimSuffix(compact.Bytes(), []byte{'\n'}), 2)
		}
		chunks[c] = buf
	}
	var wg sync.WaitGroup
	for c := 1; c < len(chunks); c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			encode(c)
		}()
	}
	encode(0)
	wg.Wait()
	return chunks, errors.Join(errs...)
}

// indentJSON appends src, compact JSON as json.Marshal writes it, indented
// by two spaces: the bytes json.Encoder writes with SetIndent("", "  "),
// which re-reads its output through the decoder's state machine one byte
// at a time (a tenth of a run on a few hundred files). Marshal leaves no
// space outside strings, so only strings need to be recognised here.
func indentJSON(dst, src []byte) []byte { return indentJSONAt(dst, src, 0) }

// indentJSONAt indents src as a value found at depth: the lines inside it
// are indented by one level more, its closing bracket by depth levels.
func indentJSONAt(dst, src []byte, depth int) []byte {
	open := false // after "{" or "[": indent before the next value, not before "}" or "]"
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			dst = newlineJSON(dst, depth)
		}
		switch c {
		case '"':
			end := i + 1
			for {
				q := bytes.IndexByte(src[end:], '"')
				if q < 0 {
					end = len(src) - 1
					break
				}
				end += q
				if !escapedQuote(src[i+1 : end]) {
					break
				}
				end++
			}
			dst = append(dst, src[i:end+1]...)
			i = end
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			dst = newlineJSON(dst, depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open {
				open = false
			} else {
				depth--
				dst = newlineJSON(dst, depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// escapedQuote reports whether the quote that follows s is escaped: s ends
// in an odd number of backslashes.
func escapedQuote(s []byte) bool {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// spaces is the indentation of the deepest common levels; deeper ones are
// written in pieces.
const spaces = "                                                                "

func newlineJSON(dst []byte, depth int) []byte {
	dst = append(dst, '\n')
	for n := 2 * depth; n > 0; n -= len(spaces) {
		dst = append(dst, spaces[:min(n, len(spaces))]...)
	}
	return dst
}
