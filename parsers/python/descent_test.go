package python

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// countingParser counts the statements texts handed to it.
type countingParser struct {
	p     Parser
	calls *int
}

func (c countingParser) ParseStatement(text []byte, offset func(line, col int) int) ([]Stmt, error) {
	*c.calls++
	return c.p.ParseStatement(text, offset)
}

// tokenCountingParser counts for a parser that takes tokens.
type tokenCountingParser struct{ countingParser }

func (c tokenCountingParser) parseTokens(text []byte, toks []Token, base int, offset func(line, col int) int) ([]Stmt, error) {
	*c.calls++
	return c.p.(tokenParser).parseTokens(text, toks, base, offset)
}

// sameAsGPython parses src with GPython and with Descent (falling back to
// GPython) and fails on any difference in the module: statements with
// their positions, ends and values, and problems (its tokens and
// rewrites come before parsing, the same for both). It returns how many
// texts the descent parser was given and how many went to the fallback.
func sameAsGPython(t *testing.T, name string, src []byte) (texts, fallbacks int) {
	t.Helper()
	f := source.NewFile(name, src)
	var oracleCalls int
	want := ParseWith(f, countingParser{GPython{}, &oracleCalls})
	var descentCalls int
	got := ParseWith(f, tokenCountingParser{countingParser{Descent{Fallback: countingParser{GPython{}, &fallbacks}}, &descentCalls}})
	if !reflect.DeepEqual(got.Problems, want.Problems) {
		t.Errorf("%s: problems differ:\ndescent: %v\ngpython: %v", name, got.Problems, want.Problems)
	}
	if len(got.Stmts) != len(want.Stmts) {
		t.Errorf("%s: %d statements, gpython %d", name, len(got.Stmts), len(want.Stmts))
		return descentCalls, fallbacks
	}
	for i := range want.Stmts {
		if !reflect.DeepEqual(got.Stmts[i], want.Stmts[i]) {
			g, _ := json.Marshal(got.Stmts[i])
			w, _ := json.Marshal(want.Stmts[i])
			k := 0
			for k < len(g) && k < len(w) && g[k] == w[k] {
				k++
			}
			from := max(0, k-300)
			t.Errorf("%s:%d: statement differs at byte %d of its JSON:\ndescent: …%s\ngpython: …%s", name, want.Stmts[i].Line, k, g[from:min(len(g), k+100)], w[from:min(len(w), k+100)])
			return descentCalls, fallbacks
		}
	}
	return descentCalls, fallbacks
}

// TestDescentMatchesGPython holds the recursive-descent parser to gpython,
// the oracle, on every Python file of the fixtures, the test data and the
// Django corpus (when present): the parsed modules are identical, and
// most statement texts never reach gpython.
func TestDescentMatchesGPython(t *testing.T) {
	roots := []string{"../../fixtures", "testdata", "../../internal/precision/deployments"}
	if dir := corpusDir(); dir != "" {
		roots = append(roots, filepath.Join(dir, "django"))
	}
	files := pythonFiles(t, roots...)
	if len(files) < 50 {
		t.Fatalf("only %d Python files found", len(files))
	}
	texts, fallbacks := 0, 0
	for _, p := range files {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		n, fb := sameAsGPython(t, p, src)
		texts += n
		fallbacks += fb
	}
	t.Logf("%d files, %d statement texts, %d went to gpython", len(files), texts, fallbacks)
	if fallbacks*5 > texts {
		t.Errorf("%d of %d statement texts went to gpython: the descent parser no longer covers the common statements", fallbacks, texts)
	}
}

// FuzzDescent checks the descent parser against gpython on any input.
func FuzzDescent(f *testing.F) {
	fixtureSeeds(f)
	for _, s := range []string{
		"if a:\n    x = 1\nelif b:\n    y = 2\nelse:\n    z = 3\n",
		"try:\n    x = 1\nexcept (A, B) as e:\n    pass\nelse:\n    y = 2\nfinally:\n    z = 3\n",
		"@a.b(c, d=1)\n@e\nclass C(B, metaclass=M):\n    def f(self, a, b=1, *args, c, d=2, **kw) -> int:\n        return a, b\n",
		"x = [a for a, b in c if a if b for d in e]\ny = {k: v for k, v in z}\nw = {a, b,}\nv = (yield)\n",
		"a[1:2, ::3], b[x,], c[...]\nf(*a, b=1, **c)\ndel a, b[0], c.d\nfor x, in y: pass\n",
		"lambda: 0\nlambda x, *y, z=1, **w: x\nx = a if b else c or d and not e\nx = -1 ** -2 < 3 is not None not in y\n",
		"from . import (a as b, c,)\nfrom ...x.y import *\nimport a.b as c, d\nglobal a, b\nassert x, 'm'\nraise E from F\n",
		"x: int = 1\nb'a' b'b'\n'a' 'b'\nx = 0o17 + 0x1F + 0b1 + 1.5e3j + .5\n",
		"x = *a, b\n*a, b = c\n[*a] = b\nf(*a, *b)\nf(**a, b=1)\nf(a=1, b)\nf(a for a in b, c)\nf(x=1, x=2)\n",
		"def f(a=1, b): pass\ndef g(*, **k): pass\ndef h(*): pass\ndef i(a, a): pass\ndef j(*, a, b=1): pass\ndef k(a,): pass\n",
		"if a: x = 1\nelif b: y = 2\n",
		"try: x = 1\nexcept E: pass\n",
		"if a:\n    if b:\n        x\n    elif c:\n        y\nelif d:\n    z\n",
		"@f()\ndef g(): pass\n@f(*a)\ndef h(): pass\n",
		"x = 01\nx = 00\nx = 0_1\nx = 1__0\nx = 1e\nx = 0x\nx = 1.e5\nx = 01.5\nx = 1if x else 2\n",
		"a = 'x' b'y'\nb = u'x' r'y'\nc = ur'x'\nd = '\\N{DASH}'\ne = b'\xc3\xa9'\n",
		"x = (a, b) = c\ndel (a, b), [c]\ndel f()\n(a) = 1\n(a,) = 1\n[a, (b, c)] = d\na.b, c[0] = 1, 2\n1 = a\nNone = 1\n",
		"with a as (b, c), d as e[0]: pass\nwith a as f(): pass\nfor a.b in c: pass\nfor f() in c: pass\n",
		"x = [y for y in z if a if b]\nx = {a: b for a, in c}\nx = (a for a in b for c in d)\nx = [lambda: a for a in b]\n",
		"x = a[1:2:3, 4]\nx = a[:, None]\nx = a[b, c:d]\nx = a[()]\nx = a[b][c](d).e\n",
		"x = a < b > c != d\nx = a is not b\nx = not a in b\nx = a not in b\nx = -a ** -b\nx = ~a // b % c @ d\n",
		"global a\nnonlocal b\nreturn\nyield\nyield from a\nx = yield a, b\nraise\nbreak\ncontinue\n",
		"from . import a, b\nfrom .. import (c)\nfrom .a import *\nfrom a import b,\nfrom a import (b,)\nimport a as b, c.d as e\n",
		"class A: pass\nclass B(): pass\nclass C(*a): pass\nclass D(x for x in y): pass\n",
		"if a:\n\tx = 1\n",
		"x = [\n  1,\n  2,\n]\ny = 1 + \\\n  2\n",
		"def f():\n    '''doc\n    string'''\n    return 1\n",
		"a = b = c = 1\na += 1\na.b -= c\na[0] **= 2\na, b += 1\n(a) += 1\nf() += 1\n",
		"x = {**a}\nx = {*a}\nx = (*a,)\nprint(*a, sep='')\n",
		"x = lambda a, b=1, *c, d, **e: 0\nx = lambda *, a: 0\nx = lambda a=1, b: 0\n",
		"x = 1; y = 2;\nif a: pass; x = 1\nwhile a: pass\nelse: pass\n",
		"x = ...\nx = a[...]\nfrom ... import a\nfrom .... import b\n",
		"é = 1\nx = 'é'\n",
		"x = 'a'\n'b'\ny = ('a'\n     'b')\n",
		"try:\n    x\nexcept:\n    y\nexcept E as e:\n    z\nfinally:\n    w\n",
		"def f(a, b: int = 1, *c: str, d: 'x' = 2, **e: bool) -> None:\n    return\n",
		"x: Annotated[int, 5] = 3\ny: A[str, rf'{z}', 1_0, (w := 2)] = 1_0\nz: D[str, T[L[2, 3.5]]] = {}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		sameAsGPython(t, "fuzz.py", src)
	})
}

func BenchmarkParsers(b *testing.B) {
	files := pythonFiles(b, filepath.Join(corpusDir(), "django"))
	if len(files) == 0 {
		b.Skip("no corpus")
	}
	var srcs []*source.File
	total := 0
	for _, p := range files {
		c, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, source.NewFile(p, c))
		total += len(c)
	}
	for _, bc := range []struct {
		name string
		p    Parser
	}{{"gpython", GPython{}}, {"descent", Descent{Fallback: GPython{}}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range srcs {
					ParseWith(f, bc.p)
				}
			}
		})
	}
}

// TestTrailerEnds: a call or subscript ends at its closing bracket with
// either parser, when its function or value is parenthesized and when a
// blanked "await" stands before the bracket. The end once fell back to
// the token where the parser placed the node, so the two parsers gave
// different ends, and gpython's could lie before the start.
func TestTrailerEnds(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"x = (f)(y)\n", "f)(y)"},
		{"x = ((f))(y)\n", "f))(y)"},
		{"x = (f)()\n", "f)()"},
		{"x = (a.b)[0]\n", "a.b)[0]"},
		{"x = (f)(y)(z)\n", "f)(y)(z)"},
		{"x = await (f)(y)\n", "f)(y)"},
		{"x = A0 await ()\n", "A0 await ()"},
		{"x = A0 await (y)\n", "A0 await (y)"},
		{"x = A0 await [y]\n", "A0 await [y]"},
		{"x = f(y)\n", "f(y)"},
	} {
		f := source.NewFile("t.py", []byte(tc.src))
		var fallbacks int
		for _, p := range []struct {
			name string
			p    Parser
		}{{"gpython", GPython{}}, {"descent", Descent{Fallback: countingParser{GPython{}, &fallbacks}}}} {
			m := ParseWith(f, p.p)
			if len(m.Stmts) != 1 || len(m.Stmts[0].Body) != 1 {
				t.Errorf("%s: %q: statements %+v", p.name, tc.src, m.Stmts)
				continue
			}
			a, ok := m.Stmts[0].Body[0].(*Assign)
			if !ok {
				t.Errorf("%s: %q: %T, want an assignment", p.name, tc.src, m.Stmts[0].Body[0])
				continue
			}
			sp := a.Value.Pos()
			if sp.End < sp.Start {
				t.Errorf("%s: %q: value span %d..%d ends before it starts", p.name, tc.src, sp.Start, sp.End)
				continue
			}
			if got := tc.src[sp.Start:sp.End]; got != tc.want {
				t.Errorf("%s: %q: value covers %q, want %q", p.name, tc.src, got, tc.want)
			}
		}
		if fallbacks != 0 {
			t.Errorf("%q went to gpython: the descent parser was not tested", tc.src)
		}
	}
}
