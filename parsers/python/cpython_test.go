package python

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The differential test against CPython: for every Python file of the
// fixtures and of the shared corpus, the top-level assignments recovered
// here (name, line, literal value) must equal those of CPython's ast module.

const systemPython = "/usr/bin/python3"

// corpusDir finds the shared corpus: $MTLSLINT_CORPUS, else shared/corpus
// found by walking up from the package, else /work/shared/corpus.
func corpusDir() string {
	if d := os.Getenv("MTLSLINT_CORPUS"); d != "" {
		return d
	}
	dir, _ := filepath.Abs(".")
	for {
		c := filepath.Join(dir, "shared", "corpus")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "/work/shared/corpus"
}

func repoRoot(t testing.TB) string {
	dir, _ := filepath.Abs(".")
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
}

func pythonFiles(t testing.TB, dirs ...string) []string {
	var out []string
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, ".py") {
				out = append(out, p)
			}
			return nil
		})
	}
	sort.Strings(out)
	return out
}

type pyAssignment struct {
	Name  string `json:"name"`
	Line  int    `json:"line"`
	Value any    `json:"value,omitempty"`
}

type pyResult struct {
	Error       string         `json:"error"`
	Assignments []pyAssignment `json:"assignments"`
}

// runScript runs a script of testdata with CPython on files and decodes
// its JSON output into res.
func runScript(t *testing.T, name string, files []string, res any) {
	script := filepath.Join("testdata", name)
	out, err := exec.Command(systemPython, append([]string{script}, files...)...).Output()
	if err != nil {
		t.Fatalf("%s %s: %v", systemPython, script, err)
	}
	if err := json.Unmarshal(out, res); err != nil {
		t.Fatalf("decoding CPython's output: %v", err)
	}
}

func runCPython(t *testing.T, files []string) map[string]pyResult {
	var res map[string]pyResult
	runScript(t, "cpython_assignments.py", files, &res)
	for _, r := range res {
		for i := range r.Assignments {
			r.Assignments[i].Value = canonFloats(r.Assignments[i].Value)
		}
	}
	return res
}

// canonFloats rewrites Python's float reprs into Go's shortest form so the
// two sides compare by value.
func canonFloats(v any) any {
	switch x := v.(type) {
	case map[string]any:
		switch x["t"] {
		case "float":
			x["v"] = canonFloat(x["v"].(string))
		case "complex":
			parts := x["v"].([]any)
			x["v"] = []any{canonFloat(parts[0].(string)), canonFloat(parts[1].(string))}
		default:
			for k, e := range x {
				x[k] = canonFloats(e)
			}
		}
		return x
	case []any:
		for i := range x {
			x[i] = canonFloats(x[i])
		}
	}
	return v
}

func canonFloat(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// encodeValue renders a fully known value in the script's tagged form.
func encodeValue(v *Value) any {
	switch o := v.Obj.(type) {
	case NoneObj:
		return map[string]any{"t": "none"}
	case EllipsisObj:
		return map[string]any{"t": "ellipsis"}
	case Bool:
		return map[string]any{"t": "bool", "v": bool(o)}
	case Int:
		return map[string]any{"t": "int", "v": o.String()}
	case Float:
		return map[string]any{"t": "float", "v": strconv.FormatFloat(float64(o), 'g', -1, 64)}
	case Complex:
		return map[string]any{"t": "complex", "v": []any{strconv.FormatFloat(real(o), 'g', -1, 64), strconv.FormatFloat(imag(o), 'g', -1, 64)}}
	case Str:
		return map[string]any{"t": "str", "v": string(o)}
	case Bytes:
		return map[string]any{"t": "bytes", "v": hex.EncodeToString([]byte(o))}
	case *SeqObj:
		items := make([]any, len(o.Elems))
		for i, e := range o.Elems {
			items[i] = encodeValue(e)
		}
		if o.Type == Set {
			sort.Slice(items, func(i, j int) bool { return jsonString(items[i]) < jsonString(items[j]) })
		}
		return map[string]any{"t": [...]string{"list", "tuple", "set"}[o.Type], "v": items}
	case *DictObj:
		items := make([]any, len(o.Keys))
		for i := range o.Keys {
			items[i] = []any{encodeValue(o.Keys[i]), encodeValue(o.Vals[i])}
		}
		return map[string]any{"t": "dict", "v": items}
	}
	return nil
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// normalize round-trips through JSON so both sides have the same Go types.
func normalize(v any) any {
	var out any
	_ = json.Unmarshal([]byte(jsonString(v)), &out)
	return out
}

type recovered struct {
	Name  string
	Line  int
	Value *Value
}

// topAssignments mirrors the script: module body and the bodies of
// if/try/with, Name targets, values evaluated without any binding.
func topAssignments(m *Module) []recovered {
	var out []recovered
	ev := &Evaluator{Module: m, NS: NewNamespace()}
	var walk func([]Stmt)
	var target func(Expr, Expr, int, bool)
	target = func(t, value Expr, line int, single bool) {
		switch x := t.(type) {
		case *Name:
			r := recovered{Name: x.ID, Line: line}
			if single {
				r.Value = ev.expr(value, NewNamespace())
			}
			out = append(out, r)
		case *SeqExpr:
			if x.Type != Set {
				for _, e := range x.Elts {
					target(e, value, line, false)
				}
			}
		}
	}
	walk = func(body []Stmt) {
		for _, s := range body {
			switch x := s.(type) {
			case *Assign:
				line := m.File.Pos(x.Start).Line
				for _, t := range x.Targets {
					target(t, x.Value, line, true)
				}
			case *If:
				walk(x.Body)
				walk(x.Else)
			case *Try:
				walk(x.Body)
				for _, h := range x.Handlers {
					walk(h.Body)
				}
				walk(x.Else)
				walk(x.Finally)
			case *With:
				walk(x.Body)
			}
		}
	}
	walk(m.AllStmts())
	return out
}

// requirePython skips the test without Debian's python3, except under CI,
// where it fails.
func requirePython(t *testing.T) {
	if _, err := os.Stat(systemPython); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required under CI: %v", systemPython, err)
		}
		t.Skipf("%s not available: %v", systemPython, err)
	}
}

func TestCPythonDifferential(t *testing.T) {
	requirePython(t)
	root := repoRoot(t)
	sets := map[string][]string{"fixtures": pythonFiles(t, filepath.Join(root, "fixtures"))}
	if c := filepath.Join(corpusDir(), "django"); dirExists(c) {
		sets["corpus"] = pythonFiles(t, c)
	} else {
		t.Logf("corpus %s not present: only the fixtures are compared", c)
	}
	names := []string{"fixtures", "corpus"}
	for _, set := range names {
		files := sets[set]
		if len(files) == 0 {
			continue
		}
		res := runCPython(t, files)
		var total, got, literals, literalsKnown, wrong, extra, stmts, stmtsParsed int
		for _, path := range files {
			r := res[path]
			if r.Error != "" {
				continue // CPython rejects it too: nothing to compare
			}
			content, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m := Parse(source.NewFile(path, content))
			stmts += len(m.Stmts)
			for _, s := range m.Stmts {
				if s.Err == "" {
					stmtsParsed++
				}
			}
			mine := map[string][]recovered{}
			for _, a := range topAssignments(m) {
				k := fmt.Sprintf("%s:%d", a.Name, a.Line)
				mine[k] = append(mine[k], a)
			}
			theirs := map[string]int{}
			for _, a := range r.Assignments {
				total++
				k := fmt.Sprintf("%s:%d", a.Name, a.Line)
				theirs[k]++
				list := mine[k]
				if len(list) == 0 {
					continue
				}
				got++
				mv := list[0].Value
				if len(list) > 1 {
					mine[k] = list[1:]
				} else {
					delete(mine, k)
				}
				if a.Value == nil {
					continue
				}
				literals++
				if mv == nil || !mv.FullyKnown() {
					continue
				}
				literalsKnown++
				if want, have := normalize(a.Value), normalize(encodeValue(mv)); !reflect.DeepEqual(want, have) {
					wrong++
					t.Errorf("%s:%d %s: CPython %s, mtlslint %s", path, a.Line, a.Name, jsonString(want), jsonString(have))
				}
			}
			for k, list := range mine {
				extra += len(list)
				t.Errorf("%s: mtlslint recovers an assignment CPython does not have: %s", path, k)
			}
		}
		pct := func(a, b int) float64 {
			if b == 0 {
				return 100
			}
			return 100 * float64(a) / float64(b)
		}
		t.Logf("%s: %d files; statements parsed %d/%d (%.2f%%); top-level assignments recovered %d/%d (%.3f%%); literal values known %d/%d (%.3f%%); wrong values %d; spurious assignments %d",
			set, len(files), stmtsParsed, stmts, pct(stmtsParsed, stmts), got, total, pct(got, total), literalsKnown, literals, pct(literalsKnown, literals), wrong, extra)
		if set == "corpus" && pct(got, total) < 99.9 {
			t.Errorf("corpus recovery %.3f%% is below the 99.9%% target", pct(got, total))
		}
		if set == "fixtures" && got != total {
			t.Errorf("fixtures: %d of %d assignments not recovered", total-got, total)
		}
		if literalsKnown != literals {
			t.Errorf("%s: %d literal values CPython computes are unknown here", set, literals-literalsKnown)
		}
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
