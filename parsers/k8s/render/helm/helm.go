// Package helm renders Helm charts with Helm's own chart loader and
// template engine, in memory, from the files of a render request only:
// no cluster is contacted (lookup returns nothing), no hook is run, no DNS
// is asked, no JSON schema is fetched, and a dependency that is not in the
// chart's charts/ directory is reported instead of downloaded.
package helm

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/common/util"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	c2load "helm.sh/helm/v4/pkg/chart/v2/loader"
	c2util "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// Render renders the chart in dir (root-relative) with the values files
// (root-relative, applied over the chart's values.yaml in order).
func Render(ctx context.Context, files map[string]string, env render.Environment) ([]render.Document, []render.Problem) {
	dir := path.Clean(env.Chart)
	chartFile := path.Join(dir, "Chart.yaml")
	if _, ok := files[chartFile]; !ok {
		return nil, []render.Problem{{Kind: render.NotRendered, File: dir, Message: "no Chart.yaml in " + dir}}
	}
	var buffered []*archive.BufferedFile
	for p, content := range files {
		if rel, ok := strings.CutPrefix(p, dir+"/"); ok || dir == "." {
			if dir == "." {
				rel = p
			}
			buffered = append(buffered, &archive.BufferedFile{Name: rel, Data: []byte(content)})
		}
	}
	sort.Slice(buffered, func(i, j int) bool { return buffered[i].Name < buffered[j].Name })
	ch, err := c2load.LoadFiles(buffered)
	if err != nil {
		return nil, []render.Problem{loadProblem(files, dir, err)}
	}
	if missing := missingDependencies(ch); len(missing) > 0 {
		return nil, []render.Problem{{Kind: render.NotRendered, File: chartFile, Line: lineOf(files[chartFile], "dependencies:"),
			Message: fmt.Sprintf("the chart's dependencies %s are not in its charts/ directory and are not downloaded, so the chart is not analysed", strings.Join(missing, ", "))}}
	}
	user := map[string]any{}
	for _, vf := range env.Values {
		content, ok := files[vf]
		if !ok {
			return nil, []render.Problem{{Kind: render.NotRendered, File: chartFile, Message: "the values file " + vf + " is missing"}}
		}
		vals, err := c2load.LoadValues(strings.NewReader(content))
		if err != nil {
			return nil, []render.Problem{yamlProblem(vf, err)}
		}
		user = c2load.MergeMaps(user, vals)
	}
	release := env.Release
	if release == "" {
		release = ch.Name()
	}
	namespace := env.Namespace
	if namespace == "" {
		namespace = "default"
	}
	if err := c2util.ProcessDependencies(ch, user); err != nil {
		return nil, []render.Problem{{Kind: render.NotRendered, File: chartFile, Message: "the chart's dependencies cannot be resolved: " + err.Error()}}
	}
	vals, err := util.ToRenderValuesWithSchemaValidation(ch, user, common.ReleaseOptions{Name: release, Namespace: namespace, Revision: 1, IsInstall: true}, nil, true)
	if err != nil {
		return nil, []render.Problem{{Kind: render.Error, File: chartFile, Line: 1, Message: "the values do not merge: " + err.Error()}}
	}
	// The zero Engine has no cluster client: lookup returns an empty map.
	var e engine.Engine
	out, err := e.RenderWithContext(ctx, ch, vals)
	if err != nil {
		return nil, []render.Problem{templateProblem(files, dir, ch.Name(), err)}
	}
	valuesFiles := append([]string{path.Join(dir, "values.yaml")}, env.Values...)
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	var docs []render.Document
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || !(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")) {
			continue
		}
		origin := sourcePath(dir, name)
		for _, y := range splitDocuments(out[name]) {
			docs = append(docs, render.Document{YAML: y, Origin: origin, Values: valuesFiles})
		}
	}
	return docs, nil
}

// missingDependencies names the dependencies Chart.yaml declares that
// are not loaded from charts/.
func missingDependencies(ch *chart.Chart) []string {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if d != nil && !have[d.Name] {
			missing = append(missing, d.Name)
		}
	}
	return missing
}

// sourcePath turns a template name of Helm's output ("web/templates/x.yaml",
// "web/charts/db/templates/y.yaml") into a root-relative path: the first
// element is the chart's name, not its directory.
func sourcePath(dir, name string) string {
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return path.Join(dir, name)
}

// splitDocuments cuts a rendered template into its YAML documents,
// dropping empty ones (a template whose condition is false renders to
// nothing).
func splitDocuments(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" && !onlyComments(t) {
			out = append(out, cur.String())
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(s, "\n") {
		if line == "---" || strings.HasPrefix(line, "---\n") || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "---\r") {
			flush()
			continue
		}
		cur.WriteString(line)
	}
	flush()
	return out
}

func onlyComments(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

// placeRe finds "name.yaml:12:5" or "name.yaml:12" in Helm's errors.
var placeRe = regexp.MustCompile(`([\w.\-/]+?\.(?:yaml|yml|tpl|txt|json)):(\d+)(?::(\d+))?`)

// templateProblem places a template error at its template line.
func templateProblem(files map[string]string, dir, chartName string, err error) render.Problem {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	p := render.Problem{Kind: render.Error, File: path.Join(dir, "Chart.yaml"), Line: 1, Message: msg}
	if missingValues(msg) {
		// Not a broken template: the values of this environment lack
		// what the chart needs (a chart rendered with values.yaml alone
		// often does).
		p.Kind, p.Message = render.NotRendered, "values are missing: "+msg
	}
	if m := placeRe.FindStringSubmatch(msg); m != nil {
		file := sourcePath(dir, m[1])
		if !strings.HasPrefix(m[1], chartName+"/") {
			file = path.Join(dir, m[1])
		}
		if _, ok := files[file]; ok {
			p.File = file
			p.Line, _ = strconv.Atoi(m[2])
			if m[3] != "" {
				p.Column, _ = strconv.Atoi(m[3])
			}
		}
	}
	return p
}

// missingValues reports whether a template error comes from a value the
// environment does not give: `required`, or a field of a missing map.
func missingValues(msg string) bool {
	return strings.Contains(msg, "error calling required") || strings.Contains(msg, "nil pointer evaluating")
}

// loadProblem places an error of the chart loader: a Chart.yaml or values
// file that does not parse.
func loadProblem(files map[string]string, dir string, err error) render.Problem {
	msg := err.Error()
	file := path.Join(dir, "Chart.yaml")
	if strings.Contains(msg, "values.yaml") {
		file = path.Join(dir, "values.yaml")
	}
	if _, ok := files[file]; !ok {
		file = path.Join(dir, "Chart.yaml")
	}
	p := yamlProblem(file, err)
	p.Message = "the chart does not load: " + p.Message
	return p
}

// yamlProblem places a YAML error of file at the line it names.
func yamlProblem(file string, err error) render.Problem {
	p := render.Problem{Kind: render.Error, File: file, Line: 1, Message: err.Error()}
	if n, _ := yamlutil.ErrorLine(err); n > 0 {
		p.Line = n
	}
	return p
}

// lineOf is the 1-based line of the first line that starts with prefix
// (after indentation), or 1.
func lineOf(content, prefix string) int {
	for i, l := range bytes.Split([]byte(content), []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(l), []byte(prefix)) {
			return i + 1
		}
	}
	return 1
}
