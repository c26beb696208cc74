package python

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/parsers/source"
)

func parse(src string) *Module { return Parse(source.NewFile("x.py", []byte(src))) }

func evalSrc(t *testing.T, src string) *Namespace {
	t.Helper()
	return Evaluate(parse(src), nil).NS
}

func TestSplitStatements(t *testing.T) {
	src := "@dec\n@dec2\ndef f():\n    pass\n# c\nif a:\n    x = 1\n# col-0 comment inside\n    y = 2\nelif b:\n    pass\nelse:\n    pass\nZ = (1,\n2)\nW = '''\nnot a statement\n'''\n"
	m := parse(src)
	var lines []int
	for _, s := range m.Stmts {
		lines = append(lines, s.Line)
		if s.Err != "" {
			t.Errorf("line %d: %s", s.Line, s.Err)
		}
	}
	if got, want := lines, []int{1, 6, 14, 16}; !equalInts(got, want) {
		t.Errorf("statement lines %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRewritesKeepPositions(t *testing.T) {
	src := "X: int = 1_000\nY = f\"{a}\"\nZ = rf'\\d{b}'\nif (n := 3):\n    pass\nf(a, **k,)\nasync def g():\n    await h()\nA: Dict[\n  str, int] = {}\n"
	m := parse(src)
	if len(m.Problems) != 0 {
		t.Fatalf("problems: %v", m.Problems)
	}
	rw, _ := RewriteSource([]byte(src), Tokenize([]byte(src)))
	if len(rw) != len(src) || strings.Count(string(rw), "\n") != strings.Count(src, "\n") {
		t.Fatalf("rewrite changed the length or the lines:\n%s", rw)
	}
	ns := Evaluate(m, nil).NS
	if v := ns.Get("X").Value; !v.IsKnown() || Repr(v.Obj) != "1000" {
		t.Errorf("X = %v", v)
	}
	for _, name := range []string{"Y", "Z"} {
		if v := ns.Get(name); v == nil || v.Value.Kind != Unknown {
			t.Errorf("%s should be unknown (an f-string of an undefined name), got %v", name, v)
		}
	}
	if v := ns.Get("n"); v == nil || !v.Value.IsKnown() || Repr(v.Value.Obj) != "3" {
		t.Errorf("n, bound by an assignment expression, = %v", v)
	}
	if v := ns.Get("A").Value; !v.IsKnown() {
		t.Errorf("A = %v", v)
	}
	// ranges point into the original text
	x := ns.Get("X")
	if got := src[x.Value.Range.Start.Offset:x.Value.Range.End.Offset]; got != "1_000" {
		t.Errorf("X's value range covers %q", got)
	}
	y := ns.Get("Y")
	if got := src[y.Value.Range.Start.Offset:y.Value.Range.End.Offset]; got != `f"{a}"` {
		t.Errorf("Y's value range covers %q", got)
	}
}

// An annotation is blanked before the tokens inside it are reached: a
// number, an f-string or a walrus in it must not be written back.
func TestAnnotationContentsStayBlank(t *testing.T) {
	src := "A: Annotated[int, 5] = 3\n" +
		"B: Annotated[int, 1_000] = 1_000\n" +
		"C: Annotated[str, rf'x{y}', \"s\", f\"t\"] = 'c'\n" +
		"D: Dict[str, Tuple[Annotated[int, 0x1F], List[Literal[2, 3.5]]]] = {}\n" +
		"E: Annotated[int, (n := 4)] = 5\n" +
		"F: Annotated[\n    int,\n    7,\n] = 6\n" +
		"G: Literal[8]\n"
	m := parse(src)
	if len(m.Problems) != 0 {
		t.Fatalf("problems: %v", m.Problems)
	}
	rw, _ := RewriteSource([]byte(src), Tokenize([]byte(src)))
	if len(rw) != len(src) {
		t.Fatalf("rewrite changed the length:\n%s", rw)
	}
	ns := Evaluate(m, nil).NS
	for name, want := range map[string]string{"A": "3", "B": "1000", "C": "'c'", "D": "{}", "E": "5", "F": "6"} {
		if v := ns.Get(name); v == nil || !v.Value.IsKnown() || Repr(v.Value.Obj) != want {
			t.Errorf("%s = %v, want %s", name, v, want)
		}
	}
}

func TestUnparsableStatementIsReported(t *testing.T) {
	m := parse("A = 1\nB = {**a, 'x': 1}\ndef f(a, /):\n    pass\nC = 2\n")
	if len(m.Problems) != 2 {
		t.Fatalf("want 2 problems, got %v", m.Problems)
	}
	for _, p := range m.Problems {
		if p.Kind != source.ProblemNotAnalysed || !strings.HasPrefix(p.Message, "not analysed: ") {
			t.Errorf("problem %v", p)
		}
	}
	if m.Problems[0].Range.Start.Line != 2 || m.Problems[1].Range.Start.Line != 3 {
		t.Errorf("problem lines %d, %d", m.Problems[0].Range.Start.Line, m.Problems[1].Range.Start.Line)
	}
	ns := Evaluate(m, nil).NS
	if ns.Get("A") == nil || ns.Get("C") == nil {
		t.Error("statements around the bad one were lost")
	}
	if b := ns.Get("B"); b == nil || b.Value.Kind != Unknown {
		t.Errorf("B should be assigned an unknown value, got %v", b)
	}
}

func TestEvaluator(t *testing.T) {
	ns := evalSrc(t, `
import os
import environ
from decouple import config, Csv
env = environ.Env(FEATURE=(bool, True))
BASE = ["a", "b"]
MIDDLEWARE = BASE + ["c"]
MIDDLEWARE.insert(0, "first")
MIDDLEWARE.remove("b")
MIDDLEWARE += ("d",)
DEBUG = os.environ.get("DJANGO_DEBUG", "False") == "True"
DEBUG2 = os.getenv("D2", "1") in ("1", "true")
REQUIRED = os.environ["SECRET"]
FEATURE = env("FEATURE")
HOSTS = env.list("HOSTS", default=["x"])
DC = config("DC", default="False", cast=bool)
LIST = config("LIST", default="a, b", cast=Csv())
if os.environ.get("PROD"):
    MODE = "prod"
else:
    MODE = "dev"
try:
    from .local import *
except ImportError:
    pass
for x in []:
    LOOPED = 1
UNKNOWN = some_call()
FSTR = f"{BASE}"
`)
	check := func(name, want string) {
		t.Helper()
		b := ns.Get(name)
		if b == nil {
			t.Fatalf("%s not bound", name)
		}
		if got := b.Value.String(); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	check("MIDDLEWARE", "['first', 'a', 'c', 'd']")
	check("DEBUG", "$DJANGO_DEBUG (default False)")
	check("DEBUG2", "$D2 (default True)")
	check("REQUIRED", "$SECRET")
	check("FEATURE", "$FEATURE (default True)")
	check("HOSTS", "$HOSTS (default ['x'])")
	check("DC", "$DC (default False)")
	check("LIST", "$LIST (default ['a', 'b'])")
	check("MODE", "'prod' or 'dev'")
	check("LOOPED", "<unknown>")
	check("UNKNOWN", "<unknown>")
	check("FSTR", "<unknown>")
	if ns.Complete() {
		t.Error("an unresolved star import leaves the namespace open")
	}
}

func TestStringLiterals(t *testing.T) {
	for src, want := range map[string]string{
		`'a\nb'`: "a\nb", `r'a\nb'`: `a\nb`, `'\x41\u00e9'`: "Aé", `'\101'`: "A", `'a' "b"`: "ab", `'\d'`: `\d`,
	} {
		ns := evalSrc(t, "X = "+src+"\n")
		if s, ok := ns.Get("X").Value.Str(); !ok || s != want {
			t.Errorf("%s = %q, want %q", src, s, want)
		}
	}
	if v := evalSrc(t, "X = '\\N{EM DASH}'\n").Get("X").Value; v.Kind != Unknown {
		t.Errorf(`\N{...} must stay unknown, got %v`, v)
	}
}

func TestAppReads(t *testing.T) {
	trees := loadFiles(t, map[string]string{"app/views.py": `
import os

def view(request):
    v = request.META.get("HTTP_X_SSL_CLIENT_VERIFY", "")
    if v.strip() == "SUCCESS":
        pass
    if "HTTP_X_SSL_CLIENT_DN" in request.META:
        pass
    first = request.headers["X-Forwarded-For"].split(",")[0]
    env = os.environ.get("HOME")
    return HttpResponse("ok")
`})
	got := map[string]bool{}
	for _, tr := range trees {
		if tr.App == nil {
			continue
		}
		for _, r := range tr.App.ReadSites {
			s := r.String()
			got[s[:strings.LastIndex(s, "@")]] = true
		}
	}
	for _, k := range []string{`META["HTTP_X_SSL_CLIENT_VERIFY"]`, `META["HTTP_X_SSL_CLIENT_DN"]`, `headers["X-Forwarded-For"]`} {
		if !got[k] {
			t.Errorf("no read %s in %v", k, got)
		}
	}
	for k := range got {
		if strings.Contains(k, "HOME") {
			t.Errorf("os.environ is the process's environment, not the request's: %s", k)
		}
	}
}

func fixtureSeeds(f *testing.F) {
	for _, root := range []string{"../../fixtures", "testdata/syntax"} {
		_ = filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".py") {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(b)
				}
			}
			return nil
		})
	}
	for _, s := range []string{
		"match x:\n    case [a, *b] if a:\n        pass\n", "while n := f():\n    pass\n",
		"class A:\n    async def f(self):\n        await g()\n",
		"def v(request):\n    if request.META.get('HTTP_X') != 'SUCCESS':\n        return HttpResponseForbidden()\n    return self.get_response(request)\n",
	} {
		f.Add([]byte(s))
	}
	for _, s := range []string{"X: int = 1_0\n", "f'{x!r:>{w}}'\n", "if (a := 1):\n\tpass\n", "x = '''\n", "\xef\xbb\xbfA = 1\n", "a = (\n", "f(**k,)\n", "class A:\n    x: int\n"} {
		f.Add([]byte(s))
	}
	// What crashed or exhausted the front end once, just past the limits
	// (generated: the originals are hundreds of kilobytes).
	for _, s := range []string{
		"A = " + strings.Repeat("[", MaxNesting+1) + strings.Repeat("]", MaxNesting+1) + "\n",
		"A = " + strings.Repeat("lambda: ", MaxNesting+1) + "1\n",
		"A = 1" + strings.Repeat(" if x else 1", MaxNesting+1) + "\n",
		"A = 1" + strings.Repeat(" + 1", MaxNesting+1) + "\n",
		"A = 'aaaaaaaaaa'\n" + strings.Repeat("A = A + A\n", 60),
		"A = ['a']\n" + strings.Repeat("A = [A, A]\n", 60),
		"DEBUG = True\r\nA = 1\r\n", "DEBUG = True\rA = 1\r",
	} {
		f.Add([]byte(s))
	}
}

// FuzzSplitAndRewrite checks that the splitter and the rewrites never
// panic, never move a byte, and that parsing and evaluating never panic.
func FuzzSplitAndRewrite(f *testing.F) {
	fixtureSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		toks := Tokenize(src)
		prev := 0
		for _, tk := range toks {
			if tk.Start < prev && tk.Kind != TokNewline || tk.End < tk.Start || tk.End > len(src) {
				t.Fatalf("token %+v out of order or bounds (len %d)", tk, len(src))
			}
			prev = tk.Start
		}
		rw, rws := RewriteSource(src, toks)
		if len(rw) != len(src) {
			t.Fatalf("rewrite changed the length: %d → %d", len(src), len(rw))
		}
		for i := range src {
			if (src[i] == '\n') != (rw[i] == '\n') {
				t.Fatalf("rewrite moved a line break at %d", i)
			}
		}
		for _, r := range rws {
			if r.Start < 0 || r.End > len(src) || r.End < r.Start {
				t.Fatalf("rewrite %+v out of bounds", r)
			}
		}
		f := source.NewFile("fuzz.py", src)
		for _, c := range Split(f, toks) {
			if c.Start > c.End || c.End > len(src) {
				t.Fatalf("chunk %+v out of bounds", c)
			}
		}
		done := make(chan struct{})
		go func() {
			m := Parse(f)
			Evaluate(m, nil)
			analyseFlows(nil, nil, nil, []*Tree{{Module: m, App: AnalyseApp(m)}})
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("parsing %d bytes did not finish in 10s", len(src))
		}
	})
}

func BenchmarkParseEvaluate(b *testing.B) {
	dir := filepath.Join(corpusDir(), "django")
	var files [][]byte
	total := 0
	_ = filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".py") {
			if c, err := os.ReadFile(p); err == nil {
				files = append(files, c)
				total += len(c)
			}
		}
		return nil
	})
	if len(files) == 0 {
		_ = filepath.WalkDir("../../fixtures", func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".py") {
				if c, err := os.ReadFile(p); err == nil {
					files = append(files, c)
					total += len(c)
				}
			}
			return nil
		})
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range files {
			m := Parse(source.NewFile("b.py", c))
			Evaluate(m, nil)
			AnalyseApp(m)
		}
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
}
