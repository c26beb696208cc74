package python

import "strings"

// Parameters a framework fills from the request (FastAPI): a header for
// Header(), the result of a dependency for Depends() and Security(). The
// marker is the parameter's default or an element of Annotated[...].

// paramMarker returns the framework marker call of a parameter and what it
// is ("Header", "Depends", "Security"), or nil.
func (in *interp) paramMarker(fr *frame, prm Param) (*Call, string) {
	var cands []Expr
	if prm.Default != nil {
		cands = append(cands, prm.Default)
	}
	if sub, ok := prm.Annotation.(*Subscript); ok && strings.HasSuffix(dottedText(sub.Value), "Annotated") {
		if t, ok := sub.Index.(*SeqExpr); ok && t.Type == Tuple && len(t.Elts) > 1 {
			cands = append(cands, t.Elts[1:]...)
		}
	}
	for _, e := range cands {
		c, ok := e.(*Call)
		if !ok {
			continue
		}
		name := dottedText(c.Func)
		last := name[strings.LastIndex(name, ".")+1:]
		switch last {
		case "Header", "Depends", "Security":
		default:
			continue
		}
		if x, ok := in.valueOf(fr, c.Func).(avExt); ok && !strings.HasPrefix(x.qual, "fastapi") && !strings.HasPrefix(x.qual, "starlette") {
			continue
		}
		return c, last
	}
	return nil, ""
}

// dottedText is a name or attribute chain as written ("fastapi.Header"),
// or "".
func dottedText(e Expr) string {
	switch x := e.(type) {
	case *Name:
		return x.ID
	case *Attribute:
		if b := dottedText(x.Value); b != "" {
			return b + "." + x.Attr
		}
	}
	return ""
}

// frameworkParam returns the values a framework gives a parameter on
// every path, when it fills it from the request: ok is false otherwise.
func (in *interp) frameworkParam(fr *frame, st *state, prm Param) ([]res, bool) {
	c, kind := in.paramMarker(fr, prm)
	if c == nil {
		return nil, false
	}
	a := args{st: st, kw: map[string]aval{}}
	for _, arg := range c.Args {
		a.pos = append(a.pos, in.valueOf(fr, arg))
	}
	for _, k := range c.Keywords {
		a.kw[k.Name] = in.valueOf(fr, k.Value)
	}
	switch kind {
	case "Header":
		key := strings.ReplaceAll(prm.Name, "_", "-")
		if v, ok := a.kw["convert_underscores"].(avConst); ok {
			if b, ok := v.obj.(Bool); ok && !bool(b) {
				key = prm.Name
			}
		}
		if alias, ok := constStr(a.kw["alias"]); ok {
			key = alias
		}
		dflt, hasDefault := a.arg(0, "default")
		required := !hasDefault
		if c, ok := dflt.(avConst); ok {
			if _, ell := c.obj.(EllipsisObj); ell {
				required, hasDefault = true, false
			}
		}
		rd := in.read(fr, st, c, ViaHeaders, avConst{obj: Str(key)}, nil, dflt, hasDefault)
		h := avHeader{read: rd}
		if required {
			// FastAPI answers 422 when a required header is missing.
			present := &Test{Read: rd, Op: TestPresent, Range: fr.mod.m.Range(c), Text: fr.mod.m.Text(c)}
			if s := st.with([]*Test{present}); s != nil {
				return one(s, h), true
			}
			return nil, true
		}
		if hasDefault && rd.Default == nil && !isNone(dflt) {
			present := &Test{Read: rd, Op: TestPresent, Range: fr.mod.m.Range(c), Text: fr.mod.m.Text(c)}
			return one(st, avCases{cases: []avCase{{[]*Test{present}, h}, {[]*Test{present.negate()}, dflt}}}), true
		}
		return one(st, h), true
	default:
		dep, ok := a.arg(0, "dependency")
		if !ok {
			return one(st, avUnknown{text: fr.mod.m.Text(c)}), true
		}
		switch f := dep.(type) {
		case avFunc:
			// The dependency runs before the function; what it raises
			// refuses the request, what it returns is the parameter.
			return in.inline(fr, f.fn, st, f.self, args{st: st, kw: map[string]aval{}}, c, f.closure), true
		}
		return one(st, avUnknown{text: fr.mod.m.Text(c)}), true
	}
}

// bindParams binds the parameters of fi that a framework fills and the
// caller did not pass (given), on every path, after the others are bound
// in st.
func (in *interp) bindParams(fr *frame, fi *funcInfo, st *state, given map[string]bool) []*state {
	states := []*state{st}
	for _, prm := range fi.def.Params {
		if given[prm.Name] {
			continue
		}
		if _, kind := in.paramMarker(fr, prm); kind == "" {
			continue
		}
		var next []*state
		for _, s := range states {
			rs, _ := in.frameworkParam(fr, s, prm)
			for _, r := range rs {
				r.st.set(prm.Name, r.v)
				next = append(next, r.st)
			}
		}
		states = capStates(next)
	}
	return states
}
