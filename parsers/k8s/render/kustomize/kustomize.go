// Package kustomize builds kustomizations with kustomize's API, in memory,
// from the files of a render request only: no remote base is fetched (it
// is reported), no plugin is run (kustomize's builtins only), and Helm
// chart inflation, which would run the helm program, is reported instead.
package kustomize

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
)

// Names a kustomization file may have, in kustomize's order of preference.
var Names = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

const (
	originKey         = "config.kubernetes.io/origin"
	transformationKey = "alpha.config.kubernetes.io/transformations"
)

// Build builds the kustomization in dir (root-relative) from files.
func Build(files map[string]string, dir string) ([]render.Document, []render.Problem) {
	dir = path.Clean(dir)
	kfile := find(files, dir)
	if kfile == "" {
		return nil, []render.Problem{{Kind: render.NotRendered, File: dir, Message: "no kustomization file in " + dir}}
	}
	if probs := check(files, kfile); len(probs) > 0 {
		return nil, probs
	}
	fs := filesys.MakeFsInMemory()
	for p, content := range files {
		data := []byte(content)
		if p == kfile {
			var err error
			if data, err = withBuildMetadata(data); err != nil {
				return nil, []render.Problem{{Kind: render.Error, File: kfile, Line: 1, Message: "the kustomization does not parse: " + err.Error()}}
			}
		}
		if err := fs.WriteFile("/"+p, data); err != nil {
			return nil, []render.Problem{{Kind: render.NotRendered, File: p, Message: err.Error()}}
		}
	}
	opts := krusty.MakeDefaultOptions()
	opts.PluginConfig = types.DisabledPluginConfig()
	m, err := krusty.MakeKustomizer(opts).Run(fs, "/"+dir)
	if err != nil {
		return nil, []render.Problem{{Kind: render.NotRendered, File: kfile, Line: 1, Message: "kustomize build failed: " + strings.ReplaceAll(err.Error(), "'/", "'")}}
	}
	var docs []render.Document
	var probs []render.Problem
	for _, r := range m.Resources() {
		d, err := document(r, dir)
		if err != nil {
			probs = append(probs, render.Problem{Kind: render.Error, File: kfile, Line: 1, Message: fmt.Sprintf("%s: %v", r.CurId(), err)})
			continue
		}
		docs = append(docs, d)
	}
	return docs, probs
}

func find(files map[string]string, dir string) string {
	for _, n := range Names {
		if _, ok := files[path.Join(dir, n)]; ok {
			return path.Join(dir, n)
		}
	}
	return ""
}

// document turns a built resource into a Document, its origin
// annotations into root-relative paths.
func document(r *resource.Resource, dir string) (render.Document, error) {
	var d render.Document
	origin, err := r.GetOrigin()
	if err != nil {
		return d, err
	}
	if origin != nil {
		switch {
		case origin.Path != "":
			d.Origin = path.Join(dir, origin.Path)
		case origin.ConfiguredIn != "":
			d.Origin = path.Join(dir, origin.ConfiguredIn)
		}
	}
	ts, err := r.GetTransformations()
	if err != nil {
		return d, err
	}
	seen := map[string]bool{}
	for _, t := range ts {
		if t.ConfiguredIn == "" || t.Repo != "" {
			continue
		}
		p := path.Join(dir, t.ConfiguredIn)
		if !seen[p] {
			seen[p] = true
			d.Transformers = append(d.Transformers, p)
		}
	}
	annotations := r.GetAnnotations()
	delete(annotations, originKey)
	delete(annotations, transformationKey)
	if err := r.SetAnnotations(annotations); err != nil {
		return d, err
	}
	b, err := r.AsYAML()
	if err != nil {
		return d, err
	}
	d.YAML = string(b)
	return d, nil
}

// withBuildMetadata asks kustomize to record origins and transformers.
func withBuildMetadata(data []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return []byte("buildMetadata: [originAnnotations, transformerAnnotations]\n"), nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a mapping")
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "buildMetadata" {
			list = root.Content[i+1]
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		list = &yaml.Node{Kind: yaml.SequenceNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "buildMetadata"}, list)
	}
	for _, want := range []string{types.OriginAnnotations, types.TransformerAnnotations} {
		has := false
		for _, it := range list.Content {
			has = has || it.Value == want
		}
		if !has {
			list.Content = append(list.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: want})
		}
	}
	return yaml.Marshal(&doc)
}

// check walks the kustomizations that dir's builds from and reports what
// cannot be built here: remote resources, references outside the root,
// Helm chart inflation.
func check(files map[string]string, kfile string) []render.Problem {
	var probs []render.Problem
	seen := map[string]bool{}
	var walk func(kfile string)
	walk = func(kfile string) {
		if seen[kfile] {
			return
		}
		seen[kfile] = true
		k, err := parse(files[kfile])
		if err != nil {
			return // kustomize reports it
		}
		dir := path.Dir(kfile)
		for _, key := range []string{"helmCharts", "helmChartInflationGenerator"} {
			if n := k.get(key); n != nil {
				probs = append(probs, render.Problem{Kind: render.NotRendered, File: kfile, Line: n.Line,
					Message: key + " inflates Helm charts by running the helm program, which is not run; render the chart on its own (mtlslint renders charts found in the tree)"})
			}
		}
		for _, key := range []string{"resources", "bases", "components"} {
			n := k.get(key)
			if n == nil || n.Kind != yaml.SequenceNode {
				continue
			}
			for _, it := range n.Content {
				ref := strings.TrimSpace(it.Value)
				switch {
				case it.Kind != yaml.ScalarNode || ref == "":
				case IsRemote(ref):
					probs = append(probs, render.Problem{Kind: render.NotRendered, File: kfile, Line: it.Line, Column: it.Column,
						Message: fmt.Sprintf("the remote %s %s is not fetched, so the build that uses it is not analysed", strings.TrimSuffix(key, "s"), ref)})
				case path.IsAbs(ref) || strings.HasPrefix(path.Join(dir, ref), "../") || path.Join(dir, ref) == "..":
					probs = append(probs, render.Problem{Kind: render.NotRendered, File: kfile, Line: it.Line, Column: it.Column,
						Message: fmt.Sprintf("%s %s is outside the scanned root", strings.TrimSuffix(key, "s"), ref)})
				default:
					if sub := find(files, path.Join(dir, ref)); sub != "" {
						walk(sub)
					}
				}
			}
		}
	}
	walk(kfile)
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].File < probs[j].File })
	return probs
}

// IsRemote reports whether a kustomization's resource names a remote
// location (a git repository or a URL) rather than a path.
func IsRemote(ref string) bool {
	return strings.Contains(ref, "://") || strings.HasPrefix(ref, "git@") || strings.HasPrefix(ref, "github.com/") ||
		strings.HasPrefix(ref, "gitlab.com/") || strings.HasPrefix(ref, "bitbucket.org/") || strings.Contains(ref, "?ref=") ||
		strings.HasPrefix(ref, "git::")
}

type kustomization struct{ root *yaml.Node }

func parse(content string) (kustomization, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(content), &doc); err != nil {
		return kustomization{}, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return kustomization{}, fmt.Errorf("not a mapping")
	}
	return kustomization{doc.Content[0]}, nil
}

func (k kustomization) get(key string) *yaml.Node {
	for i := 0; i+1 < len(k.root.Content); i += 2 {
		if k.root.Content[i].Value == key {
			return k.root.Content[i+1]
		}
	}
	return nil
}
