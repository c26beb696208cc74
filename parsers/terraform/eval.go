package terraform

import (
	"math"
	"sort"
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// functions are the Terraform functions evaluated here: pure ones that
// commonly wrap literal settings. Any other call makes its value unknown.
var functions = sync.OnceValue(func() map[string]function.Function {
	return map[string]function.Function{
		"coalesce": stdlib.CoalesceFunc,
		"concat":   stdlib.ConcatFunc,
		"contains": stdlib.ContainsFunc,
		"keys":     stdlib.KeysFunc,
		"length":   stdlib.LengthFunc,
		"lookup":   stdlib.LookupFunc,
		"lower":    stdlib.LowerFunc,
		"merge":    stdlib.MergeFunc,
		"tobool":   stdlib.MakeToFunc(cty.Bool),
		"tolist":   stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":    stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tostring": stdlib.MakeToFunc(cty.String),
		"upper":    stdlib.UpperFunc,
		"values":   stdlib.ValuesFunc,
		"try":      tryfunc.TryFunc,
		"can":      tryfunc.CanFunc,
	}
})

// maxLocalPasses bounds the fixed-point evaluation of locals that refer to
// each other.
const maxLocalPasses = 16

// buildContext evaluates the module's variables and locals into the
// context every expression of the module is evaluated in.
func (m *Module) buildContext() {
	vars := map[string]cty.Value{}
	for name, v := range m.Variables {
		if v.Known {
			vars[name] = v.Value.V
		} else {
			vars[name] = cty.DynamicVal
		}
	}
	locals := map[string]cty.Value{}
	for name := range m.Locals {
		locals[name] = cty.DynamicVal
	}
	m.ctx = &hcl.EvalContext{Variables: map[string]cty.Value{}, Functions: functions()}
	m.ctx.Variables["var"] = objectOf(vars)
	m.ctx.Variables["local"] = objectOf(locals)
	names := make([]string, 0, len(m.Locals))
	for name := range m.Locals {
		names = append(names, name)
	}
	sort.Strings(names)
	for pass := 0; pass < maxLocalPasses; pass++ {
		changed := false
		for _, name := range names {
			l := m.Locals[name]
			v := evaluate(m.ctx, l.Value.expr, nil)
			if !v.RawEquals(locals[name]) {
				locals[name] = v
				changed = true
			}
		}
		m.ctx.Variables["local"] = objectOf(locals)
		if !changed {
			break
		}
	}
	m.localVars = map[string][]string{}
	for pass := 0; pass < maxLocalPasses; pass++ {
		changed := false
		for _, name := range names {
			deps := m.varsOf(m.Locals[name].Value.expr)
			if len(deps) != len(m.localVars[name]) {
				m.localVars[name] = deps
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for _, name := range names {
		l := m.Locals[name]
		l.Value.V = locals[name]
		l.Value.Vars = m.localVars[name]
	}
}

func objectOf(vals map[string]cty.Value) cty.Value {
	if len(vals) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(vals)
}

// evaluate evaluates e in ctx with extra bindings; every root name that
// neither binds (resources, data sources, each, count, path, …) is unknown.
// An expression that fails to evaluate is unknown.
func evaluate(ctx *hcl.EvalContext, e hclsyntax.Expression, extra map[string]cty.Value) (v cty.Value) {
	if e == nil {
		return cty.DynamicVal
	}
	defer func() {
		if recover() != nil {
			v = cty.DynamicVal
		}
	}()
	child := ctx.NewChild()
	child.Variables = map[string]cty.Value{}
	for k, val := range extra {
		child.Variables[k] = val
	}
	for _, t := range e.Variables() {
		root := t.RootName()
		if _, ok := child.Variables[root]; ok {
			continue
		}
		if _, ok := ctx.Variables[root]; ok {
			continue
		}
		child.Variables[root] = cty.DynamicVal
	}
	v, diags := e.Value(child)
	if diags.HasErrors() || v == cty.NilVal {
		return cty.DynamicVal
	}
	return v
}

// varsOf lists the variables (with a known value) that an expression rests
// on, directly or through locals.
func (m *Module) varsOf(e hclsyntax.Expression) []string {
	if e == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, t := range e.Variables() {
		if len(t) < 2 {
			continue
		}
		attr, ok := t[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		switch t.RootName() {
		case "var":
			if v := m.Variables[attr.Name]; v != nil && v.Known {
				seen[attr.Name] = true
			}
		case "local":
			for _, n := range m.localVars[attr.Name] {
				seen[n] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Value is the value of an attribute, as far as it is known.
type Value struct {
	// V is the value; cty.DynamicVal (or a value containing unknowns) when
	// it is not known statically.
	V cty.Value
	// Range is where the value is written: the attribute, or the object
	// that holds it when it comes from an evaluated expression.
	Range source.Range
	// Vars are the variables whose defaults the value rests on.
	Vars []string
	expr hclsyntax.Expression
	file *source.File
}

// Known reports whether the value is fully known.
func (v Value) Known() bool {
	return v.V != cty.NilVal && v.V.IsWhollyKnown()
}

// IsNull reports whether the value is known to be null (unset).
func (v Value) IsNull() bool {
	return v.V != cty.NilVal && v.V.IsKnown() && v.V.IsNull()
}

// Str returns the value as a string when it is a known string, number or
// bool.
func (v Value) Str() (string, bool) {
	if !v.Known() || v.V.IsNull() {
		return "", false
	}
	switch v.V.Type() {
	case cty.String:
		return v.V.AsString(), true
	case cty.Number:
		return numberText(v.V), true
	case cty.Bool:
		if v.V.True() {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// numberText writes a number as Terraform would for a string: whole
// numbers in decimal, others in exponent form when they are very large or
// small, so that a literal such as 1e9999999 does not turn into ten million
// digits.
func numberText(v cty.Value) string {
	f := v.AsBigFloat()
	if f.IsInt() && f.MantExp(nil) <= 64 {
		return f.Text('f', 0)
	}
	if exp := f.MantExp(nil); exp > -64 && exp <= 64 {
		return f.Text('f', -1)
	}
	// Converting a huge big.Float to decimal costs time in proportion to
	// its exponent; a float64 approximation is enough for a message.
	x, _ := f.Float64()
	if math.IsInf(x, 0) {
		if f.Sign() < 0 {
			return "-inf"
		}
		return "+inf"
	}
	return strconv.FormatFloat(x, 'g', -1, 64)
}

// Bool returns the value as a bool when it is a known bool (or the string
// "true"/"false", which Terraform converts).
func (v Value) Bool() (val, ok bool) {
	s, ok := v.Str()
	switch {
	case !ok:
		return false, false
	case s == "true":
		return true, true
	case s == "false":
		return false, true
	}
	return false, false
}

// Literal returns the range of the value's expression when it is a literal
// written right there (a number, bool, null or a string without
// interpolation), which a fix can replace.
func (v Value) Literal() (source.Range, bool) {
	if v.expr == nil || v.file == nil {
		return source.Range{}, false
	}
	switch e := v.expr.(type) {
	case *hclsyntax.LiteralValueExpr:
	case *hclsyntax.TemplateExpr:
		if !e.IsStringLiteral() {
			return source.Range{}, false
		}
	default:
		return source.Range{}, false
	}
	r := v.expr.Range()
	return v.file.Range(r.Start.Byte, r.End.Byte), true
}

// Ref is a reference to a resource of the same module.
type Ref struct {
	Type, Name string
}

// Refs lists the resources the expression refers to (TYPE.NAME…). Data
// sources, variables and module outputs are not resources.
func (v Value) Refs() []Ref {
	if v.expr == nil {
		return nil
	}
	var out []Ref
	seen := map[Ref]bool{}
	for _, t := range v.expr.Variables() {
		root := t.RootName()
		if len(t) < 2 || notResource[root] {
			continue
		}
		attr, ok := t[1].(hcl.TraverseAttr)
		if !ok {
			continue
		}
		r := Ref{Type: root, Name: attr.Name}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

var notResource = map[string]bool{"var": true, "local": true, "module": true, "data": true, "each": true, "count": true, "path": true, "terraform": true, "self": true}
