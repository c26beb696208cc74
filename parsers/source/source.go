// Package source holds what every parser and rule shares about text: files
// with a line index, positions and ranges, conversions of positions to the
// units that editors (LSP) and SARIF consumers expect, the Reader through
// which every file of a workspace is read, and the Problem that a parser
// reports when it cannot make sense of its input.
package source

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"
	"unicode/utf8"
)

// Pos is a position in a file. Line and Col are 1-based; Col counts bytes
// from the start of the line. Offset is the 0-based byte offset in the file.
// The zero Pos is invalid: it means "no position".
type Pos struct {
	Line   int `json:"line"`
	Col    int `json:"column"`
	Offset int `json:"offset"`
}

// IsValid reports whether p denotes a real position (Line ≥ 1).
func (p Pos) IsValid() bool { return p.Line >= 1 }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Before reports whether p comes before q in the same file.
func (p Pos) Before(q Pos) bool { return p.Offset < q.Offset }

// Range is a half-open span [Start, End) of one file. File is the path of the
// file relative to the scanned root, with forward slashes.
type Range struct {
	File  string `json:"file"`
	Start Pos    `json:"start"`
	End   Pos    `json:"end"`
}

// IsValid reports whether r has a file and a valid start.
func (r Range) IsValid() bool { return r.File != "" && r.Start.IsValid() }

func (r Range) String() string {
	if !r.IsValid() {
		return r.File
	}
	return fmt.Sprintf("%s:%d:%d", r.File, r.Start.Line, r.Start.Col)
}

// Contains reports whether q lies inside r (same file, start within r).
func (r Range) Contains(q Range) bool {
	return r.File == q.File && r.Start.Offset <= q.Start.Offset && q.End.Offset <= r.End.Offset
}

// Less orders ranges by file, then start offset, then end offset.
func (r Range) Less(q Range) bool {
	if r.File != q.File {
		return r.File < q.File
	}
	if r.Start.Offset != q.Start.Offset {
		return r.Start.Offset < q.Start.Offset
	}
	return r.End.Offset < q.End.Offset
}

// File is the content of one file with an index of its line starts.
//
// Lines end at "\n"; a "\r" before it belongs to the line ending, not to the
// line's text. A UTF-8 byte order mark at the start is kept in Content (so
// offsets are true byte offsets) but is invisible to editor positions.
type File struct {
	Path    string // relative to the scanned root, forward slashes
	Content []byte
	lines   []int // byte offset of the start of each line
	// wide has bit n set when line n+1 holds a byte that is not ASCII,
	// where columns in characters and bytes differ.
	wide []uint64

	// marks indexes the characters of long lines that are not ASCII (see
	// lineMarks), built when first needed; positions of the nodes of a
	// minified document would otherwise each rescan its one line.
	mu    sync.Mutex
	marks map[int][]mark
}

// NewFile indexes content under the given path. Every file of a run is
// indexed, so the index is built with the bytes package's vectorised
// search rather than byte by byte, and lines are checked for bytes that
// are not ASCII only when the content has some.
func NewFile(path string, content []byte) *File {
	f := &File{Path: path, Content: content}
	f.lines = make([]int, 1, bytes.Count(content, newline)+1)
	for start := 0; ; {
		i := bytes.IndexByte(content[start:], '\n')
		if i < 0 {
			break
		}
		start += i + 1
		f.lines = append(f.lines, start)
	}
	if isASCII(content) {
		return f
	}
	for n, start := range f.lines {
		end := len(content)
		if n+1 < len(f.lines) {
			end = f.lines[n+1]
		}
		if !isASCII(content[start:end]) {
			for len(f.wide) <= n/64 {
				f.wide = append(f.wide, 0)
			}
			f.wide[n/64] |= 1 << (n % 64)
		}
	}
	return f
}

var newline = []byte{'\n'}

// isASCII reports whether b has no byte of 0x80 or above, eight bytes at a
// time.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// ascii reports whether line n (1-based) is ASCII only.
func (f *File) ascii(n int) bool {
	i := n - 1
	return i/64 >= len(f.wide) || f.wide[i/64]&(1<<(i%64)) == 0
}

// HasBOM reports whether the file starts with a UTF-8 byte order mark.
func (f *File) HasBOM() bool { return bytes.HasPrefix(f.Content, bom) }

var bom = []byte{0xEF, 0xBB, 0xBF}

// LineCount is the number of lines (a final line without "\n" counts; an
// empty final line after a trailing "\n" counts too, as editors show it).
func (f *File) LineCount() int { return len(f.lines) }

// Pos converts a byte offset into a position. Offsets outside the file are
// clamped to its bounds.
func (f *File) Pos(offset int) Pos {
	if offset < 0 {
		offset = 0
	}
	if offset > len(f.Content) {
		offset = len(f.Content)
	}
	line := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > offset }) // first line starting after offset
	return Pos{Line: line, Col: offset - f.lines[line-1] + 1, Offset: offset}
}

// Range returns the range [start, end) of byte offsets in f.
func (f *File) Range(start, end int) Range {
	if end < start {
		end = start
	}
	return Range{File: f.Path, Start: f.Pos(start), End: f.Pos(end)}
}

// LineStart returns the byte offset where line n (1-based) starts.
func (f *File) LineStart(n int) int {
	if n < 1 {
		return 0
	}
	if n > len(f.lines) {
		return len(f.Content)
	}
	return f.lines[n-1]
}

// LineEnd returns the byte offset of the end of line n's text (before any
// "\r\n" or "\n").
func (f *File) LineEnd(n int) int {
	if n < 1 {
		return 0
	}
	if n >= len(f.lines) {
		end := len(f.Content)
		if n > len(f.lines) {
			return end
		}
		return trimCR(f.Content, f.lines[n-1], end)
	}
	end := f.lines[n] - 1 // the "\n"
	return trimCR(f.Content, f.lines[n-1], end)
}

func trimCR(b []byte, start, end int) int {
	if end > start && b[end-1] == '\r' {
		return end - 1
	}
	return end
}

// Line returns the text of line n (1-based) without its line ending, or nil
// when the line does not exist.
func (f *File) Line(n int) []byte {
	if n < 1 || n > len(f.lines) {
		return nil
	}
	return f.Content[f.LineStart(n):f.LineEnd(n)]
}

// LineRange is the range covering the text of line n.
func (f *File) LineRange(n int) Range {
	return f.Range(f.LineStart(n), f.LineEnd(n))
}

// Encoding is a unit in which an editor counts columns.
type Encoding int

const (
	// UTF16 counts UTF-16 code units: the LSP default and SARIF's default
	// columnKind ("utf16CodeUnits").
	UTF16 Encoding = iota
	// UTF8 counts bytes (LSP positionEncoding "utf-8").
	UTF8
	// UTF32 counts code points (LSP positionEncoding "utf-32").
	UTF32
)

// Column converts p into a 0-based column on its line in the given
// encoding. A byte order mark at the start of the file is not counted, and
// bytes of invalid UTF-8 count as one unit each (what editors display as
// U+FFFD).
func (f *File) Column(p Pos, enc Encoding) int {
	start := f.LineStart(p.Line)
	off := p.Offset
	if off > len(f.Content) {
		off = len(f.Content)
	}
	if p.Line == 1 && f.HasBOM() {
		start = 3
		if off < start {
			return 0
		}
	}
	if enc == UTF8 || f.ascii(p.Line) {
		return off - start
	}
	n := 0
	if ms := f.lineMarks(p.Line); ms != nil {
		// The last mark at or before off, then count from there.
		base := f.LineStart(p.Line)
		k := sort.Search(len(ms), func(i int) bool { return base+ms[i].off > off }) - 1
		if k >= 0 {
			n = ms[k].count(enc)
			start = base + ms[k].off
		}
	}
	return n + countUnits(f.Content[start:off], enc)
}

func countUnits(b []byte, enc Encoding) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		if enc == UTF16 && r >= 0x10000 && size == 4 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// Offset converts a 0-based line and a 0-based column in the given encoding
// (as an LSP client sends them) into a byte offset. Columns past the end of
// the line clamp to the line end, as the LSP specification requires; lines
// past the end clamp to the end of the file.
func (f *File) Offset(line, col int, enc Encoding) int {
	if line < 0 {
		return 0
	}
	if line >= len(f.lines) {
		return len(f.Content)
	}
	start := f.lines[line]
	end := f.LineEnd(line + 1)
	if line == 0 && f.HasBOM() {
		start = 3
	}
	if enc == UTF8 || f.ascii(line+1) {
		if col > end-start {
			col = end - start
		}
		return start + max(col, 0)
	}
	off := start
	n := 0
	if ms := f.lineMarks(line + 1); ms != nil {
		// The last mark at or before col, then walk from there.
		k := sort.Search(len(ms), func(i int) bool { return ms[i].count(enc) > col }) - 1
		if k >= 0 {
			off = f.lines[line] + ms[k].off
			n = ms[k].count(enc)
		}
	}
	for off < end && n < col {
		r, size := utf8.DecodeRune(f.Content[off:end])
		units := 1
		if enc == UTF16 && r >= 0x10000 && size == 4 {
			units = 2
		}
		if n+units > col { // inside a surrogate pair: stay before it
			break
		}
		n += units
		off += size
	}
	return off
}

// markEvery is how many characters apart the marks of a long line are,
// and longLine the length from which a line that is not ASCII is indexed:
// converting a column then walks at most markEvery characters.
const (
	markEvery = 64
	longLine  = 1024
)

// mark is a point of a line: its byte offset from the line start and the
// characters (code points) and UTF-16 units before it.
type mark struct{ off, runes, units int }

func (m mark) count(enc Encoding) int {
	if enc == UTF16 {
		return m.units
	}
	return m.runes
}

// lineMarks returns the marks of line n (1-based) every markEvery
// characters, or nil for a line shorter than longLine. They are built
// once; several goroutines may ask at once.
func (f *File) lineMarks(n int) []mark {
	start, end := f.LineStart(n), f.LineEnd(n)
	if end-start < longLine {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if ms, ok := f.marks[n]; ok {
		return ms
	}
	if n == 1 && f.HasBOM() {
		start = 3 // columns are counted after the mark, as Column does
	}
	base := f.LineStart(n)
	var ms []mark
	runes, units := 0, 0
	for off := start; off < end; {
		if runes%markEvery == 0 {
			ms = append(ms, mark{off: off - base, runes: runes, units: units})
		}
		r, size := utf8.DecodeRune(f.Content[off:end])
		off += size
		runes++
		units++
		if r >= 0x10000 && size == 4 {
			units++
		}
	}
	if f.marks == nil {
		f.marks = map[int][]mark{}
	}
	f.marks[n] = ms
	return ms
}

// LSPPosition is a position as LSP counts it: 0-based line, 0-based column
// in the negotiated encoding.
type LSPPosition struct {
	Line      int
	Character int
}

// ToLSP converts p into an LSP position in the given encoding.
func (f *File) ToLSP(p Pos, enc Encoding) LSPPosition {
	if !p.IsValid() {
		return LSPPosition{}
	}
	return LSPPosition{Line: p.Line - 1, Character: f.Column(p, enc)}
}

// SARIFRegion is a SARIF 2.1.0 region: 1-based lines, 1-based columns in
// UTF-16 code units (SARIF's default columnKind), end column exclusive.
type SARIFRegion struct {
	StartLine   int
	StartColumn int
	EndLine     int
	EndColumn   int
}

// ToSARIF converts r into a SARIF region. A range without a valid start
// maps to line 1 so that no region line is ever below 1.
func (f *File) ToSARIF(r Range) SARIFRegion {
	if !r.Start.IsValid() {
		return SARIFRegion{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 1}
	}
	end := r.End
	if !end.IsValid() || end.Offset < r.Start.Offset {
		end = r.Start
	}
	return SARIFRegion{
		StartLine:   r.Start.Line,
		StartColumn: f.Column(r.Start, UTF16) + 1,
		EndLine:     end.Line,
		EndColumn:   f.Column(end, UTF16) + 1,
	}
}
