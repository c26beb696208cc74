package terraform

import (
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Object is something with named attributes and nested objects, whichever
// way it is written: a block (`mutual_authentication { … }`), an object
// constructor (`mutual_authentication = { … }`), the content of a `dynamic`
// block, or an evaluated value (`mutual_authentication = var.mtls`).
type Object struct {
	mod  *Module
	file *source.File
	body *hclsyntax.Body
	cons *hclsyntax.ObjectConsExpr
	val  cty.Value // when body and cons are nil
	// bound are the iterators of enclosing dynamic blocks.
	bound map[string]cty.Value
	// Range is the whole object.
	Range source.Range
	// Header is where the object opens: a block's type and labels, or
	// `name = {`. Findings about something missing anchor here.
	Header source.Range
	// Maybe: the object comes from a dynamic block whose for_each is not
	// known, so it may not exist at all.
	Maybe bool
}

// File is the file the object is written in.
func (o *Object) File() *source.File { return o.file }

// Module is the module the object belongs to.
func (o *Object) Module() *Module { return o.mod }

func (m *Module) blockObject(f *source.File, b *hclsyntax.Block, bound map[string]cty.Value) *Object {
	return &Object{
		mod: m, file: f, body: b.Body, bound: bound,
		Range:  f.Range(b.TypeRange.Start.Byte, b.CloseBraceRange.End.Byte),
		Header: f.Range(b.TypeRange.Start.Byte, b.OpenBraceRange.End.Byte),
	}
}

func (o *Object) eval(e hclsyntax.Expression) cty.Value {
	ctx := o.mod.ctx
	if ctx == nil { // during loading, before the context exists
		ctx = &hcl.EvalContext{Functions: functions()}
	}
	return evaluate(ctx, e, o.bound)
}

// value makes the Value of an expression written at rng.
func (o *Object) value(e hclsyntax.Expression, rng source.Range) Value {
	return Value{V: o.eval(e), Range: rng, Vars: o.mod.varsOf(e), expr: e, file: o.file}
}

// item is one attribute of a block or one entry of an object constructor.
type item struct {
	name  string
	expr  hclsyntax.Expression
	rng   source.Range // the whole attribute or entry
	start int          // byte offset where the name starts
}

func (o *Object) items() []item {
	switch {
	case o.body != nil:
		out := make([]item, 0, len(o.body.Attributes))
		for name, a := range o.body.Attributes {
			out = append(out, item{name: name, expr: a.Expr, rng: o.file.Range(a.SrcRange.Start.Byte, a.SrcRange.End.Byte), start: a.SrcRange.Start.Byte})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
		return out
	case o.cons != nil:
		out := make([]item, 0, len(o.cons.Items))
		for _, it := range o.cons.Items {
			name := o.key(it.KeyExpr)
			if name == "" {
				continue
			}
			start := it.KeyExpr.Range().Start.Byte
			out = append(out, item{name: name, expr: it.ValueExpr, rng: o.file.Range(start, it.ValueExpr.Range().End.Byte), start: start})
		}
		return out
	}
	return nil
}

// key returns an object constructor key as a string ("" when unknown).
func (o *Object) key(e hclsyntax.Expression) string {
	if kw := hcl.ExprAsKeyword(e); kw != "" {
		return kw
	}
	v := o.eval(e)
	if v.IsKnown() && !v.IsNull() && v.Type() == cty.String {
		return v.AsString()
	}
	return ""
}

// AttrNames lists the attributes set on the object, in source order.
func (o *Object) AttrNames() []string {
	if o.body == nil && o.cons == nil {
		return valueKeys(o.val)
	}
	var out []string
	for _, it := range o.items() {
		out = append(out, it.name)
	}
	return out
}

func valueKeys(v cty.Value) []string {
	if !v.IsKnown() || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		out = append(out, k.AsString())
	}
	return out
}

// Attr returns the attribute called name; ok is false when it is not set.
// Nested blocks are not attributes.
func (o *Object) Attr(name string) (v Value, ok bool) {
	if o.body == nil && o.cons == nil {
		ev, ok := getAttr(o.val, name)
		if !ok {
			return Value{}, false
		}
		return Value{V: ev, Range: o.Header}, true
	}
	for _, it := range o.items() {
		if it.name == name {
			return o.value(it.expr, it.rng), true
		}
	}
	return Value{}, false
}

// getAttr returns v[name]; an unknown v gives an unknown attribute.
func getAttr(v cty.Value, name string) (cty.Value, bool) {
	if v == cty.NilVal || !v.IsKnown() {
		return cty.DynamicVal, true
	}
	if v.IsNull() {
		return cty.NilVal, false
	}
	t := v.Type()
	switch {
	case t.IsObjectType():
		if !t.HasAttribute(name) {
			return cty.NilVal, false
		}
		return v.GetAttr(name), true
	case t.IsMapType():
		k := cty.StringVal(name)
		if v.HasIndex(k).True() {
			return v.Index(k), true
		}
	}
	return cty.NilVal, false
}

// Objects returns the nested objects called name: blocks of that type,
// `dynamic "name"` blocks (one object per element of a known for_each, or
// one Maybe object when for_each is unknown), and an attribute of that
// name holding an object or a list of objects.
func (o *Object) Objects(name string) []*Object {
	var out []*Object
	if o.body != nil {
		for _, b := range o.body.Blocks {
			switch {
			case b.Type == name:
				out = append(out, o.mod.blockObject(o.file, b, o.bound))
			case b.Type == "dynamic" && len(b.Labels) == 1 && b.Labels[0] == name:
				out = append(out, o.dynamic(b)...)
			}
		}
	}
	if o.body == nil && o.cons == nil {
		if v, ok := getAttr(o.val, name); ok {
			out = append(out, o.fromValue(v, o.Header)...)
		}
		return out
	}
	for _, it := range o.items() {
		if it.name == name {
			out = append(out, o.fromExpr(it.expr, it.rng)...)
		}
	}
	return out
}

// fromExpr turns an attribute's expression into objects, keeping syntax
// (and so ranges) where the expression is written out.
func (o *Object) fromExpr(e hclsyntax.Expression, rng source.Range) []*Object {
	return o.fromExprValue(e, rng, cty.NilVal)
}

// fromExprValue is fromExpr given e's value when it is evaluated already
// (cty.NilVal when not): evaluating costs more than the rest of a walk.
func (o *Object) fromExprValue(e hclsyntax.Expression, rng source.Range, v cty.Value) []*Object {
	switch x := e.(type) {
	case *hclsyntax.ParenthesesExpr:
		return o.fromExprValue(x.Expression, rng, v)
	case *hclsyntax.ObjectConsExpr:
		start := rng.Start.Offset
		return []*Object{{mod: o.mod, file: o.file, cons: x, bound: o.bound, Range: rng,
			Header: o.file.Range(start, x.OpenRange.End.Byte)}}
	case *hclsyntax.TupleConsExpr:
		var out []*Object
		for _, el := range x.Exprs {
			r := o.file.Range(el.Range().Start.Byte, el.Range().End.Byte)
			out = append(out, o.fromExpr(el, r)...)
		}
		return out
	}
	if v == cty.NilVal {
		v = o.eval(e)
	}
	head := o.file.Range(rng.Start.Offset, o.file.LineEnd(rng.Start.Line))
	return o.fromValue(v, head)
}

// fromValue turns an evaluated value into objects: an object (or map) is
// one, a list, set or tuple of them is several, null is none, and an
// unknown value is one object whose attributes are all unknown.
func (o *Object) fromValue(v cty.Value, at source.Range) []*Object {
	mk := func(v cty.Value) *Object {
		return &Object{mod: o.mod, file: o.file, val: v, bound: o.bound, Range: at, Header: at}
	}
	if v == cty.NilVal {
		return nil
	}
	if !v.IsKnown() {
		ob := mk(cty.DynamicVal)
		ob.Maybe = true
		return []*Object{ob}
	}
	if v.IsNull() {
		return nil
	}
	t := v.Type()
	switch {
	case t.IsObjectType() || t.IsMapType():
		return []*Object{mk(v)}
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		var out []*Object
		for it := v.ElementIterator(); it.Next(); {
			_, el := it.Element()
			out = append(out, o.fromValue(el, at)...)
		}
		return out
	}
	return nil
}

// dynamic expands a `dynamic` block.
func (o *Object) dynamic(b *hclsyntax.Block) []*Object {
	iter := b.Labels[0]
	if a, ok := b.Body.Attributes["iterator"]; ok {
		if kw := hcl.ExprAsKeyword(a.Expr); kw != "" {
			iter = kw
		}
	}
	var content *hclsyntax.Block
	for _, c := range b.Body.Blocks {
		if c.Type == "content" {
			content = c
			break
		}
	}
	if content == nil {
		return nil
	}
	bind := func(k, v cty.Value) map[string]cty.Value {
		m := map[string]cty.Value{}
		for name, val := range o.bound {
			m[name] = val
		}
		m[iter] = cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})
		return m
	}
	mk := func(bound map[string]cty.Value) *Object {
		ob := o.mod.blockObject(o.file, content, bound)
		// The finding belongs where the block is declared, not at "content".
		ob.Range = o.file.Range(b.TypeRange.Start.Byte, b.CloseBraceRange.End.Byte)
		ob.Header = o.file.Range(b.TypeRange.Start.Byte, b.OpenBraceRange.End.Byte)
		return ob
	}
	var forEach cty.Value = cty.DynamicVal
	if a, ok := b.Body.Attributes["for_each"]; ok {
		forEach = o.eval(a.Expr)
	}
	if !forEach.IsKnown() || (!forEach.IsNull() && !forEach.CanIterateElements()) {
		ob := mk(bind(cty.DynamicVal, cty.DynamicVal))
		ob.Maybe = true
		return []*Object{ob}
	}
	if forEach.IsNull() {
		return nil
	}
	var out []*Object
	for it := forEach.ElementIterator(); it.Next(); {
		k, v := it.Element()
		out = append(out, mk(bind(k, v)))
	}
	return out
}

// Entry is one element of a map-shaped object (a module input such as
// `listeners = { https = { … } }`).
type Entry struct {
	Key string
	*Object
}

// Entries returns the elements of a map-shaped object whose values are
// objects, in source order.
func (o *Object) Entries() []Entry {
	if o.body == nil && o.cons == nil {
		var out []Entry
		for _, k := range valueKeys(o.val) {
			v, _ := getAttr(o.val, k)
			for _, ob := range o.fromValue(v, o.Header) {
				out = append(out, Entry{Key: k, Object: ob})
			}
		}
		return out
	}
	var out []Entry
	for _, it := range o.items() {
		for _, ob := range o.fromExpr(it.expr, it.rng) {
			out = append(out, Entry{Key: it.name, Object: ob})
		}
	}
	return out
}

// Walk calls fn for every attribute of the object and of every object
// nested in it, however deep, with the attribute's name and value.
func (o *Object) Walk(fn func(name string, v Value)) {
	o.walk(nil, fn, 0)
}

// WalkNamed is Walk for the attributes called one of names only: the
// others are evaluated only when they may hold objects to walk into.
func (o *Object) WalkNamed(names []string, fn func(name string, v Value)) {
	o.walk(func(name string) bool { return slices.Contains(names, name) }, fn, 0)
}

const maxWalkDepth = 32

// walk is Walk for the attributes want accepts (every one when want is
// nil).
func (o *Object) walk(want func(string) bool, fn func(name string, v Value), depth int) {
	if depth > maxWalkDepth {
		return
	}
	if o.body != nil {
		for _, b := range o.body.Blocks {
			if b.Type == "dynamic" && len(b.Labels) == 1 {
				for _, d := range o.dynamic(b) {
					d.walk(want, fn, depth+1)
				}
				continue
			}
			o.mod.blockObject(o.file, b, o.bound).walk(want, fn, depth+1)
		}
	}
	if o.body == nil && o.cons == nil {
		walkValue(o.val, o.Header, want, fn, depth)
		return
	}
	for _, it := range o.items() {
		val := cty.NilVal
		if want == nil || want(it.name) {
			v := o.value(it.expr, it.rng)
			fn(it.name, v)
			val = v.V
		} else if holdsNoObject(it.expr) {
			continue
		}
		for _, sub := range o.fromExprValue(it.expr, it.rng, val) {
			sub.walk(want, fn, depth+1)
		}
	}
}

// holdsNoObject reports whether an expression's value is never an object
// or a list of them: a literal, or a string template (which evaluates to
// a string or, when it fails, to an unknown value, which has nothing to
// walk into either).
func holdsNoObject(e hclsyntax.Expression) bool {
	switch e.(type) {
	case *hclsyntax.LiteralValueExpr, *hclsyntax.TemplateExpr:
		return true
	}
	return false
}

func walkValue(v cty.Value, at source.Range, want func(string) bool, fn func(string, Value), depth int) {
	if depth > maxWalkDepth || v == cty.NilVal || !v.IsKnown() || v.IsNull() {
		return
	}
	t := v.Type()
	switch {
	case t.IsObjectType() || t.IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, el := it.Element()
			if name := k.AsString(); want == nil || want(name) {
				fn(name, Value{V: el, Range: at})
			}
			walkValue(el, at, want, fn, depth+1)
		}
	case t.IsListType() || t.IsSetType() || t.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			_, el := it.Element()
			walkValue(el, at, want, fn, depth+1)
		}
	}
}
