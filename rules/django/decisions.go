package django

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/python"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// From the facts of the Python front end (python.Read, python.Sink,
// python.Path) to the decisions the one judge, rules.Decision.Admits,
// reads: per read, per piece of protected work it decides on and per way
// there, the app's tests on each header (exactly: python.Test evaluates
// them) and the headers whose value flows into it.

// settingsLookup returns a settings module's value of a name as strings
// (a string, or the strings of a sequence), for settings-driven header
// names and compared values. Without a settings module nothing resolves.
func settingsLookup(st *python.Tree) func(name string) ([]string, bool) {
	return func(name string) ([]string, bool) {
		if st == nil || st.Settings == nil {
			return nil, false
		}
		b := st.Settings.Get(name)
		if b == nil {
			return nil, false
		}
		outs, complete := b.Value.Outcomes()
		if !complete || len(outs) == 0 {
			return nil, false
		}
		var vals []string
		for _, o := range outs {
			v := o.Value
			if s, ok := v.Str(); ok {
				vals = append(vals, s)
				continue
			}
			seq, ok := v.Seq()
			if !ok {
				return nil, false
			}
			for _, e := range seq.Elems {
				s, ok := e.Str()
				if !ok {
					return nil, false
				}
				vals = append(vals, s)
			}
		}
		return vals, true
	}
}

// keysOf resolves a read's keys: literals as written, settings by the
// lookup (their default when the lookup does not know them).
func keysOf(rd *python.Read, lookup func(string) ([]string, bool)) []string {
	var out []string
	for _, k := range rd.Keys {
		switch {
		case k.Setting == "":
			out = append(out, k.Value)
		default:
			if vals, ok := lookup(k.Setting); ok {
				out = append(out, vals...)
			} else if k.HasDefault {
				out = append(out, k.Value)
			}
		}
	}
	return dedupe(out)
}

// metaKey returns the META form of a key a read uses, and whether it
// names a request header (not a WSGI variable such as SSL_CLIENT_VERIFY).
func metaKey(rd *python.Read, key string) (string, bool) {
	if rd.Via == python.ViaHeaders {
		return rules.MetaName(key), true
	}
	k := strings.ToUpper(key)
	return k, strings.HasPrefix(k, "HTTP_")
}

// headerOf returns the header (dash form) a read reads, under the first
// key that resolves.
func headerOf(rd *python.Read, lookup func(string) ([]string, bool)) (string, bool) {
	keys := keysOf(rd, lookup)
	if len(keys) == 0 {
		return "", false
	}
	meta, isHeader := metaKey(rd, keys[0])
	if isHeader {
		return rules.HeaderName(meta), true
	}
	return strings.ToLower(meta), false
}

// cond is a python.Test as the judge reads it, its settings resolved.
type cond struct{ t *python.Test }

func (c cond) Eval(value string, present bool) rules.Truth {
	switch c.t.Eval(value, present) {
	case python.True:
		return rules.TruthTrue
	case python.False:
		return rules.TruthFalse
	case python.Raises:
		return rules.TruthRaises
	}
	return rules.TruthUndecided
}

func (c cond) Literals() []string {
	var out []string
	for _, v := range c.t.Values {
		if v.Setting != "" && !v.HasDefault {
			continue
		}
		out = append(out, v.Value)
		if c.t.Op == python.TestRegex {
			// a string the pattern matches, for the judge to try
			if w, ok := rules.RegexWitness(v.Value); ok {
				out = append(out, w)
			}
		}
	}
	if c.t.Xform.Part != 0 && c.t.Xform.Split != "" {
		// the element the code takes, and a value that puts it there
		for _, v := range c.t.Values {
			out = append(out, v.Value+c.t.Xform.Split+"x", "x"+c.t.Xform.Split+v.Value)
		}
	}
	return out
}

func (c cond) String() string { return testText(c.t) }

// testText renders a test as the app's check reads: `== "SUCCESS"`,
// `not .startswith("FAILED")`, `present`.
func testText(t *python.Test) string {
	var vals []string
	for _, v := range t.Values {
		vals = append(vals, v.String())
	}
	target := ""
	if x := t.Xform; x.Fold || x.Strip || x.Part != 0 || x.Int {
		target = "(" + x.String() + ") "
	}
	var s string
	switch t.Op {
	case python.TestEqual:
		if len(vals) == 1 {
			s = "== " + vals[0]
		} else {
			s = "in (" + strings.Join(vals, ", ") + ")"
		}
		if t.Negated {
			s = strings.Replace(strings.Replace(s, "== ", "!= ", 1), "in (", "not in (", 1)
			return target + s
		}
		return target + s
	case python.TestPrefix:
		s = ".startswith(" + strings.Join(vals, ", ") + ")"
	case python.TestSuffix:
		s = ".endswith(" + strings.Join(vals, ", ") + ")"
	case python.TestContains:
		s = "contains " + strings.Join(vals, ", ")
	case python.TestPresent:
		s = "present"
	case python.TestTruthy:
		s = "non-empty"
	case python.TestRegex:
		s = fmt.Sprintf("re.%s(%s)", t.Mode, strings.Join(vals, ", "))
	default:
		s = "`" + t.Text + "`"
	}
	if t.Negated {
		return "not " + target + s
	}
	return target + s
}

// sinkText describes a sink for a finding.
func sinkText(s *python.Sink) string {
	switch s.Kind {
	case python.SinkNext:
		return "the view (" + s.Detail + ")"
	case python.SinkView:
		return "the response of " + s.Func
	case python.SinkLogin:
		return s.Detail[strings.LastIndex(s.Detail, ".")+1:] + "()"
	case python.SinkAttr:
		return s.Detail
	case python.SinkLookup:
		return "the lookup " + s.Detail + "()"
	case python.SinkAuthenticated:
		return s.Detail
	case python.SinkPermission, python.SinkReturn, python.SinkAnonymous:
		return s.Detail
	}
	return s.Kind.String()
}

// readDecisions turns a read's decisions into the judge's: one per way to
// each sink. Tests on the same header (through whichever read) are one
// accept set; tests on something else than headers that the client does
// not decide are the decision's Needs.
// The anonymous way out of a DRF authentication class counts where drf
// says it reaches a view (nil: nowhere).
func readDecisions(rd *python.Read, lookup func(string) ([]string, bool), drf *drfPolicy) []rules.Decision {
	if rd.Unanalysed != "" {
		return []rules.Decision{{Sink: "the protected work after it", Range: rd.Range, Unknown: []string{rd.Unanalysed}}}
	}
	var out []rules.Decision
	for _, d := range rd.Decisions {
		var unknown string
		if d.Sink.Kind == python.SinkAnonymous {
			reaches, why := drf.anonymous(d.Sink.Func)
			if !reaches {
				continue
			}
			unknown = why
		}
		for _, p := range d.Paths {
			dec := pathDecision(d.Sink, p, lookup)
			if unknown != "" {
				dec.Unknown = append(dec.Unknown, unknown)
			}
			out = append(out, dec)
		}
	}
	return out
}

func pathDecision(s *python.Sink, p *python.Path, lookup func(string) ([]string, bool)) rules.Decision {
	dec := rules.Decision{Sink: sinkText(s), Range: s.Range, Unknown: append([]string(nil), p.Unknown...), Lookup: s.Kind == python.SinkLookup}
	sets := map[string]*rules.AcceptSet{}
	var order []string
	resolve := func(name string) ([]string, bool) { return lookup(name) }
	for _, t := range p.Tests {
		if t.Read == nil {
			if !t.Chosen {
				need := t.Text
				if t.Negated {
					need = "not " + need
				}
				dec.Needs = append(dec.Needs, need)
			}
			continue
		}
		h, isHeader := headerOf(t.Read, lookup)
		if h == "" {
			dec.Unknown = append(dec.Unknown, "a test on a value whose name is not known statically ("+t.Read.Unresolved+")")
			continue
		}
		if !isHeader {
			h = "environ:" + h
		}
		a := sets[h]
		if a == nil {
			a = &rules.AcceptSet{Header: h, Range: t.Range}
			sets[h] = a
			order = append(order, h)
		}
		a.Conds = append(a.Conds, cond{t.Resolve(resolve)})
	}
	for _, h := range order {
		a := sets[h]
		summarize(a)
		dec.Accepts = append(dec.Accepts, *a)
	}
	switch s.Kind {
	case python.SinkAttr, python.SinkLookup, python.SinkLogin, python.SinkReturn:
		// the work receives the values: an absent header gives it None,
		// unless the code reads it with a default
		dec.Carries = len(p.Flows) > 0
	}
	for _, r := range p.Flows {
		if r.Default != nil {
			dec.Carries = false
		}
		if h, _ := headerOf(r, lookup); h != "" {
			dec.Flows = append(dec.Flows, h)
		}
	}
	sort.Strings(dec.Flows)
	dec.Flows = dedupe(dec.Flows)
	for _, r := range p.Parts {
		if h, _ := headerOf(r, lookup); h != "" {
			dec.Parsed = append(dec.Parsed, h)
		}
	}
	sort.Strings(dec.Parsed)
	dec.Parsed = dedupe(dec.Parsed)
	for _, r := range p.Lasts {
		if h, _ := headerOf(r, lookup); h != "" {
			dec.Last = append(dec.Last, h)
		}
	}
	sort.Strings(dec.Last)
	dec.Last = dedupe(dec.Last)
	for _, r := range p.Keyed {
		if h, _ := headerOf(r, lookup); h != "" {
			dec.Keyed = append(dec.Keyed, h)
		}
	}
	sort.Strings(dec.Keyed)
	dec.Keyed = dedupe(dec.Keyed)
	return dec
}

// summarize fills the shape of an accept set from its tests, for the
// places that show a set by its shape (JSON, the graph).
func summarize(a *rules.AcceptSet) {
	a.Kind = rules.AcceptUnknown
	if len(a.Conds) != 1 {
		return
	}
	t := a.Conds[0].(cond).t
	var vals []string
	for _, v := range t.Values {
		vals = append(vals, v.Value)
	}
	plain := t.Xform == (python.Xform{})
	switch {
	case t.Op == python.TestEqual && plain:
		a.Kind, a.Values = rules.AcceptExactly, vals
		if t.Negated {
			a.Kind = rules.AcceptAllExcept
		}
	case t.Op == python.TestTruthy && !t.Negated && plain:
		a.Kind = rules.AcceptNonEmpty
	case t.Op == python.TestPrefix && !t.Negated && plain:
		a.Kind, a.Values = rules.AcceptPrefix, vals
	}
	a.AcceptsAbsent = t.Eval("", false) == python.True
}

// packageDecision is the check an authentication package documents: each
// required header has its value, and the identity headers' values log the
// user in.
func packageDecision(pkg string, at source.Range, required map[string]string, identity ...string) []rules.Decision {
	dec := rules.Decision{Sink: pkg + " logs the user in", Range: at}
	for _, meta := range sortedKeys(required) {
		dec.Accepts = append(dec.Accepts, rules.AcceptSet{Header: rules.HeaderName(meta), Kind: rules.AcceptExactly, Values: []string{required[meta]}, Conds: []rules.Cond{rules.Equal{required[meta]}}, Range: at})
	}
	for _, meta := range identity {
		dec.Flows = append(dec.Flows, rules.HeaderName(meta))
	}
	return []rules.Decision{dec}
}
