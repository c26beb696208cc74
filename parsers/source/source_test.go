package source

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPosAndLines(t *testing.T) {
	f := NewFile("a.conf", []byte("ab\r\n\tcé\nlast"))
	cases := []struct {
		off       int
		line, col int
	}{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 1, 4}, // "\r" then "\n" still on line 1
		{4, 2, 1}, {5, 2, 2}, {6, 2, 3}, {8, 2, 5},
		{9, 3, 1}, {13, 3, 5}, {99, 3, 5},
	}
	for _, c := range cases {
		p := f.Pos(c.off)
		if p.Line != c.line || p.Col != c.col {
			t.Errorf("Pos(%d) = %d:%d, want %d:%d", c.off, p.Line, p.Col, c.line, c.col)
		}
	}
	if got := string(f.Line(1)); got != "ab" {
		t.Errorf("Line(1) = %q, want CR stripped", got)
	}
	if got := string(f.Line(2)); got != "\tcé" {
		t.Errorf("Line(2) = %q", got)
	}
	if got := string(f.Line(3)); got != "last" {
		t.Errorf("Line(3) = %q", got)
	}
	if f.Line(4) != nil || f.Line(0) != nil {
		t.Errorf("lines out of range must be nil")
	}
	if f.LineCount() != 3 {
		t.Errorf("LineCount = %d", f.LineCount())
	}
}

func TestColumnsInEncodings(t *testing.T) {
	// "é" is 2 bytes / 1 UTF-16 unit; "😀" is 4 bytes / 2 UTF-16 units / 1 code point.
	f := NewFile("x.py", []byte("a = 'é😀' # X\n"))
	off := len("a = 'é😀' ")
	p := f.Pos(off)
	if p.Col != off+1 {
		t.Fatalf("byte column = %d, want %d", p.Col, off+1)
	}
	if got := f.Column(p, UTF16); got != 10 {
		t.Errorf("UTF-16 column = %d, want 10", got)
	}
	if got := f.Column(p, UTF8); got != off {
		t.Errorf("UTF-8 column = %d, want %d", got, off)
	}
	if got := f.Column(p, UTF32); got != 9 {
		t.Errorf("UTF-32 column = %d, want 9", got)
	}
	for _, enc := range []Encoding{UTF8, UTF16, UTF32} {
		lp := f.ToLSP(p, enc)
		if back := f.Offset(lp.Line, lp.Character, enc); back != off {
			t.Errorf("enc %d: round trip %d -> %+v -> %d", enc, off, lp, back)
		}
	}
	// A column in the middle of a surrogate pair stays before the pair.
	if got := f.Offset(0, 7, UTF16); got != len("a = 'é") {
		t.Errorf("offset inside surrogate pair = %d", got)
	}
	// Columns past the line end clamp to it; lines past the end clamp to EOF.
	if got := f.Offset(0, 500, UTF16); got != len("a = 'é😀' # X") {
		t.Errorf("clamped offset = %d", got)
	}
	if got := f.Offset(7, 0, UTF16); got != len(f.Content) {
		t.Errorf("line past end = %d", got)
	}
}

func TestBOMIsInvisibleToEditors(t *testing.T) {
	f := NewFile("n.conf", []byte("\xEF\xBB\xBFserver {\r\n}\r\n"))
	p := f.Pos(3) // "s"
	if p.Line != 1 || p.Col != 4 {
		t.Fatalf("byte position of first char = %v", p)
	}
	if got := f.ToLSP(p, UTF16); got.Character != 0 {
		t.Errorf("LSP column of first char after BOM = %d, want 0", got.Character)
	}
	if got := f.Offset(0, 0, UTF16); got != 3 {
		t.Errorf("offset of LSP 0:0 = %d, want 3", got)
	}
	if got := f.ToSARIF(f.Range(3, 9)); got != (SARIFRegion{1, 1, 1, 7}) {
		t.Errorf("SARIF region = %+v", got)
	}
	if got := string(f.Line(2)); got != "}" {
		t.Errorf("Line(2) = %q", got)
	}
}

func TestTabsCountAsOneUnit(t *testing.T) {
	f := NewFile("t", []byte("\t\tlisten 443;"))
	p := f.Pos(2)
	if p.Col != 3 || f.Column(p, UTF16) != 2 {
		t.Errorf("tab columns: %v / %d", p, f.Column(p, UTF16))
	}
}

func TestInvalidUTF8CountsPerByte(t *testing.T) {
	f := NewFile("bad", []byte("a\xff\xfeb"))
	if got := f.Column(f.Pos(3), UTF16); got != 3 {
		t.Errorf("column after two invalid bytes = %d, want 3", got)
	}
	if got := f.Offset(0, 3, UTF16); got != 3 {
		t.Errorf("offset = %d", got)
	}
}

func TestSARIFNeverBelowLineOne(t *testing.T) {
	f := NewFile("e", nil)
	if got := f.ToSARIF(Range{File: "e"}); got.StartLine != 1 || got.StartColumn != 1 {
		t.Errorf("invalid range maps to %+v", got)
	}
	if got := f.ToSARIF(f.Range(0, 0)); got.StartLine != 1 || got.EndColumn != 1 {
		t.Errorf("empty file range maps to %+v", got)
	}
}

func TestRangeHelpers(t *testing.T) {
	f := NewFile("r", []byte("one\ntwo\n"))
	outer, inner := f.Range(0, 7), f.Range(4, 7)
	if !outer.Contains(inner) || inner.Contains(outer) {
		t.Error("Contains is wrong")
	}
	if !outer.Less(inner) || inner.Less(outer) {
		t.Error("Less is wrong")
	}
	if got := f.LineRange(2); got.Start.Offset != 4 || got.End.Offset != 7 {
		t.Errorf("LineRange(2) = %+v", got)
	}
	if got := f.LineCount(); got != 3 {
		t.Errorf("LineCount with trailing newline = %d, want 3", got)
	}
}

// TestLongLineIndex: on long lines that are not ASCII, columns go through
// an index of marks; every conversion must agree with counting from the
// line start (countUnits), whatever the mix of characters.
func TestLongLineIndex(t *testing.T) {
	pieces := []string{"a", "é", "😀", "\xff", "\t", "中", "\xed\xa0\x80", "bc"}
	for seed := range 4 {
		var b []byte
		if seed%2 == 1 {
			b = append(b, "\xEF\xBB\xBF"...) // a BOM: columns start after it
		}
		for i := 0; len(b) < 2*longLine+seed*517; i++ {
			b = append(b, pieces[(i*7+seed*3+i/5)%len(pieces)]...)
		}
		b = append(b, "\nshort é line\n"...)
		f := NewFile("x.json", b)
		if f.lineMarks(1) == nil {
			t.Fatal("the long line is not indexed")
		}
		start := 0
		if f.HasBOM() {
			start = 3
		}
		end := f.LineEnd(1)
		for off := start; off <= end; off += 1 + off%3 {
			for _, enc := range []Encoding{UTF16, UTF32, UTF8} {
				want := off - start
				if enc != UTF8 {
					want = countUnits(b[start:off], enc)
				}
				if got := f.Column(f.Pos(off), enc); got != want {
					t.Fatalf("seed %d enc %d: Column(%d) = %d, want %d", seed, enc, off, got, want)
				}
			}
		}
		for col := 0; col <= end-start+1; col += 1 + col%3 {
			for _, enc := range []Encoding{UTF16, UTF32} {
				if got, want := f.Offset(0, col, enc), slowOffset(b, start, end, col, enc); got != want {
					t.Fatalf("seed %d enc %d: Offset(0, %d) = %d, want %d", seed, enc, col, got, want)
				}
			}
		}
	}
}

// slowOffset walks from the line start: what Offset did for every line.
func slowOffset(b []byte, start, end, col int, enc Encoding) int {
	off, n := start, 0
	for off < end && n < col {
		r, size := utf8.DecodeRune(b[off:end])
		units := 1
		if enc == UTF16 && r >= 0x10000 && size == 4 {
			units = 2
		}
		if n+units > col {
			break
		}
		n += units
		off += size
	}
	return off
}

// FuzzPositions: for any content, converting offsets to positions and
// columns, and columns back to offsets, agrees with counting from the
// line start (the long-line index must never change an answer).
func FuzzPositions(f *testing.F) {
	f.Add([]byte("a\r\nbé\n😀x"), 3, 2)
	f.Add([]byte("\xEF\xBB\xBF"+string(make([]byte, 3000))), 2000, 1500)
	f.Fuzz(func(t *testing.T, content []byte, off, col int) {
		file := NewFile("f", content)
		if off < 0 || off > len(content) {
			off = len(content) / 2
		}
		p := file.Pos(off)
		if p.Offset != off || p.Line < 1 || p.Line > file.LineCount() {
			t.Fatalf("Pos(%d) = %+v", off, p)
		}
		start := file.LineStart(p.Line)
		if p.Line == 1 && file.HasBOM() {
			start = min(3, len(content))
		}
		for _, enc := range []Encoding{UTF16, UTF32} {
			if off >= start {
				if got, want := file.Column(p, enc), countUnits(content[start:off], enc); got != want {
					t.Fatalf("enc %d: Column(%d) = %d, want %d", enc, off, got, want)
				}
			}
			if col < 0 {
				col = -col
			}
			col %= len(content) + 2
			end := file.LineEnd(p.Line)
			if got, want := file.Offset(p.Line-1, col, enc), slowOffset(content, start, end, col, enc); got != want {
				t.Fatalf("enc %d: Offset(%d, %d) = %d, want %d", enc, p.Line-1, col, got, want)
			}
		}
	})
}

// newFileByteByByte is NewFile's index built the plain way, one byte at a
// time: NewFile must build the same.
func newFileByteByByte(content []byte) (lines []int, wide []uint64) {
	lines = []int{0}
	for i, b := range content {
		switch {
		case b == '\n':
			lines = append(lines, i+1)
		case b >= 0x80:
			n := len(lines) - 1
			for len(wide) <= n/64 {
				wide = append(wide, 0)
			}
			wide[n/64] |= 1 << (n % 64)
		}
	}
	return lines, wide
}

func FuzzNewFileIndex(f *testing.F) {
	f.Add([]byte("a\r\nbé\n😀x"))
	f.Add([]byte("plain ascii\nlines only\n"))
	f.Add([]byte(strings.Repeat("x\n", 70) + "é\n\n\xff"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, content []byte) {
		file := NewFile("f", content)
		lines, wide := newFileByteByByte(content)
		if !slices.Equal(file.lines, lines) || !slices.Equal(file.wide, wide) {
			t.Fatalf("index of %q: lines %v wide %v, want %v %v", content, file.lines, file.wide, lines, wide)
		}
	})
}

// BenchmarkNewFile indexes 1 MB of configuration-like lines, one in fifty
// with a character that is not ASCII.
func BenchmarkNewFile(b *testing.B) {
	var sb strings.Builder
	for i := 0; sb.Len() < 1<<20; i++ {
		if i%50 == 0 {
			sb.WriteString("    # café\n")
		}
		sb.WriteString("    proxy_set_header X-SSL-Client-Verify $ssl_client_verify;\n")
	}
	content := []byte(sb.String())
	b.SetBytes(int64(len(content)))
	for b.Loop() {
		NewFile("nginx.conf", content)
	}
}
