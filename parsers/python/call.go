package python

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// boundEnv is a method of an environment reader (env.bool, env.list).
type boundEnv struct {
	reader *EnvReader
	method string
}

func (*boundEnv) pyType() string { return "method" }

// envLibs maps constructors to the library whose reader they create.
var envLibs = map[string]string{
	"environ.Env": "environ", "environ.environ.Env": "environ", "environs.Env": "environs",
	"decouple.AutoConfig": "decouple", "decouple.Config": "decouple",
}

func (ev *Evaluator) kwarg(c *Call, name string, ns *Namespace) (*Value, bool) {
	for _, k := range c.Keywords {
		if k.Name == name {
			return ev.expr(k.Value, ns), true
		}
	}
	return nil, false
}

func (ev *Evaluator) call(c *Call, ns *Namespace) *Value {
	r := ev.rng(c)
	q := ev.qualName(c.Func, ns)
	args := make([]*Value, len(c.Args))
	for i, a := range c.Args {
		args[i] = ev.expr(a, ns)
	}
	if c.Star != nil || c.DStar != nil {
		return UnknownValue("call with unpacked arguments", r)
	}
	envName := func() (string, bool) {
		if len(args) == 0 {
			return "", false
		}
		return args[0].Str()
	}
	switch q {
	case "os.environ.get", "os.getenv", "os.environ.setdefault":
		name, ok := envName()
		if !ok {
			return UnknownValue("environment variable with a computed name", r)
		}
		def := KnownValue(NoneObj{}, r)
		if len(args) > 1 {
			def = args[1]
		} else if d, ok := ev.kwarg(c, "default", ns); ok {
			def = d
		}
		return envValue(name, def, r)
	case "decouple.config":
		return ev.envCall(&EnvReader{Lib: "decouple"}, "", c, args, ns, r)
	}
	if lib, ok := envLibs[q]; ok {
		er := &EnvReader{Lib: lib, Scheme: map[string]*Value{}, Casts: map[string]string{}}
		if lib == "environ" {
			for _, k := range c.Keywords {
				v := ev.expr(k.Value, ns)
				if seq, ok := v.Seq(); ok && seq.Type == Tuple && len(seq.Elems) == 2 {
					er.Scheme[k.Name] = seq.Elems[1]
					er.Casts[k.Name] = ev.castName(c, k.Value)
				} else {
					er.Casts[k.Name] = ev.castName(c, k.Value)
				}
			}
		}
		return KnownValue(er, r)
	}
	fn := ev.expr(c.Func, ns)
	if fn.IsKnown() {
		switch f := fn.Obj.(type) {
		case *EnvReader:
			return ev.envCall(f, "", c, args, ns, r)
		case *boundEnv:
			return ev.envCall(f.reader, f.method, c, args, ns, r)
		}
	}
	switch q {
	case "bool", "int", "str", "float", "list", "tuple", "set", "len":
		if b := ns.Get(q); b != nil {
			break // shadowed
		}
		if len(c.Keywords) > 0 {
			return UnknownValue("call to "+q, r)
		}
		if len(args) == 0 {
			switch q {
			case "list":
				return KnownValue(&SeqObj{Type: List}, r)
			case "tuple":
				return KnownValue(&SeqObj{Type: Tuple}, r)
			case "set":
				return KnownValue(&SeqObj{Type: Set}, r)
			case "str":
				return KnownValue(Str(""), r)
			case "bool":
				return KnownValue(Bool(false), r)
			case "int":
				return KnownValue(NewInt(0), r)
			}
			return UnknownValue("call to "+q, r)
		}
		if len(args) != 1 {
			return UnknownValue("call to "+q, r)
		}
		return lift(r, func(o []Object) *Value { return builtin(q, o[0], r) }, args[0])
	case "dict":
		if b := ns.Get(q); b != nil || len(args) > 0 {
			break
		}
		d := &DictObj{}
		for _, k := range c.Keywords {
			dictSet(d, KnownValue(Str(k.Name), r), ev.expr(k.Value, ns))
		}
		return KnownValue(d, r)
	}
	// A method of a known str (", ".join(...), s.lower()).
	if attr, ok := c.Func.(*Attribute); ok && len(c.Keywords) == 0 {
		recv := ev.expr(attr.Value, ns)
		if recv.Kind != Unknown {
			if _, isMod := recv.Obj.(ModuleRef); !isMod {
				all := append([]*Value{recv}, args...)
				return lift(r, func(o []Object) *Value { return strMethod(attr.Attr, o[0], o[1:], r) }, all...)
			}
		}
	}
	if q == "" {
		q = "an expression"
	}
	return UnknownValue("call to "+q, r)
}

// castName returns the name of a cast given as a type (bool, int, str,
// list, Csv()).
func (ev *Evaluator) castName(c *Call, e Expr) string {
	switch x := e.(type) {
	case *Name:
		return x.ID
	case *Attribute:
		return x.Attr
	case *Call:
		if n, ok := x.Func.(*Name); ok {
			return strings.ToLower(n.ID) // Csv() → "csv"
		}
	case *SeqExpr:
		if len(x.Elts) > 0 {
			return ev.castName(c, x.Elts[0])
		}
	}
	return ""
}

// envCall evaluates env("X", default=...), env.bool("X", ...),
// config("X", default=..., cast=...).
func (ev *Evaluator) envCall(er *EnvReader, method string, c *Call, args []*Value, ns *Namespace, r source.Range) *Value {
	switch method {
	case "read_env", "read_envfile", "smart_cast", "prefixed", "expand_vars":
		return UnknownValue("env."+method, r)
	}
	if len(args) == 0 {
		return UnknownValue("environment read with no variable name", r)
	}
	name, ok := args[0].Str()
	if !ok {
		return UnknownValue("environment variable with a computed name", r)
	}
	v := envValue(name, nil, r)
	v.Env.Cast = method
	var def *Value
	if d, ok := ev.kwarg(c, "default", ns); ok {
		def = d
	} else if len(args) > 1 && er.Lib != "environ" {
		def = args[1] // environs: env.bool("X", False); decouple: config("X", False)
	} else if len(args) > 1 && er.Lib == "environ" && method != "" {
		def = args[1] // django-environ: env.bool("X", default) positional
	} else if d, ok := er.Scheme[name]; ok {
		def = d
	}
	if method == "" {
		if castExpr := kwExpr(c, "cast"); castExpr != nil {
			v.Env.Cast = ev.castName(c, castExpr)
		} else if er.Casts != nil {
			v.Env.Cast = er.Casts[name]
		}
	}
	if def != nil && er.Lib == "decouple" {
		// python-decouple casts the default too.
		def = mapValue(def, func(d *Value) *Value { return castDefault(v.Env.Cast, d, r) })
	}
	v.Env.Default = def
	return v
}

func kwExpr(c *Call, name string) Expr {
	for _, k := range c.Keywords {
		if k.Name == name {
			return k.Value
		}
	}
	return nil
}

var decoupleBooleans = map[string]bool{"1": true, "yes": true, "true": true, "on": true, "0": false, "no": false, "false": false, "off": false, "": false}

func castDefault(cast string, d *Value, r source.Range) *Value {
	switch cast {
	case "":
		return d
	case "bool":
		if s, ok := d.Obj.(Str); ok {
			b, known := decoupleBooleans[strings.ToLower(string(s))]
			if !known {
				return UnknownValue("invalid boolean default", r)
			}
			return KnownValue(Bool(b), d.Range)
		}
		t, ok := Truthy(d.Obj)
		if !ok {
			return UnknownValue("boolean of a partly unknown value", r)
		}
		return KnownValue(Bool(t), d.Range)
	case "int", "str", "float":
		return builtin(cast, d.Obj, d.Range)
	case "csv":
		if s, ok := d.Obj.(Str); ok {
			var elems []*Value
			for _, p := range strings.Split(string(s), ",") {
				if p = strings.TrimSpace(p); p != "" {
					elems = append(elems, KnownValue(Str(p), d.Range))
				}
			}
			return KnownValue(&SeqObj{Type: List, Elems: elems}, d.Range)
		}
		return d
	}
	return UnknownValue("cast "+cast, r)
}

func builtin(name string, o Object, r source.Range) *Value {
	switch name {
	case "bool":
		t, ok := Truthy(o)
		if !ok {
			return UnknownValue("bool() of a partly unknown value", r)
		}
		return KnownValue(Bool(t), r)
	case "int":
		switch x := o.(type) {
		case Int:
			return KnownValue(x, r)
		case Bool:
			return KnownValue(boolInt(bool(x)), r)
		case Str:
			s := strings.ReplaceAll(strings.TrimSpace(string(x)), "_", "")
			if len(s) > maxIntDigits+1 {
				return UnknownValue(fmt.Sprintf("int() of a string of more than %d digits raises", maxIntDigits), r)
			}
			if n, ok := new(big.Int).SetString(s, 10); ok && s != "" {
				return KnownValue(Int{n}, r)
			}
			return UnknownValue("int() of "+shorten(Repr(x))+" raises", r)
		}
	case "float":
		switch x := o.(type) {
		case Int:
			f, _ := new(big.Float).SetInt(x.Int).Float64()
			return KnownValue(Float(f), r)
		case Float:
			return KnownValue(x, r)
		case Str:
			if f, err := strconv.ParseFloat(strings.TrimSpace(string(x)), 64); err == nil {
				return KnownValue(Float(f), r)
			}
		}
	case "str":
		switch x := o.(type) {
		case Str:
			return KnownValue(x, r)
		case Int, Bool, NoneObj:
			return KnownValue(Str(Repr(x)), r)
		}
	case "list", "tuple", "set":
		t := map[string]SeqType{"list": List, "tuple": Tuple, "set": Set}[name]
		switch x := o.(type) {
		case *SeqObj:
			if t == Set || x.Type == Set {
				return UnknownValue(name+"() of a set", r)
			}
			return KnownValue(&SeqObj{Type: t, Elems: append([]*Value(nil), x.Elems...)}, r)
		case Str:
			if t == Set {
				return UnknownValue("set() of a string", r)
			}
			if 2*len(x) > MaxValueSize {
				return overCap(r)
			}
			var elems []*Value
			for _, c := range string(x) {
				elems = append(elems, KnownValue(Str(string(c)), r))
			}
			return KnownValue(&SeqObj{Type: t, Elems: elems}, r)
		}
	case "len":
		switch x := o.(type) {
		case Str:
			return KnownValue(NewInt(int64(len([]rune(string(x))))), r)
		case *SeqObj:
			if x.Type != Set {
				return KnownValue(NewInt(int64(len(x.Elems))), r)
			}
		}
	}
	return UnknownValue(name+"() of "+o.pyType(), r)
}

func strMethod(method string, recv Object, args []Object, r source.Range) *Value {
	s, ok := recv.(Str)
	if !ok {
		return UnknownValue("method ."+method+"()", r)
	}
	str := string(s)
	argStr := func(i int) (string, bool) {
		if i < len(args) {
			a, ok := args[i].(Str)
			return string(a), ok
		}
		return "", false
	}
	switch method {
	case "lower":
		if len(args) == 0 && isASCII(str) {
			return KnownValue(Str(strings.ToLower(str)), r)
		}
	case "upper":
		if len(args) == 0 && isASCII(str) {
			return KnownValue(Str(strings.ToUpper(str)), r)
		}
	case "strip":
		if len(args) == 0 {
			return KnownValue(Str(strings.Trim(str, " \t\n\r\x0b\x0c")), r)
		}
	case "startswith", "endswith":
		if p, ok := argStr(0); ok && len(args) == 1 {
			if method == "startswith" {
				return KnownValue(Bool(strings.HasPrefix(str, p)), r)
			}
			return KnownValue(Bool(strings.HasSuffix(str, p)), r)
		}
	case "split":
		if 2*len(str) > MaxValueSize {
			return overCap(r) // more elements than the cap allows, possibly
		}
		if sep, ok := argStr(0); ok && len(args) == 1 && sep != "" {
			var elems []*Value
			for _, p := range strings.Split(str, sep) {
				elems = append(elems, KnownValue(Str(p), r))
			}
			return KnownValue(&SeqObj{Type: List, Elems: elems}, r)
		}
		if len(args) == 0 {
			var elems []*Value
			for _, p := range strings.Fields(str) {
				elems = append(elems, KnownValue(Str(p), r))
			}
			return KnownValue(&SeqObj{Type: List, Elems: elems}, r)
		}
	case "join":
		if len(args) == 1 {
			if seq, ok := args[0].(*SeqObj); ok && seq.Type != Set {
				parts := make([]string, len(seq.Elems))
				size := len(str) * max(len(parts)-1, 0)
				for i, e := range seq.Elems {
					p, ok := e.Str()
					if !ok {
						return UnknownValue("join of unknown parts", r)
					}
					parts[i] = p
					size += len(p)
				}
				if size > MaxValueSize {
					return overCap(r)
				}
				return KnownValue(Str(strings.Join(parts, str)), r)
			}
		}
	case "replace":
		old, ok1 := argStr(0)
		nw, ok2 := argStr(1)
		if ok1 && ok2 && len(args) == 2 {
			if len(str)+strings.Count(str, old)*(len(nw)-len(old)) > MaxValueSize {
				return overCap(r)
			}
			return KnownValue(Str(strings.ReplaceAll(str, old, nw)), r)
		}
	}
	return UnknownValue("method ."+method+"()", r)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
