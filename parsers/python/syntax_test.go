package python

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The differential test for the syntax newer than the parser's grammar:
// every assignment expression, f-string and match statement of the
// fixtures, the precision deployments, the shared corpus and
// testdata/syntax must read here as CPython's ast reads it (target and
// value kind, literal parts and fields with their positions, patterns,
// guards, case bodies).

type syntaxRecord struct {
	K       string `json:"k"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Target  string `json:"target,omitempty"`
	Value   string `json:"value,omitempty"`
	Parts   any    `json:"parts,omitempty"`
	Subject string `json:"subject,omitempty"`
	Cases   any    `json:"cases,omitempty"`
}

func (r syntaxRecord) key() string { return fmt.Sprintf("%s:%d:%d", r.K, r.Line, r.Col) }

type syntaxResult struct {
	Error   string         `json:"error"`
	Records []syntaxRecord `json:"records"`
}

// exprType names a node as CPython's ast does (comprehensions as "Comp").
func exprType(e Expr) string {
	switch x := e.(type) {
	case *Name:
		return "Name"
	case *Const:
		return "Constant"
	case *SeqExpr:
		return [...]string{"List", "Tuple", "Set"}[x.Type]
	case *DictExpr:
		return "Dict"
	case *Attribute:
		return "Attribute"
	case *Subscript:
		return "Subscript"
	case *Call:
		return "Call"
	case *BinOp:
		return "BinOp"
	case *UnaryOp:
		return "UnaryOp"
	case *BoolOp:
		return "BoolOp"
	case *Compare:
		return "Compare"
	case *IfExp:
		return "IfExp"
	case *NamedExpr:
		return "NamedExpr"
	case *JoinedStr:
		return "JoinedStr"
	case *FormattedValue:
		return "FormattedValue"
	case *Opaque:
		switch x.What {
		case "lambda":
			return "Lambda"
		case "comprehension":
			return "Comp"
		case "yield":
			return "Yield"
		case "starred":
			return "Starred"
		}
		return "?" + x.What
	}
	return "?"
}

// patExpr renders a pattern's value as the script does.
func patExpr(e Expr) string {
	switch x := e.(type) {
	case *Const:
		if c, ok := x.Value.(Complex); ok && real(c) == 0 {
			return strconv.FormatFloat(imag(c), 'g', -1, 64) + "j" // Python's repr of an imaginary literal
		}
		if x.Value == nil {
			return "?"
		}
		return Repr(x.Value)
	case *Name:
		return x.ID
	case *Attribute:
		return patExpr(x.Value) + "." + x.Attr
	case *UnaryOp:
		return x.Op + patExpr(x.X)
	case *BinOp:
		return patExpr(x.Left) + x.Op + patExpr(x.Right)
	}
	return exprType(e)
}

func patString(p *Pattern) string {
	if p == nil {
		return "?"
	}
	join := func(ps []*Pattern) string {
		s := make([]string, len(ps))
		for i, q := range ps {
			s[i] = patString(q)
		}
		return strings.Join(s, ",")
	}
	switch p.Kind {
	case PatValue:
		return "V(" + patExpr(p.Value) + ")"
	case PatSingleton:
		return "S(" + patExpr(p.Value) + ")"
	case PatAs:
		inner := ""
		if len(p.Subs) > 0 {
			inner = patString(p.Subs[0])
		}
		return "A(" + inner + "," + p.Name + ")"
	case PatOr:
		return "O(" + join(p.Subs) + ")"
	case PatSequence:
		return "Q(" + join(p.Subs) + ")"
	case PatStar:
		if p.Name == "" {
			return "*_"
		}
		return "*" + p.Name
	case PatMapping:
		var items []string
		for i, k := range p.Keys {
			items = append(items, patExpr(k)+":"+patString(p.Subs[i]))
		}
		if p.Name != "" {
			items = append(items, "**"+p.Name)
		}
		return "M(" + strings.Join(items, ",") + ")"
	case PatClass:
		var kws []string
		for i, k := range p.KwNames {
			kws = append(kws, k+"="+patString(p.KwSubs[i]))
		}
		return "C(" + patExpr(p.Class) + ";" + join(p.Subs) + ";" + strings.Join(kws, ",") + ")"
	}
	return "?"
}

// syntaxRecords dumps a module's newer syntax as the script does.
func syntaxRecords(m *Module) []syntaxRecord {
	pos := func(off int) (int, int) {
		p := m.File.Pos(off)
		return p.Line, off - m.File.LineStart(p.Line)
	}
	var fparts func(js *JoinedStr) []any
	fparts = func(js *JoinedStr) []any {
		out := []any{}
		for _, part := range js.Parts {
			switch x := part.(type) {
			case *Const:
				s, _ := x.Value.(Str)
				out = append(out, []any{"c", string(s)})
			case *FormattedValue:
				conv := -1
				if x.Conversion != 0 {
					conv = int(x.Conversion)
				}
				l, c := pos(x.Value.Pos().Start)
				var spec any
				if x.Spec != nil {
					spec = fparts(x.Spec)
				}
				out = append(out, []any{"f", exprType(x.Value), l, c, conv, spec})
			}
		}
		return out
	}
	var out []syntaxRecord
	WalkStmts(m.AllStmts(), func(s Stmt) bool {
		if ms, ok := s.(*Match); ok {
			l, c := pos(ms.Start)
			cases := []any{}
			for _, mc := range ms.Cases {
				guard := ""
				if mc.Guard != nil {
					guard = exprType(mc.Guard)
				}
				cases = append(cases, []any{patString(mc.Pattern), guard, len(mc.Body)})
			}
			out = append(out, syntaxRecord{K: "match", Line: l, Col: c, Subject: exprType(ms.Subject), Cases: cases})
		}
		specs := map[*JoinedStr]bool{}
		for _, e := range StmtExprs(s) {
			WalkExpr(e, func(e Expr) bool {
				switch x := e.(type) {
				case *NamedExpr:
					l, c := pos(x.Start)
					out = append(out, syntaxRecord{K: "named", Line: l, Col: c, Target: x.Target.ID, Value: exprType(x.Value)})
				case *FormattedValue:
					if x.Spec != nil {
						specs[x.Spec] = true
					}
				case *JoinedStr:
					if !specs[x] {
						l, c := pos(x.Start)
						out = append(out, syntaxRecord{K: "fstr", Line: l, Col: c, Parts: fparts(x)})
					}
				}
				return true
			})
		}
		return true
	})
	return out
}

func TestSyntaxDifferential(t *testing.T) {
	requirePython(t)
	root := repoRoot(t)
	files := pythonFiles(t, filepath.Join(root, "fixtures"), filepath.Join(root, "internal", "precision", "deployments"), filepath.Join("testdata", "syntax"))
	if c := filepath.Join(corpusDir(), "django"); dirExists(c) {
		files = append(files, pythonFiles(t, c)...)
	}
	var res map[string]syntaxResult
	runScript(t, "cpython_syntax.py", files, &res)
	counts := map[string][2]int{}
	for _, path := range files {
		r := res[path]
		if r.Error != "" {
			continue
		}
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := Parse(source.NewFile(path, content))
		mine := map[string]syntaxRecord{}
		for _, rec := range syntaxRecords(m) {
			mine[rec.key()] = rec
		}
		keys := make([]string, 0, len(r.Records))
		theirs := map[string]syntaxRecord{}
		for _, rec := range r.Records {
			theirs[rec.key()] = rec
			keys = append(keys, rec.key())
		}
		sort.Strings(keys)
		for _, k := range keys {
			want := theirs[k]
			c := counts[want.K]
			c[1]++
			have, ok := mine[k]
			switch {
			case !ok:
				t.Errorf("%s: %s %s not read here (%s)", path, k, want.K, jsonString(want))
			case !reflect.DeepEqual(normalize(want), normalize(have)):
				t.Errorf("%s: %s\n CPython  %s\n mtlslint %s", path, k, jsonString(want), jsonString(have))
			default:
				c[0]++
			}
			counts[want.K] = c
			delete(mine, k)
		}
		for k, rec := range mine {
			t.Errorf("%s: mtlslint reads %s that CPython does not have: %s", path, k, jsonString(rec))
		}
	}
	for _, k := range []string{"named", "fstr", "match"} {
		t.Logf("%s: %d/%d read as CPython reads them", k, counts[k][0], counts[k][1])
	}
	if counts["match"][1] == 0 || counts["named"][1] == 0 || counts["fstr"][1] == 0 {
		t.Errorf("the inputs hold no match statement, assignment expression or f-string: %v", counts)
	}
}
