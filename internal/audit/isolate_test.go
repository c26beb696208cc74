package audit

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"reflect"
	"testing"

	"github.com/mtlslint/mtlslint/internal/graph"
	"github.com/mtlslint/mtlslint/internal/lint"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

// TestWorkerProtocol: what a worker sends back is the result the audit
// has when it analyses the repository in its own process: the summary
// (graph included), every finding with every field (keys, fixes, related
// locations, fingerprints), the lines and the places on the graph.
func TestWorkerProtocol(t *testing.T) {
	repo := Repo{ID: "demo", Dir: "../../fixtures/crossfile/demo-vulnerable"}
	want := (&auditor{}).inProcess(context.Background(), repo)
	if want.summary.Status != StatusOK || want.summary.Graph == nil || len(want.diags) == 0 || want.places == nil {
		t.Fatalf("the scenario does not exercise the protocol: %+v", want.summary)
	}

	var job bytes.Buffer
	if err := gob.NewEncoder(&job).Encode(workerJob{Repo: repo, Lint: jobOptions(lint.Options{}, false)}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := ServeWorker(&job, &out); err != nil {
		t.Fatal(err)
	}
	var wr workerResult
	if err := gob.NewDecoder(&out).Decode(&wr); err != nil {
		t.Fatal(err)
	}
	got := newResult(repo)
	wr.into(got)
	got.summary.DurationMS, want.summary.DurationMS = 0, 0
	if !reflect.DeepEqual(got.summary, want.summary) {
		t.Errorf("summary:\n got %+v\nwant %+v", got.summary, want.summary)
	}
	if !reflect.DeepEqual(got.diags, want.diags) {
		for i := range min(len(got.diags), len(want.diags)) {
			if !reflect.DeepEqual(got.diags[i], want.diags[i]) {
				t.Errorf("finding %d:\n got %#v\nwant %#v", i, got.diags[i], want.diags[i])
				break
			}
		}
		t.Errorf("%d findings arrived of %d, not all equal", len(got.diags), len(want.diags))
	}
	if !reflect.DeepEqual(got.lines, want.lines) || !reflect.DeepEqual(got.places, want.places) {
		t.Errorf("lines or places differ:\n got %q %v\nwant %q %v", got.lines, got.places, want.lines, want.places)
	}
}

// TestWorkerResultFields: a result with every field of every finding and
// of the summary set crosses the protocol unchanged. The sample must set
// every field: a field added to rules.Finding or Summary fails here until
// the sample sets it, and then this test says whether gob carries it.
func TestWorkerResultFields(t *testing.T) {
	at := source.Range{File: "a.conf", Start: source.Pos{Line: 2, Col: 3, Offset: 9}, End: source.Pos{Line: 2, Col: 7, Offset: 13}}
	f := rules.Finding{
		Diagnostic: rules.Diagnostic{
			Range: at, Message: "m", Detail: "d", FixTitle: "t", Severity: rules.High,
			Related: []source.Related{{Range: at, Message: "r"}},
			Fixes:   []rules.Fix{{Description: "f", Safe: true, Edits: []rules.Edit{{Range: at, NewText: "n"}}}},
			Key:     rules.RouteHeaderKey("route", "X-H"),
		},
		Code: "N001", Name: "n", CWE: []string{"CWE-1"}, Scope: rules.ScopeDeployment,
		Suppression: &rules.Suppression{Kind: "inSource", Justification: "j", Range: at},
		Fingerprint: "fp2", LegacyFingerprint: "fp1", LegacyMessage: "lm",
	}
	place := graph.Place{Routes: []string{"route"}, Nodes: []string{"node"}}
	g := &graph.Graph{Version: 1,
		Nodes: []*graph.Node{{ID: "route:route", Kind: graph.KindRoute, Label: []string{"l"}, Locs: []graph.Loc{{File: "a.conf", Line: 2}}, Route: "route"},
			{ID: "node", Kind: graph.KindApp, Label: []string{"app"}, Locs: []graph.Loc{{File: "s.py", Line: 1}}, Route: "x"}},
		Edges:   []*graph.Edge{{From: "route:route", To: "node", Label: []string{"TLS"}, Routes: []string{"route"}, Link: "address"}},
		Marks:   []graph.Mark{{Code: "N001", Severity: rules.High, Header: "X-H", Place: place}},
		Omitted: 1,
	}
	res := &result{
		summary: Summary{Type: TypeRepo, Version: SchemaVersion, Repo: "r", Status: StatusOK, Error: "e", FilesChecked: 1,
			Findings: 1, Suppressed: 1, BySeverity: map[string]int{"high": 1}, ByCode: map[string]int{"N001": 1}, DurationMS: 1,
			MaxRSS: 1, IgnoredUntracked: 1,
			Suppressions: []SuppressionRecord{{Location: location(at, "m"), Code: "N001", Severity: "high", Kind: "inSource", Justification: "j"}},
			Graph:        g},
		diags:  []rules.Finding{f, {}},
		lines:  []string{"line", ""},
		places: []*graph.Place{&place, nil},
	}
	for _, v := range []any{f, res.summary} {
		if zero := zeroFields(reflect.ValueOf(v), reflect.TypeOf(v).Name()); len(zero) > 0 {
			t.Errorf("the sample leaves fields unset: %v", zero)
		}
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(workerResultOf(res)); err != nil {
		t.Fatal(err)
	}
	var wr workerResult
	if err := gob.NewDecoder(&b).Decode(&wr); err != nil {
		t.Fatal(err)
	}
	got := &result{}
	wr.into(got)
	if !reflect.DeepEqual(got.summary, res.summary) {
		t.Errorf("summary:\n got %+v\nwant %+v", got.summary, res.summary)
	}
	if !reflect.DeepEqual(got.diags, res.diags) || !reflect.DeepEqual(got.lines, res.lines) || !reflect.DeepEqual(got.places, res.places) {
		t.Errorf("findings:\n got %#v %q %v\nwant %#v %q %v", got.diags, got.lines, got.places, res.diags, res.lines, res.places)
	}
}

// zeroFields lists the exported fields of v, and of the structs, pointers
// and first elements of slices below it, that hold their zero value.
func zeroFields(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return zeroFields(v.Elem(), path)
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{path}
		}
		return zeroFields(v.Index(0), path+"[0]")
	case reflect.Map:
		if v.Len() == 0 {
			return []string{path}
		}
		return nil
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				out = append(out, zeroFields(v.Field(i), fmt.Sprintf("%s.%s", path, f.Name))...)
			}
		}
		return out
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

// TestWorkerStartsNoWorkers: inside a worker process, an audit refuses to
// start workers. (Were the refusal gone, the command here, which is not
// this test binary, would run and the status would differ: the test never
// re-executes itself.)
func TestWorkerStartsNoWorkers(t *testing.T) {
	t.Setenv(WorkerEnv, "1")
	a := &auditor{opts: Options{Isolation: &Isolation{Command: []string{"/bin/true"}}}}
	res := a.one(context.Background(), Repo{ID: "r", Dir: t.TempDir()})
	if res.summary.Status != StatusError || res.summary.Error != "an audit worker does not start workers of its own" {
		t.Errorf("status %s: %s", res.summary.Status, res.summary.Error)
	}
}
