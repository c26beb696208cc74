package python

import (
	"sort"
	"strings"
)

// Abstract values of the data-flow analysis (flow.go). A value is what
// the analysis knows about an expression: a header's value and what was
// done to it, a truth value decided by tests on headers, a constant, the
// request, a response, something derived from header values.

type aval interface{}

type (
	// avRequest is the request object (Django, DRF, Flask, Starlette).
	avRequest struct{}
	// avMeta is a mapping of request values: request.META, .headers,
	// .environ, a WSGI environ.
	avMeta struct{ via ReadVia }
	// avScope is an ASGI connection scope (request.scope in Starlette,
	// the scope an ASGI app or middleware is called with); avRawHeaders
	// its "headers": the request's header lines as (name, value) byte
	// pairs, names in lower case.
	avScope      struct{}
	avRawHeaders struct{}
	// avHeaderLine is the name of a header line in a loop over an ASGI
	// scope's headers ("for name, value in scope['headers']"); value is
	// the loop's variable for the line's value.
	avHeaderLine struct{ value string }
	// avHeader is the value of a header read: None when absent unless
	// the read has a default.
	avHeader struct {
		read *Read
		xf   Xform
		// last: the value is the header's last comma-separated element
		// (split(",")[-1], rsplit(",", 1)[-1]), nothing before it.
		last bool
	}
	// avSplit is header.split(sep), before an element is taken.
	avSplit struct {
		read *Read
		xf   Xform
		sep  string
		// ofLast: the string split is the header's last comma-separated
		// element; rightmost: [-1] is the last element of the split (an
		// rsplit, or a split without maxsplit).
		ofLast, rightmost bool
	}
	// avBool is a truth value decided by tests.
	avBool struct{ f formula }
	// avConst is a known constant.
	avConst struct{ obj Object }
	// avOperand is the value of a Django setting.
	avOperand struct{ op Operand }
	// avSettings is django.conf.settings.
	avSettings struct{}
	// avCases is one of several values, each under its own tests.
	avCases struct{ cases []avCase }
	// avTainted is derived from header values: a model row looked up by
	// one, a parsed DN, a formatted string; parts are the reads of which
	// it carries only a part (a regular expression's group, a split
	// element, a slice).
	avTainted struct {
		reads, parts []*Read
		// lasts are those of reads of which only the last
		// comma-separated element flows into the value.
		lasts []*Read
	}
	// avRegex is a compiled pattern; avMatch the result of matching a
	// header with it (truthy when it matched).
	avRegex struct{ pattern string }
	avMatch struct {
		read    *Read
		xf      Xform
		pattern string
		mode    string
	}
	// avTuple is a tuple or list display.
	avTuple struct{ elems []aval }
	// avResponse is an HTTP response: a refusal (4xx, 5xx, a redirect),
	// the next handler's response, or one the code builds.
	avResponse struct{ reject, next bool }
	// avFunc is a function of the project, with the scope it closes over
	// and, for a bound method, its self.
	avFunc struct {
		fn      *funcInfo
		closure *closure
		self    aval
	}
	// avClass is a class of the project; avSelf an instance of one
	// (self in a method); avSuper is super().
	avClass struct{ cls *classInfo }
	avSelf  struct{ cls *classInfo }
	avSuper struct{ cls *classInfo }
	// avModule is a module of the project.
	avModule struct{ mod *modInfo }
	// avExt is a name from outside the project ("django.contrib.auth.login",
	// "re.match", "flask.abort").
	avExt struct{ qual string }
	// avParam is a parameter the analysis knows nothing about (the view a
	// decorator wraps, get_response of a middleware factory).
	avParam struct{ name string }
	// avORM is a model manager or query (Model.objects, Model.query, a
	// queryset); reads are the header values it was filtered by, parts
	// those it was filtered by a part of.
	avORM struct{ reads, parts []*Read }
	// avAttrStore is flask.g (attributes set on it live for the request).
	avAttrStore struct{ name string }
	// avUnknown is anything else; text is the expression.
	avUnknown struct{ text string }
)

type avCase struct {
	when []*Test
	val  aval
}

// formula is a disjunction of conjunctions of tests: nil is false,
// formula{{}} is true.
type formula [][]*Test

func fTrue() formula { return formula{{}} }

// maxConj bounds a formula; beyond it the tests are dropped for an
// opaque one that says so.
const maxConj = 32

func (f formula) or(g formula) formula {
	out := append(append(formula(nil), f...), g...)
	if len(out) > maxConj {
		return fTrue()
	}
	return out
}

func (f formula) and(g formula) formula {
	var out formula
	for _, a := range f {
		for _, b := range g {
			if c, ok := conj(a, b); ok {
				out = append(out, c)
				if len(out) > maxConj {
					return fTrue()
				}
			}
		}
	}
	return out
}

// not is De Morgan's negation, distributed back into disjunctive form.
func (f formula) not() formula {
	out := fTrue()
	for _, c := range f {
		var d formula
		for _, t := range c {
			d = append(d, []*Test{t.negate()})
		}
		out = out.and(d)
	}
	return out
}

// conj joins two conjunctions; false when they contradict.
func conj(a, b []*Test) ([]*Test, bool) {
	out := append([]*Test(nil), a...)
	for _, t := range b {
		var ok bool
		out, ok = addTest(out, t)
		if !ok {
			return nil, false
		}
	}
	return out, true
}

// addTest adds t to a conjunction, dropping a duplicate and reporting a
// contradiction: t and its negation, two equalities on the same value
// with no value in common, or an opaque condition and its negation.
func addTest(c []*Test, t *Test) ([]*Test, bool) {
	k := t.key()
	for _, o := range c {
		if o.key() == k {
			if o.Negated == t.Negated {
				return c, true
			}
			return nil, false
		}
		if o.Read != nil && o.Read == t.Read && o.Op == TestEqual && t.Op == TestEqual && !o.Negated && !t.Negated && o.Xform == t.Xform && disjoint(o.Values, t.Values) {
			return nil, false
		}
	}
	return append(c, t), true
}

func disjoint(a, b []Operand) bool {
	for _, x := range a {
		if x.Setting != "" {
			return false
		}
		for _, y := range b {
			if y.Setting != "" || x == y {
				return false
			}
		}
	}
	return true
}

// readsOf returns the reads whose values flow into v.
func readsOf(v aval) []*Read {
	var out []*Read
	add := func(rs ...*Read) {
		for _, r := range rs {
			if r != nil && !containsRead(out, r) {
				out = append(out, r)
			}
		}
	}
	var walk func(v aval, depth int)
	walk = func(v aval, depth int) {
		if depth > 8 {
			return
		}
		switch x := v.(type) {
		case avHeader:
			add(x.read)
		case avSplit:
			add(x.read)
		case avMatch:
			add(x.read)
		case avTainted:
			add(x.reads...)
		case avORM:
			add(x.reads...)
		case avBool:
			for _, c := range x.f {
				for _, t := range c {
					add(t.Read)
				}
			}
		case avCases:
			for _, c := range x.cases {
				walk(c.val, depth+1)
			}
		case avTuple:
			for _, e := range x.elems {
				walk(e, depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}

// end is the split's first (part 1) or last (part -1) element; false for
// a split of an element of a split of an element, which is not tracked.
func (b avSplit) end(part int) (avHeader, bool) {
	if b.xf.WithinPart != 0 {
		return avHeader{}, false
	}
	xf := b.xf
	if xf.Part != 0 {
		// a split of an element of a split: the element it splits is
		// kept, it decides whose value is read
		xf.Within, xf.WithinPart = xf.Split, xf.Part
	}
	xf.Split, xf.Part = b.sep, part
	last := b.ofLast || b.xf.Part == 0 && part == -1 && b.sep == "," && b.rightmost
	return avHeader{read: b.read, xf: xf, last: last}, true
}

// lastsOf returns the reads of which only the last comma-separated
// element flows into v, and nothing else of them (see mergeLasts).
func lastsOf(v aval) []*Read {
	switch x := v.(type) {
	case avHeader:
		if x.last {
			return []*Read{x.read}
		}
	case avSplit:
		if x.ofLast {
			return []*Read{x.read}
		}
	case avTainted:
		return x.lasts
	case avCases:
		vals := make([]aval, len(x.cases))
		for i, c := range x.cases {
			vals[i] = c.val
		}
		return mergeLasts(vals...)
	case avTuple:
		return mergeLasts(x.elems...)
	}
	return nil
}

// mergeLasts returns the reads of which only the last comma-separated
// element flows into any of vals: a read that one of them takes whole
// is not among them.
func mergeLasts(vals ...aval) []*Read {
	var lasts, whole []*Read
	for _, v := range vals {
		l := lastsOf(v)
		lasts = unionReads(lasts, l)
		for _, r := range readsOf(v) {
			if !containsRead(l, r) {
				whole = unionReads(whole, []*Read{r})
			}
		}
	}
	var out []*Read
	for _, r := range lasts {
		if !containsRead(whole, r) {
			out = append(out, r)
		}
	}
	return out
}

// partsOf returns the reads of which only a part flows into v: an
// element of a split, a regular expression's group, a slice.
func partsOf(v aval) []*Read {
	switch x := v.(type) {
	case avHeader:
		if x.xf.Part != 0 {
			return []*Read{x.read}
		}
	case avTainted:
		return x.parts
	case avORM:
		return x.parts
	case avCases:
		var out []*Read
		for _, c := range x.cases {
			out = unionReads(out, partsOf(c.val))
		}
		return out
	case avTuple:
		var out []*Read
		for _, e := range x.elems {
			out = unionReads(out, partsOf(e))
		}
		return out
	}
	return nil
}

func containsRead(list []*Read, r *Read) bool {
	for _, x := range list {
		if x == r {
			return true
		}
	}
	return false
}

func tainted(rs []*Read) aval {
	if len(rs) == 0 {
		return avUnknown{}
	}
	return avTainted{reads: rs}
}

// constStr returns v as a string constant.
func constStr(v aval) (string, bool) {
	if c, ok := v.(avConst); ok {
		if s, ok := c.obj.(Str); ok {
			return string(s), true
		}
	}
	return "", false
}

// dictKeys returns the keys of a dict constant whose keys are all known
// strings.
func dictKeys(v aval) ([]Operand, bool) {
	c, ok := v.(avConst)
	if !ok {
		return nil, false
	}
	d, ok := c.obj.(*DictObj)
	if !ok || len(d.Keys) == 0 {
		return nil, false
	}
	out := make([]Operand, 0, len(d.Keys))
	for _, k := range d.Keys {
		s, isStr := k.Obj.(Str)
		if !k.IsKnown() || !isStr {
			return nil, false
		}
		out = append(out, Lit(string(s)))
	}
	return out, true
}

// operands returns the strings v may be compared with: a string, the
// strings of a tuple, list or set, or a setting.
func operands(v aval) ([]Operand, bool) {
	switch x := v.(type) {
	case avConst:
		switch o := x.obj.(type) {
		case Str:
			return []Operand{Lit(string(o))}, true
		case Bytes:
			// an ASGI header value: bytes compare as their text
			return []Operand{Lit(string(o))}, true
		case Int:
			return []Operand{Lit(o.String())}, true
		case *SeqObj:
			var out []Operand
			for _, e := range o.Elems {
				if !e.IsKnown() {
					return nil, false
				}
				switch eo := e.Obj.(type) {
				case Str:
					out = append(out, Lit(string(eo)))
				case Bytes:
					out = append(out, Lit(string(eo)))
				case Int:
					out = append(out, Lit(eo.String()))
				default:
					return nil, false
				}
			}
			return out, true
		}
	case avOperand:
		return []Operand{x.op}, true
	case avTuple:
		var out []Operand
		for _, e := range x.elems {
			o, ok := operands(e)
			if !ok || len(o) != 1 {
				return nil, false
			}
			out = append(out, o...)
		}
		return out, true
	}
	return nil, false
}

// fromValue turns a statically known value of the evaluator into an
// abstract value.
func fromValue(v *Value) aval {
	if v == nil {
		return avUnknown{}
	}
	switch v.Kind {
	case Known:
		if m, ok := v.Obj.(ModuleRef); ok {
			return avExt{qual: m.Name}
		}
		if v.FullyKnown() {
			return avConst{obj: v.Obj}
		}
	}
	return avUnknown{text: v.String()}
}

// chosenWords mark a condition the client decides by its request.
var chosenWords = []string{"request.path", "request.method", "request.GET", "request.POST", "request.query_params",
	"request.get_full_path", "request.get_host", "request.content_type", "request.body", "request.data", "request.args",
	"request.url", "request.resolver_match", "request.scheme", "request.is_secure", "is_anonymous"}

// isChosen reports whether the client decides the condition text by its
// request alone (negated: whether it holds for an anonymous client).
func isChosen(text string, negated bool) bool {
	if strings.Contains(text, "is_authenticated") {
		return negated // not logged in: any client
	}
	for _, w := range chosenWords {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

func sortReads(rs []*Read) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Range.File != rs[j].Range.File {
			return rs[i].Range.File < rs[j].Range.File
		}
		return rs[i].Range.Start.Offset < rs[j].Range.Start.Offset
	})
}
