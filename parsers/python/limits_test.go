package python

import (
	"io/fs"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// nestedCases build a statement "X = ..." (or a block) that nests n levels.
var nestedCases = map[string]func(n int) string{
	"lists":     func(n int) string { return "X = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n" },
	"calls":     func(n int) string { return "X = " + strings.Repeat("f(", n) + strings.Repeat(")", n) + "\n" },
	"lambdas":   func(n int) string { return "X = " + strings.Repeat("lambda: ", n) + "1\n" },
	"lambda-ps": func(n int) string { return "X = " + strings.Repeat("lambda a, b=1: ", n) + "1\n" },
	"ifexp":     func(n int) string { return "X = 1" + strings.Repeat(" if y else 1", n) + "\n" },
	"not":       func(n int) string { return "X = " + strings.Repeat("not ", n) + "y\n" },
	"minus":     func(n int) string { return "X = " + strings.Repeat("-", n) + "1\n" },
	"power":     func(n int) string { return "X = 1" + strings.Repeat(" ** 1", n) + "\n" },
	"binop":     func(n int) string { return "X = 1" + strings.Repeat(" + 1", n) + "\n" },
	"attribute": func(n int) string { return "X = a" + strings.Repeat(".b", n) + "\n" },
	"blocks": func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat(" ", i) + "if y:\n")
		}
		b.WriteString(strings.Repeat(" ", n) + "X = 1\n")
		return b.String()
	},
}

// TestNestingLimit: a statement that nests MaxNesting levels is analysed;
// one level more is reported as E006 on its line, its name is bound to an
// unknown value, and the statements around it are analysed.
func TestNestingLimit(t *testing.T) {
	for name, build := range nestedCases {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{MaxNesting, MaxNesting + 1} {
				src := "A = 1\n" + build(n) + "B = 2\n"
				m := Parse(source.NewFile("settings.py", []byte(src)))
				var deep []source.Problem
				for _, p := range m.Problems {
					if p.Kind == source.ProblemTooDeep {
						deep = append(deep, p)
					} else if name != "binop" && name != "attribute" && name != "calls" {
						t.Errorf("depth %d: %s %s", n, p.Kind, p.Message)
					}
				}
				ns := Evaluate(m, nil).NS
				if ns.Get("A") == nil || ns.Get("B") == nil {
					t.Errorf("depth %d: the statements around were not analysed", n)
				}
				if n == MaxNesting {
					if len(deep) != 0 {
						t.Errorf("depth %d (the limit) reported: %v", n, deep)
					}
					continue
				}
				if len(deep) != 1 {
					t.Fatalf("depth %d: E006 problems %v, want one", n, deep)
				}
				if l := deep[0].Range.Start.Line; l < 2 || l > n+2 {
					t.Errorf("depth %d: reported on line %d", n, l)
				}
				if !strings.Contains(deep[0].Message, "deeper than 1000") {
					t.Errorf("message %q", deep[0].Message)
				}
				if name != "blocks" && name != "lambda-ps" {
					if x := ns.Get("X"); x == nil || x.Value.Kind != Unknown {
						t.Errorf("X should be bound to an unknown value, got %v", x)
					}
				}
			}
		})
	}
}

// TestHostileNesting: nesting far beyond the limit (what overflowed the
// stack or took gigabytes before) costs little and is reported once.
func TestHostileNesting(t *testing.T) {
	for name, build := range nestedCases {
		if name == "blocks" {
			continue // quadratic in size by construction; the limit test covers it
		}
		src := build(100000)
		m := Parse(source.NewFile("settings.py", []byte(src)))
		n := 0
		for _, p := range m.Problems {
			if p.Kind == source.ProblemTooDeep {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d E006 problems, want 1", name, n)
		}
		Evaluate(m, nil)
		AnalyseApp(m)
	}
}

// evalProblems evaluates src and returns the namespace and the M002
// problems of the evaluation.
func evalProblems(t *testing.T, src string) (*Namespace, []source.Problem) {
	t.Helper()
	m := Parse(source.NewFile("settings.py", []byte(src)))
	for _, p := range m.Problems {
		t.Fatalf("parse problem %s: %s", p.Range, p.Message)
	}
	ev := Evaluate(m, nil)
	return ev.NS, ev.Problems
}

// TestValueSizeLimit: a value of MaxValueSize is kept; one unit more is
// unknown, and M002 says so on the line that built it.
func TestValueSizeLimit(t *testing.T) {
	cases := map[string]struct {
		src  func(n int) string
		line int
	}{
		"str concat": {func(n int) string {
			return "A = 'a' * 4000\nB = 'b' * " + itoa(n%4000) + "\nC = A" + strings.Repeat(" + A", n/4000-1) + " + B\n"
		}, 3},
		"list elements": {func(n int) string {
			// k elements of 999 bytes and one of the rest: each
			// element counts one more than its size
			k := n/1000 - 1
			return "B = 'b' * 999\nA = [" + strings.Repeat("B, ", k) + "'c' * " + itoa(n-k*1000-1) + "]\n"
		}, 2},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{MaxValueSize, MaxValueSize + 2} {
				ns, probs := evalProblems(t, c.src(n)+"Z = 1\n")
				last := ns.Get(map[bool]string{true: "C", false: "A"}[name == "str concat"])
				if n == MaxValueSize {
					if !last.Value.IsKnown() || len(probs) != 0 {
						t.Errorf("size %d (the limit): %v, problems %v", n, last.Value.Kind, probs)
					}
					continue
				}
				if last.Value.Kind != Unknown || !strings.Contains(last.Value.Reason, "larger than") {
					t.Errorf("size %d: %v %q", n, last.Value.Kind, last.Value.Reason)
				}
				if len(probs) != 1 || probs[0].Kind != source.ProblemNotAnalysed || probs[0].Range.Start.Line != c.line || !strings.Contains(probs[0].Message, "larger than") {
					t.Errorf("size %d: problems %v", n, probs)
				}
				if z := ns.Get("Z"); z == nil || !z.Value.IsKnown() {
					t.Error("the statement after was not evaluated")
				}
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestHostileValues: what allocated gigabytes before (doubling a string,
// a list or a nested list sixty times, huge integers, joins and
// replacements) ends in an unknown value with one M002.
func TestHostileValues(t *testing.T) {
	for name, src := range map[string]string{
		"str doubling":    "A = 'aaaaaaaaaa'\n" + strings.Repeat("A = A + A\n", 60),
		"list doubling":   "A = ['a', 'b']\n" + strings.Repeat("A = A + A\n", 60),
		"nested doubling": "A = ['a']\n" + strings.Repeat("A = [A, A]\n", 60),
		"augmented":       "A = ['a']\n" + strings.Repeat("A += A\n", 60),
		"extend":          "A = ['a']\n" + strings.Repeat("A.extend(A)\n", 60),
		"int squaring":    "A = 10 ** 256\n" + strings.Repeat("A = A * A\n", 60),
		"int power":       "A = 10 ** 256\nA = A ** 256\nA = A ** 256\n",
		"str repeat":      "A = 'a' * 4000\nA = A * 4000\n",
		"join":            "A = 'a' * 4000\nS = A * 200\nB = S.join([S, S, S, S])\nC = B.join([B, B, B, B, B])\n",
		"replace":         "A = 'a' * 4000\nB = A * 200\nC = B.replace('a', B)\n",
		"replace empty":   "A = 'a' * 4000\nB = A * 200\nC = B.replace('', B)\n",
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtimeMem
			before.read()
			_, probs := evalProblems(t, src+"Z = 1\n")
			after.read()
			if after.alloc-before.alloc > 256<<20 {
				t.Errorf("allocated %d MiB", (after.alloc-before.alloc)>>20)
			}
			if len(probs) == 0 {
				t.Error("no M002")
			}
			for _, p := range probs {
				if p.Kind != source.ProblemNotAnalysed {
					t.Errorf("%s %s", p.Kind, p.Message)
				}
			}
		})
	}
}

// TestEvaluationBudget: quadratic evaluation (a dict copied on every item
// assignment, a list appended to one item at a time, namespaces copied
// for every if) stops at the budget: the names assigned after it are
// unknown, and M002 says so once.
func TestEvaluationBudget(t *testing.T) {
	for name, build := range map[string]func(n int) string{
		"dict items": func(n int) string {
			var b strings.Builder
			b.WriteString("D = {}\n")
			for i := range n {
				b.WriteString("D['k" + itoa(i) + "'] = 1\n")
			}
			return b.String()
		},
		"appends": func(n int) string {
			var b strings.Builder
			b.WriteString("L = []\n")
			for range n {
				b.WriteString("L.append(1)\n")
			}
			return b.String()
		},
		"ifs": func(n int) string {
			var b strings.Builder
			for i := range n {
				b.WriteString("N" + itoa(i) + " = 1\nif x:\n    pass\n")
			}
			return b.String()
		},
	} {
		t.Run(name, func(t *testing.T) {
			src := build(15000) + "Z = 1\n"
			ns, probs := evalProblems(t, src)
			if z := ns.Get("Z"); z == nil || z.Value.Kind != Unknown || !strings.Contains(z.Value.Reason, "budget") {
				t.Errorf("Z = %v", z)
			}
			budget := 0
			for _, p := range probs {
				if strings.Contains(p.Message, "budget") {
					budget++
				}
			}
			if budget != 1 {
				t.Errorf("%d budget problems: %v", budget, probs)
			}
		})
	}
}

type runtimeMem struct{ alloc uint64 }

func (m *runtimeMem) read() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.alloc = ms.TotalAlloc
}

// mapReader serves files from a map (a source.Reader for loader tests).
type mapReader map[string]string

func (r mapReader) ReadFile(p string) (*source.File, error) {
	if c, ok := r[p]; ok {
		return source.NewFile(p, []byte(c)), nil
	}
	return nil, fs.ErrNotExist
}

func (r mapReader) Glob(string) ([]string, error) { return nil, nil }

func (r mapReader) Stat(p string) (fs.FileInfo, error) {
	if c, ok := r[p]; ok {
		return fstest.MapFS{p: {Data: []byte(c)}}.Stat(p)
	}
	return nil, fs.ErrNotExist
}

// TestImportDepthLimit: settings that star-import a chain of modules are
// followed maxImportDepth modules deep; the import that would go deeper
// is reported as E006 where it is written, and what it would bring is
// open (any name may come from it).
func TestImportDepthLimit(t *testing.T) {
	for _, n := range []int{maxImportDepth, maxImportDepth + 1} {
		files := mapReader{}
		// n star imports: settings → m0 → … → m(n-1)
		for i := range n - 1 {
			files["proj/m"+itoa(i)+".py"] = "from .m" + itoa(i+1) + " import *\n"
		}
		files["proj/m"+itoa(n-1)+".py"] = "DEEP = 1\n"
		files["proj/settings.py"] = "SECRET_KEY = 'x'\nfrom .m0 import *\n"
		trees, probs := Load(files, []string{"proj/settings.py"})
		ns := trees[0].Settings
		deep := ns.Get("DEEP")
		if n == maxImportDepth {
			if deep == nil || len(probs) != 0 {
				t.Errorf("depth %d (the limit): DEEP = %v, problems %v", n, deep, probs)
			}
			continue
		}
		if deep != nil || len(ns.Open) == 0 {
			t.Errorf("depth %d: DEEP = %v, open %v", n, deep, ns.Open)
		}
		if len(probs) != 1 || probs[0].Kind != source.ProblemTooDeep || probs[0].Range.File != "proj/m"+itoa(maxImportDepth-1)+".py" || probs[0].Range.Start.Line != 1 {
			t.Errorf("depth %d: problems %v", n, probs)
		}
	}
}

// FuzzLoad: modules that star-import each other (the fuzz input is both
// of them): the loader never panics, follows no cycle for ever, and
// positions every problem in a module it read.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("from .b import *\nA = 1\n"))
	f.Add([]byte("from .a import *\nfrom .b import *\nX = [A, B]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		files := mapReader{
			"p/a.py":        "from .b import *\n" + string(src),
			"p/b.py":        string(src) + "\nfrom .a import *\n",
			"p/settings.py": "SECRET_KEY = 'x'\nfrom .a import *\n" + string(src),
		}
		_, probs := Load(files, []string{"p/settings.py", "p/a.py"})
		for _, p := range probs {
			c, ok := files[p.Range.File]
			if !ok || p.Range.Start.Offset > len(c) || p.Range.End.Offset < p.Range.Start.Offset {
				t.Fatalf("problem out of place: %+v", p)
			}
		}
	})
}
