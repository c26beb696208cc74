package python

import (
	"maps"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// ValueKind says how much is known about a value.
type ValueKind uint8

// Value kinds. A value is never guessed: what cannot be computed exactly
// is Unknown, with a reason.
const (
	// Unknown: not computable statically.
	Unknown ValueKind = iota
	// Known: Obj is the value (containers may hold unknown elements).
	Known
	// Alternatives: one of Alts, depending on a condition (if/else, try).
	Alternatives
	// FromEnv: read from an environment variable (Env says which, with
	// its default and cast).
	FromEnv
	// Absent: not set at all on this path (only inside Alternatives).
	Absent
)

// Value is the static value of an expression or a setting.
type Value struct {
	Kind ValueKind
	// overCap marks the unknown result of an operation that would have
	// passed MaxValueSize, until the evaluator has reported it.
	overCap bool
	// measured is set once shape holds the value's measured size and
	// depth (see Evaluator.shape). The flags sit next to Kind: a Value is
	// allocated for every expression evaluated, and the padding of three
	// separate one-byte fields took it to the next size class.
	measured bool
	Obj      Object
	Alts     []*Value
	// Env is what a FromEnv value reads, nil for other kinds: behind a
	// pointer, the fields few values have keep a Value at 144 bytes.
	Env    *EnvRead
	Reason string
	// Range is the expression the value comes from.
	Range source.Range
	shape shape // see measured
}

// EnvRead is what a FromEnv value reads.
type EnvRead struct {
	// Name is the variable ("A, B" for a value computed from several).
	Name string
	// Default is the value when the variable is unset (nil: the program
	// fails without it).
	Default *Value
	// Cast is how the value is converted ("bool", "int", "list", ...).
	Cast string
}

// envValue returns a FromEnv value.
func envValue(name string, def *Value, r source.Range) *Value {
	return &Value{Kind: FromEnv, Env: &EnvRead{Name: name, Default: def}, Range: r}
}

// UnknownValue returns an unknown value with a reason.
func UnknownValue(reason string, r source.Range) *Value {
	return &Value{Kind: Unknown, Reason: reason, Range: r}
}

// KnownValue returns a known value.
func KnownValue(o Object, r source.Range) *Value { return &Value{Kind: Known, Obj: o, Range: r} }

// IsKnown reports whether the value is Known.
func (v *Value) IsKnown() bool { return v != nil && v.Kind == Known }

// FullyKnown reports whether the value and every element inside it are
// Known.
func (v *Value) FullyKnown() bool {
	if v == nil || v.Kind != Known {
		return false
	}
	switch o := v.Obj.(type) {
	case *SeqObj:
		for _, e := range o.Elems {
			if !e.FullyKnown() {
				return false
			}
		}
	case *DictObj:
		for i := range o.Keys {
			if !o.Keys[i].FullyKnown() || !o.Vals[i].FullyKnown() {
				return false
			}
		}
	case ModuleRef, *EnvReader:
		return false
	}
	return true
}

// Str returns the value as a string when it is a known str.
func (v *Value) Str() (string, bool) {
	if v.IsKnown() {
		if s, ok := v.Obj.(Str); ok {
			return string(s), true
		}
	}
	return "", false
}

// Seq returns the value as a list, tuple or set when known.
func (v *Value) Seq() (*SeqObj, bool) {
	if v.IsKnown() {
		s, ok := v.Obj.(*SeqObj)
		return s, ok
	}
	return nil, false
}

// Dict returns the value as a dict when known.
func (v *Value) Dict() (*DictObj, bool) {
	if v.IsKnown() {
		d, ok := v.Obj.(*DictObj)
		return d, ok
	}
	return nil, false
}

// Outcome is one possible value of a setting and under which condition it
// holds.
type Outcome struct {
	Value *Value
	// Env is set when the outcome is the default of an environment variable
	// that is not set.
	Env string
}

// Outcomes lists the statically known possibilities: a Known value, each
// alternative, the default of an environment read. complete is false when
// some possibility is unknown (an unknown branch, a required or
// overridden environment variable).
func (v *Value) Outcomes() (out []Outcome, complete bool) {
	complete = true
	var walk func(v *Value, env string)
	walk = func(v *Value, env string) {
		switch {
		case v == nil:
			complete = false
		case v.Kind == Known || v.Kind == Absent:
			out = append(out, Outcome{Value: v, Env: env})
		case v.Kind == Alternatives:
			for _, a := range v.Alts {
				walk(a, env)
			}
		case v.Kind == FromEnv:
			complete = false // the variable may be set to anything
			if v.Env.Default != nil {
				walk(v.Env.Default, v.Env.Name)
			}
		default:
			complete = false
		}
	}
	walk(v, "")
	return out, complete
}

// Lookup returns the value under a key of a known dict; ok is false when
// the key is absent or the lookup depends on unknown keys.
func (d *DictObj) Lookup(key Object) (*Value, bool) {
	found := d.find(key)
	if found < 0 || d.lastUnknown > found {
		return nil, false
	}
	return d.Vals[found], true
}

// find returns the position of the last known key equal to key (-1 if
// none), through the index.
func (d *DictObj) find(key Object) int {
	d.sync()
	if h, ok := hashKey(key); ok {
		if i, ok := d.index[h]; ok {
			return i
		}
		return -1
	}
	// Not hashable here: equal to no key (objEqual compares only the
	// hashable kinds), but search as objEqual would.
	found := -1
	for i, k := range d.Keys {
		if k.IsKnown() && objEqual(k.Obj, key) {
			found = i
		}
	}
	return found
}

// clone copies d, its index included (cloning a map is much cheaper than
// indexing the keys again).
func (d *DictObj) clone() *DictObj {
	d.sync()
	return &DictObj{Keys: append([]*Value(nil), d.Keys...), Vals: append([]*Value(nil), d.Vals...),
		index: maps.Clone(d.index), indexed: d.indexed, lastUnknown: d.lastUnknown}
}

// sync indexes the keys appended since the last use.
func (d *DictObj) sync() {
	if d.index == nil {
		d.index = make(map[string]int, len(d.Keys))
		d.indexed, d.lastUnknown = 0, -1
	}
	for ; d.indexed < len(d.Keys); d.indexed++ {
		k := d.Keys[d.indexed]
		if !k.IsKnown() {
			d.lastUnknown = d.indexed
			continue
		}
		if h, ok := hashKey(k.Obj); ok {
			d.index[h] = d.indexed
		}
	}
}

// hashKey returns a string that is equal for two objects exactly when
// objEqual says they are equal, for the objects that can be dict keys
// (numbers, str, bytes, None, ..., tuples of those); ok is false for the
// others. A str is its own key; the others start with a NUL and a tag,
// and a str that starts with a NUL is tagged too.
func hashKey(o Object) (string, bool) {
	if f, ok := numeric(o); ok {
		if f != f {
			return "", false // NaN equals nothing
		}
		if f == 0 {
			f = 0 // -0.0 == 0.0
		}
		return "\x00n" + strconv.FormatUint(math.Float64bits(f), 16), true
	}
	switch x := o.(type) {
	case Str:
		if len(x) > 0 && x[0] == 0 {
			return "\x00s" + string(x), true
		}
		return string(x), true // untagged: the common key costs no allocation
	case Bytes:
		return "\x00b" + string(x), true
	case NoneObj:
		return "\x00N", true
	case EllipsisObj:
		return "\x00E", true
	case *SeqObj:
		if x.Type != Tuple {
			return "", false
		}
		var b strings.Builder
		b.WriteString("\x00t")
		for _, e := range x.Elems {
			if !e.IsKnown() {
				return "", false
			}
			h, ok := hashKey(e.Obj)
			if !ok {
				return "", false
			}
			b.WriteString(strconv.Itoa(len(h)))
			b.WriteByte(':')
			b.WriteString(h)
		}
		return b.String(), true
	}
	return "", false
}

// Strings returns the elements of a known sequence that are known
// strings, with their values; unknown elements are returned as nil.
func (s *SeqObj) Strings() []*string {
	out := make([]*string, len(s.Elems))
	for i, e := range s.Elems {
		if str, ok := e.Str(); ok {
			out[i] = &str
		}
	}
	return out
}

// String renders the value for messages.
func (v *Value) String() string {
	if v == nil {
		return "<unset>"
	}
	switch v.Kind {
	case Known:
		return Repr(v.Obj)
	case Alternatives:
		parts := make([]string, len(v.Alts))
		for i, a := range v.Alts {
			parts[i] = a.String()
		}
		return strings.Join(parts, " or ")
	case FromEnv:
		if v.Env.Default == nil {
			return "$" + v.Env.Name
		}
		return "$" + v.Env.Name + " (default " + v.Env.Default.String() + ")"
	case Absent:
		return "<unset>"
	}
	return "<unknown>"
}

// ModuleRef is an imported module or a name imported from a module
// outside the scanned tree ("os", "os.environ", "decouple.config").
type ModuleRef struct{ Name string }

func (ModuleRef) pyType() string { return "module" }

// EnvReader is an object that reads the environment: a django-environ or
// environs Env, a python-decouple AutoConfig/RepositoryEnv config.
type EnvReader struct {
	Lib string // "environ", "environs", "decouple"
	// Scheme holds django-environ's Env(NAME=(cast, default)) defaults.
	Scheme map[string]*Value
	Casts  map[string]string
}

func (*EnvReader) pyType() string { return "env" }

func objEqual(a, b Object) bool {
	if an, ok := numeric(a); ok {
		if bn, ok := numeric(b); ok {
			return an == bn
		}
		return false
	}
	switch x := a.(type) {
	case Str:
		y, ok := b.(Str)
		return ok && x == y
	case Bytes:
		y, ok := b.(Bytes)
		return ok && x == y
	case NoneObj:
		_, ok := b.(NoneObj)
		return ok
	case EllipsisObj:
		_, ok := b.(EllipsisObj)
		return ok
	case *SeqObj:
		y, ok := b.(*SeqObj)
		if !ok || x.Type != y.Type || len(x.Elems) != len(y.Elems) || x.Type == Set {
			return false
		}
		for i := range x.Elems {
			if !x.Elems[i].IsKnown() || !y.Elems[i].IsKnown() || !objEqual(x.Elems[i].Obj, y.Elems[i].Obj) {
				return false
			}
		}
		return true
	}
	return false
}

// numeric maps bool, int and float to a comparable float64 key (exact for
// the small ints settings use; large ints compare by their string form
// elsewhere).
func numeric(o Object) (float64, bool) {
	switch x := o.(type) {
	case Bool:
		if x {
			return 1, true
		}
		return 0, true
	case Int:
		if x.IsInt64() && x.Int64() < 1<<53 && x.Int64() > -(1<<53) {
			return float64(x.Int64()), true
		}
		f, _ := new(big.Float).SetInt(x.Int).Float64()
		return f, true
	case Float:
		return float64(x), true
	}
	return 0, false
}
