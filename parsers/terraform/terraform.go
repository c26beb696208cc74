// Package terraform reads Terraform configurations (.tf files in HCL native
// syntax) into one tree per module directory: its resources, module calls,
// variables and locals, with exact ranges. Values are evaluated only as far
// as they are literal within the module: a variable's default (or its value
// in an automatically loaded .tfvars file) and locals built from literals
// resolve; anything else (resource attributes, data sources, variables that
// a caller sets) stays unknown and is never guessed.
package terraform

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// Kind is the tree kind of a Terraform module (parsers.KindTerraform).
const Kind = "terraform"

// Candidate reports whether a path names a file this front end reads:
// configuration files (.tf) and variable files (.tfvars). Files under a
// .terraform directory are copies of downloaded modules and are skipped.
func Candidate(rel string) bool {
	if rel == ".terraform" || strings.HasPrefix(rel, ".terraform/") || strings.Contains(rel, "/.terraform/") {
		return false
	}
	return strings.HasSuffix(rel, ".tf") || strings.HasSuffix(rel, ".tfvars")
}

// Detect decides by name alone: a .tf or .tfvars file is Terraform whatever
// it contains, so that a broken one is reported rather than skipped.
func Detect(rel string, _ []byte) bool { return Candidate(rel) }

// Module is one Terraform module: every .tf file of one directory.
type Module struct {
	Dir       string // slash-separated, "." for the scan root
	files     []*source.File
	Resources []*Resource
	Calls     []*Call
	Variables map[string]*Variable
	Locals    map[string]*Local

	ctx       *hcl.EvalContext
	localVars map[string][]string // local name → variables its value rests on
}

// Kind implements parsers.Tree.
func (m *Module) Kind() string { return Kind }

// Root implements parsers.Tree: main.tf when there is one, else the first
// file by name.
func (m *Module) Root() *source.File { return m.files[0] }

// Files implements parsers.Tree: the module's .tf files, root first, then
// its variable files.
func (m *Module) Files() []*source.File { return m.files }

// ResourcesOf returns the module's resources of the given types, in file
// order.
func (m *Module) ResourcesOf(types ...string) []*Resource {
	var out []*Resource
	for _, r := range m.Resources {
		for _, t := range types {
			if r.Type == t {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// Resource finds a resource by type and name.
func (m *Module) Resource(typ, name string) *Resource {
	for _, r := range m.Resources {
		if r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// Resource is a `resource "TYPE" "NAME" { … }` block.
type Resource struct {
	Type string
	Name string
	*Object
	// Repeated: the block has count or for_each, so it may stand for
	// several (or no) instances that share this configuration.
	Repeated bool
}

// Address is the resource's address in its module: TYPE.NAME.
func (r *Resource) Address() string { return r.Type + "." + r.Name }

// Call is a `module "NAME" { source = … }` block: a call of another module
// whose inputs are its attributes.
type Call struct {
	Name   string
	Source string // the literal source, or "" when not a literal
	*Object
}

// Variable is a `variable "NAME"` block.
type Variable struct {
	Name string
	// Value is the value the module sees when the variable resolves: the
	// default, or the assignment in an automatically loaded .tfvars file.
	Value Value
	// Known reports whether Value is what the module sees. It is false when
	// there is no literal default, when a module call in the workspace sets
	// the variable, or when a .tfvars file that must be named on the
	// command line sets it.
	Known bool
	// Unknown says why the variable does not resolve, when it does not.
	Unknown string
	Range   source.Range // the block header
}

// Local is one entry of a `locals` block.
type Local struct {
	Name  string
	Value Value
}

// file is one parsed .tf file.
type file struct {
	src  *source.File
	body *hclsyntax.Body
}

// Load parses the files at paths (root-relative) into one module per
// directory. Syntax errors become E001 problems with the parser's position;
// what parsed around them is still analysed.
func Load(r source.Reader, paths []string) ([]*Module, []source.Problem) {
	byDir := map[string][]string{}
	for _, p := range paths {
		byDir[path.Dir(p)] = append(byDir[path.Dir(p)], p)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)

	var (
		mods  []*Module
		probs []source.Problem
	)
	byPath := map[string]*Module{}
	varFiles := map[*Module][]*file{}
	for _, dir := range dirs {
		ps := byDir[dir]
		sort.Slice(ps, func(i, j int) bool { return rootFirst(ps[i], ps[j]) })
		m := &Module{Dir: dir, Variables: map[string]*Variable{}, Locals: map[string]*Local{}}
		var tfs, vars []*file
		for _, p := range ps {
			if source.Cancelled(r) != nil {
				return nil, probs // the run was cancelled: stop working
			}
			src, err := r.ReadFile(p)
			if err != nil {
				probs = append(probs, source.Problem{Kind: source.ProblemSkipped,
					Range:   source.Range{File: p, Start: source.Pos{Line: 1, Col: 1}, End: source.Pos{Line: 1, Col: 1}},
					Message: fmt.Sprintf("cannot read: %v", err)})
				continue
			}
			body, ps := Parse(src)
			probs = append(probs, ps...)
			f := &file{src: src, body: body}
			if strings.HasSuffix(p, ".tfvars") {
				vars = append(vars, f)
			} else {
				tfs = append(tfs, f)
			}
		}
		if len(tfs) == 0 {
			continue // variable files without a configuration
		}
		for _, f := range tfs {
			m.files = append(m.files, f.src)
		}
		for _, f := range vars {
			m.files = append(m.files, f.src)
		}
		for _, f := range tfs {
			m.collect(f)
		}
		varFiles[m] = vars
		mods = append(mods, m)
		byPath[dir] = m
	}
	for _, m := range mods {
		m.resolveVariables(varFiles[m])
	}
	// A variable that another module of the workspace sets through a
	// module call is not the default: which caller applies is unknown.
	for _, m := range mods {
		for _, c := range m.Calls {
			if !strings.HasPrefix(c.Source, "./") && !strings.HasPrefix(c.Source, "../") {
				continue
			}
			callee := byPath[path.Clean(path.Join(m.Dir, c.Source))]
			if callee == nil || callee == m {
				continue
			}
			for _, name := range c.AttrNames() {
				if v := callee.Variables[name]; v != nil && !metaArgument[name] {
					v.Known = false
					v.Unknown = fmt.Sprintf("module %q in %s sets it", c.Name, m.Root().Path)
				}
			}
		}
	}
	for _, m := range mods {
		m.buildContext()
	}
	return mods, probs
}

// metaArgument lists module-call arguments that are not inputs.
var metaArgument = map[string]bool{"source": true, "version": true, "providers": true, "count": true, "for_each": true, "depends_on": true}

// rootFirst orders a directory's files: main.tf first, then .tf files by
// name, then variable files.
func rootFirst(a, b string) bool {
	rank := func(p string) int {
		switch {
		case path.Base(p) == "main.tf":
			return 0
		case strings.HasSuffix(p, ".tf"):
			return 1
		default:
			return 2
		}
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra < rb
	}
	return a < b
}

// Parse parses one file in HCL native syntax. The body is never nil: on a
// syntax error it holds what the parser recovered.
func Parse(f *source.File) (body *hclsyntax.Body, probs []source.Problem) {
	defer func() {
		if v := recover(); v != nil {
			body = &hclsyntax.Body{}
			probs = append(probs, source.Problem{Kind: source.ProblemSyntax, Range: f.Range(0, 0),
				Message: fmt.Sprintf("the HCL parser failed on this file: %v", v)})
		}
	}()
	src, guarded := guard(f)
	probs = append(probs, guarded...)
	hf, diags := hclsyntax.ParseConfig(src, f.Path, hcl.InitialPos)
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		rng := f.Range(0, 0)
		if d.Subject != nil {
			rng = f.Range(d.Subject.Start.Byte, d.Subject.End.Byte)
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + strings.TrimSuffix(d.Detail, ".")
		}
		probs = append(probs, source.Problem{Kind: source.ProblemSyntax, Range: rng, Message: msg})
	}
	if hf != nil {
		if b, ok := hf.Body.(*hclsyntax.Body); ok && b != nil {
			return b, probs
		}
	}
	return &hclsyntax.Body{}, probs
}

// collect records the top-level blocks of one .tf file.
func (m *Module) collect(f *file) {
	for _, b := range f.body.Blocks {
		obj := m.blockObject(f.src, b, nil)
		switch {
		case b.Type == "resource" && len(b.Labels) == 2:
			_, count := b.Body.Attributes["count"]
			_, each := b.Body.Attributes["for_each"]
			m.Resources = append(m.Resources, &Resource{Type: b.Labels[0], Name: b.Labels[1], Object: obj, Repeated: count || each})
		case b.Type == "module" && len(b.Labels) == 1:
			c := &Call{Name: b.Labels[0], Object: obj}
			if a, ok := b.Body.Attributes["source"]; ok {
				if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
					c.Source = v.AsString()
				}
			}
			m.Calls = append(m.Calls, c)
		case b.Type == "variable" && len(b.Labels) == 1:
			v := &Variable{Name: b.Labels[0], Range: obj.Header, Unknown: "it has no default"}
			if a, ok := b.Body.Attributes["default"]; ok {
				v.Value = Value{V: literal(a.Expr), Range: f.src.Range(a.SrcRange.Start.Byte, a.SrcRange.End.Byte), expr: a.Expr}
				v.Known = v.Value.Known()
				v.Unknown = ""
				if !v.Known {
					v.Unknown = "its default is not a literal"
				}
			}
			m.Variables[v.Name] = v
		case b.Type == "locals":
			for name, a := range b.Body.Attributes {
				m.Locals[name] = &Local{Name: name, Value: Value{V: cty.DynamicVal, Range: f.src.Range(a.SrcRange.Start.Byte, a.SrcRange.End.Byte), expr: a.Expr}}
			}
		}
	}
}

// literal evaluates an expression that may only contain literals.
func literal(e hclsyntax.Expression) (v cty.Value) {
	defer func() {
		if recover() != nil {
			v = cty.DynamicVal
		}
	}()
	v, diags := e.Value(nil)
	if diags.HasErrors() {
		return cty.DynamicVal
	}
	return v
}

// resolveVariables applies variable files: terraform.tfvars and
// *.auto.tfvars are loaded by Terraform automatically and override the
// defaults; any other .tfvars file is loaded only when named on the
// command line, so a variable it sets no longer resolves.
func (m *Module) resolveVariables(vars []*file) {
	for _, f := range vars {
		base := path.Base(f.src.Path)
		auto := base == "terraform.tfvars" || strings.HasSuffix(base, ".auto.tfvars")
		names := make([]string, 0, len(f.body.Attributes))
		for name := range f.body.Attributes {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			a := f.body.Attributes[name]
			v := m.Variables[name]
			if v == nil {
				continue
			}
			val := Value{V: literal(a.Expr), Range: f.src.Range(a.SrcRange.Start.Byte, a.SrcRange.End.Byte), expr: a.Expr}
			switch {
			case auto:
				v.Value, v.Known, v.Unknown = val, val.Known(), ""
				if !v.Known {
					v.Unknown = base + " sets it to a value that is not a literal"
				}
			case v.Known && val.Known() && val.V.RawEquals(v.Value.V):
				// The same value either way.
			default:
				v.Known = false
				v.Unknown = fmt.Sprintf("%s, which is loaded only when named with -var-file, sets it", f.src.Path)
			}
		}
	}
}
