package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Regions: how route builders split requests by the attributes a proxy's
// conditions test (the path, the Host, the TLS server name, the source
// address, the method), so that a route's classes name the requests that
// take it ("plain HTTP on :80 to /.well-known/acme-challenge/") and leave
// out those that do not. A front end turns each test it finds (an HAProxy
// `path_beg /api/`, an nginx location prefix or server_name) into an
// Atom; Regions splits the attributes into the regions a request can be
// in, each with a request that is in it; the front end decides per region
// and class where the request goes; NarrowClasses turns the regions that
// reach a route back into classes, keeping only the attributes that
// matter.

// Dimension is an attribute of a request that a proxy's conditions test.
type Dimension int

const (
	DimPath Dimension = iota
	DimHost
	DimSNI
	DimSource
	DimMethod
	numDims
)

var dimNames = [...]string{"path", "host", "sni", "source", "method"}

func (d Dimension) String() string {
	if int(d) < len(dimNames) {
		return dimNames[d]
	}
	return "?"
}

// Atom is one test a proxy makes on one attribute.
type Atom struct {
	Dim Dimension
	// Text and Not say what the test holds for and what it does not, in
	// words: "path begins with /api/", "path not under /api/".
	Text, Not string
	// Match reports whether a value passes the test.
	Match func(v string) bool
	// Try lists values worth trying: the literal the test names and
	// values just inside and outside it. Regions finds regions only
	// through the values tried, so a test must offer values that pass it
	// when any do.
	Try []string
}

// defaultTries are values tried for every dimension, outside most tests:
// a request that matches none of them. An empty TLS server name is a
// client that sends none.
var defaultTries = [numDims][]string{
	DimPath:   {"/", "/mtlslint-probe"},
	DimHost:   {"unknown.invalid"},
	DimSNI:    {"", "unknown.invalid"},
	DimSource: {"203.0.113.7"},
	DimMethod: {"GET", "POST"},
}

// Region is one way the tested attributes of a request can be.
type Region struct {
	// Holds says which atoms hold.
	Holds map[*Atom]bool
	// Witness is a request in the region: a value per dimension (empty
	// where no atom tests the dimension, except for the TLS server name,
	// where empty means none sent).
	Witness Witness
	// sub is the index of the region's part in each dimension.
	sub [numDims]int
}

// Witness is a concrete request of a class, for the real-server tests to
// send: its path, Host, TLS server name ("" none; Undecided has the
// condition when a name must be sent), source address and method.
type Witness struct {
	Path   string `json:"path,omitempty"`
	Host   string `json:"host,omitempty"`
	SNI    string `json:"sni,omitempty"`
	Source string `json:"source,omitempty"`
	Method string `json:"method,omitempty"`
}

func (w *Witness) set(d Dimension, v string) {
	switch d {
	case DimPath:
		w.Path = v
	case DimHost:
		w.Host = v
	case DimSNI:
		w.SNI = v
	case DimSource:
		w.Source = v
	case DimMethod:
		w.Method = v
	}
}

func (w Witness) get(d Dimension) string {
	switch d {
	case DimPath:
		return w.Path
	case DimHost:
		return w.Host
	case DimSNI:
		return w.SNI
	case DimSource:
		return w.Source
	case DimMethod:
		return w.Method
	}
	return ""
}

// part is one region of one dimension: the atoms of the dimension that
// hold, and the first value tried that makes it so.
type part struct {
	holds   []bool
	witness string
}

// requestValue turns a value an atom offers into one a request can have,
// or says there is none: a path begins with "/" (the empty literal of
// "^(?:/.*)$" and the witness of "\.php$" are tried with one), a method
// and a client address are never empty. A value no request has would make
// a region no request is in, and a class nobody sends.
func requestValue(d Dimension, v string) (string, bool) {
	switch {
	case d == DimPath && !strings.HasPrefix(v, "/"):
		return "/" + v, true
	case v == "" && (d == DimMethod || d == DimSource):
		return "", false
	}
	return v, true
}

// Regions splits the attributes the atoms test into the regions a
// request can be in. Within each dimension two values are in one region
// when the same atoms hold for both; regions across dimensions combine
// freely. With more than limit regions it returns nil and false: the
// caller then treats the tests as undecided.
func Regions(atoms []*Atom, limit int) ([]Region, bool) {
	var byDim [numDims][]*Atom
	for _, a := range atoms {
		byDim[a.Dim] = append(byDim[a.Dim], a)
	}
	var parts [numDims][]part
	total := 1
	for d := range numDims {
		if len(byDim[d]) == 0 {
			parts[d] = []part{{}}
			continue
		}
		tries := slices.Clone(defaultTries[d])
		for _, a := range byDim[d] {
			tries = append(tries, a.Try...)
		}
		seen := map[string]bool{}
		for _, v := range tries {
			v, ok := requestValue(d, v)
			if !ok {
				continue
			}
			holds := make([]bool, len(byDim[d]))
			key := make([]byte, len(byDim[d]))
			for i, a := range byDim[d] {
				holds[i] = a.Match(v)
				key[i] = '0'
				if holds[i] {
					key[i] = '1'
				}
			}
			if !seen[string(key)] {
				seen[string(key)] = true
				parts[d] = append(parts[d], part{holds: holds, witness: v})
			}
		}
		total *= len(parts[d])
		if total > limit {
			return nil, false
		}
	}
	// Every combination of one part per dimension, the first dimension
	// varying slowest; each region's map is made once, at its size.
	out := make([]Region, 0, total)
	var sub [numDims]int
	for {
		n := Region{Holds: make(map[*Atom]bool, len(atoms)), sub: sub}
		for d := range numDims {
			p := parts[d][sub[d]]
			for k, a := range byDim[d] {
				n.Holds[a] = p.holds[k]
			}
			if len(byDim[d]) > 0 {
				n.Witness.set(d, p.witness)
			}
		}
		out = append(out, n)
		d := numDims - 1
		for ; d >= 0; d-- {
			if sub[d]++; sub[d] < len(parts[d]) {
				break
			}
			sub[d] = 0
		}
		if d < 0 {
			return out, true
		}
	}
}

// Taken says whether the requests of one region take a route, and on
// which conditions the model could not decide.
type Taken struct {
	Yes       bool
	Undecided []string
	// Key tells regions apart that take the route alike but differ in
	// something else the route decides (what it sends): they are not
	// merged into one class.
	Key string
}

// NarrowClasses returns the classes of base's requests that take a route,
// given the regions of all (from Regions with atoms) and, per region,
// whether they take it. A dimension is kept in a class only where it matters: where a
// request that differs only there would not take the route (or take it
// under other conditions). A base whose requests take the route in every
// region is returned once, unchanged but for the undecided conditions.
func NarrowClasses(base RequestClass, atoms []*Atom, all []Region, taken []Taken) []RequestClass {
	reaches := func(i int) bool { return taken[i].Yes }
	key := func(i int) string { return strings.Join(taken[i].Undecided, "\x00") + "\x01" + taken[i].Key }
	var out []RequestClass
	seen := map[string]bool{}
	for i, r := range all {
		if !reaches(i) {
			continue
		}
		// A dimension is dropped when every request that agrees with r on
		// the dimensions kept so far takes the route the same way.
		var wild [numDims]bool
		for d := range numDims {
			wild[d] = true
			for j, o := range all {
				agrees := true
				for e := range numDims {
					if !wild[e] && o.sub[e] != r.sub[e] {
						agrees = false
					}
				}
				if agrees && (!reaches(j) || key(j) != key(i)) {
					wild[d] = false
					break
				}
			}
		}
		c := base
		c.Undecided = dedupeWords(append(slices.Clone(base.Undecided), taken[i].Undecided...))
		c.Where = slices.Clone(base.Where)
		for _, a := range atoms {
			c.Witness.set(a.Dim, r.Witness.get(a.Dim))
		}
		var sig strings.Builder
		for d := range numDims {
			if wild[d] {
				sig.WriteString("*|")
				continue
			}
			// The parts of d in which requests otherwise like r take the
			// route the same way: when the atoms that hold only outside
			// them tell them apart, the class is "not those".
			var same []int
			for j, o := range all {
				if o.sub == withPart(r.sub, d, o.sub[d]) && reaches(j) && key(j) == key(i) && !slices.Contains(same, o.sub[d]) {
					same = append(same, o.sub[d])
				}
			}
			slices.Sort(same)
			if excl, ok := excluding(d, atoms, all, same); ok && len(same) > 1 {
				fmt.Fprintf(&sig, "%v|", same)
				var not []string
				for _, a := range excl {
					not = append(not, a.Not)
				}
				c.Where = append(c.Where, strings.Join(dedupeWords(not), " and "))
				continue
			}
			fmt.Fprintf(&sig, "%d|", r.sub[d])
			narrow(&c, d, atoms, r)
		}
		sig.WriteString(key(i))
		if seen[sig.String()] {
			continue
		}
		seen[sig.String()] = true
		out = append(out, c)
	}
	return out
}

func withPart(sub [numDims]int, d Dimension, p int) [numDims]int {
	sub[d] = p
	return sub
}

// excluding returns the atoms of dimension d that hold in some part
// outside parts and in none inside, when "none of them holds" is exactly
// what the parts have in common.
func excluding(d Dimension, atoms []*Atom, all []Region, parts []int) ([]*Atom, bool) {
	holdsIn := map[int]map[*Atom]bool{}
	for _, r := range all {
		if _, ok := holdsIn[r.sub[d]]; !ok {
			holdsIn[r.sub[d]] = r.Holds
		}
	}
	var excl []*Atom
	for _, a := range atoms {
		if a.Dim != d || a.Not == "" {
			continue
		}
		inside, outside := false, false
		for p, h := range holdsIn {
			if h[a] {
				if slices.Contains(parts, p) {
					inside = true
				} else {
					outside = true
				}
			}
		}
		if outside && !inside {
			excl = append(excl, a)
		}
	}
	if len(excl) == 0 {
		return nil, false
	}
	for p, h := range holdsIn {
		none := true
		for _, a := range excl {
			if h[a] {
				none = false
			}
		}
		if none != slices.Contains(parts, p) {
			return nil, false
		}
	}
	return excl, true
}

// narrow writes region r's part of dimension d into the class: the
// witness as the field's value when some atom holds for it, else what the
// requests are not, in words.
func narrow(c *RequestClass, d Dimension, atoms []*Atom, r Region) {
	var holds, not []string
	for _, a := range atoms {
		if a.Dim != d {
			continue
		}
		if r.Holds[a] {
			holds = append(holds, a.Text)
		} else if a.Not != "" {
			not = append(not, a.Not)
		}
	}
	v := r.Witness.get(d)
	if len(holds) == 0 {
		if len(not) > 0 {
			c.Where = append(c.Where, strings.Join(dedupeWords(not), " and "))
		}
		return
	}
	switch d {
	case DimPath:
		c.Path = v
	case DimHost:
		c.Host = v
	case DimSNI:
		c.SNI = v
	case DimSource:
		c.Source = v
	case DimMethod:
		c.Method = v
	}
}

func dedupeWords(ws []string) []string {
	var out []string
	for _, w := range ws {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
