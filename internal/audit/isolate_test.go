package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/config"
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
	if err := json.NewEncoder(&job).Encode(workerJob{Repo: repo, Lint: jobOptions(lint.Options{}, false)}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := ServeWorker(&job, &out); err != nil {
		t.Fatal(err)
	}
	var wr workerResult
	if err := json.NewDecoder(&out).Decode(&wr); err != nil {
		t.Fatal(err)
	}
	got := newResult(repo)
	if err := wr.into(got); err != nil {
		t.Fatal(err)
	}
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
// the sample sets it, and then this test says whether the protocol
// carries it. The second finding is the zero one: a zero severity (the
// rule's default) and an empty key cross too.
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
	sent, err := workerResultOf(res)
	if err != nil {
		t.Fatal(err)
	}
	var wr workerResult
	roundTrip(t, sent, &wr)
	got := &result{}
	if err := wr.into(got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.summary, res.summary) {
		t.Errorf("summary:\n got %+v\nwant %+v", got.summary, res.summary)
	}
	if !reflect.DeepEqual(got.diags, res.diags) || !reflect.DeepEqual(got.lines, res.lines) || !reflect.DeepEqual(got.places, res.places) {
		t.Errorf("findings:\n got %#v %q %v\nwant %#v %q %v", got.diags, got.lines, got.places, res.diags, res.lines, res.places)
	}
}

// TestWorkerJobFields: a job with every field set, the options and the
// configuration file's included, reaches the worker unchanged. The sample
// must set every field (as in TestWorkerResultFields) but Settings.Base,
// which the audit never sets and which cannot cross.
func TestWorkerJobFields(t *testing.T) {
	at := source.Range{File: "mtlslint.toml", Start: source.Pos{Line: 1, Col: 1, Offset: 1}, End: source.Pos{Line: 1, Col: 2, Offset: 2}}
	cfg := &config.Config{Select: []string{"N"}, ExtendSelect: []string{"X"}, Ignore: []string{"H"}, PerFileIgnores: map[string][]string{"a/*": {"N001"}},
		Exclude: []string{"vendor"}, FailOn: "high", Severity: map[string]string{"N001": "low"},
		NginxVersion: "1", HAProxyVersion: "2", DjangoVersion: "3", GunicornVersion: "4", CaddyVersion: "2.6.2",
		SettingsModule: "p.settings", DevSettings: []string{"dev"}, TrustedProxies: []string{"10.0.0.1"},
		Topology: []config.Topology{{Proxy: "nginx.conf", App: "app", Line: 3}},
		Helm:     []config.Helm{{Chart: "c", Values: []string{"v.yaml"}, Namespace: "ns", Release: "r", Line: 4}},
		Path:     "mtlslint.toml", Lines: map[string]int{"select": 1}}
	job := workerJob{Repo: Repo{ID: "r", Dir: "/r"}, RepoConfig: true, Timeout: time.Minute,
		Lint: workerOptions{Select: []string{"N"}, ExtendSelect: []string{"X"}, Ignore: []string{"H"}, Exclude: []string{"e"},
			MaxFileSize: 1, MaxFiles: 2, Config: cfg, NoIgnore: true, Tracked: true,
			Settings: rules.Settings{NginxVersion: "1", HAProxyVersion: "2", DjangoVersion: "3", GunicornVersion: "4", CaddyVersion: "2.6.2",
				DevSettings: []string{"dev"}, SettingsModule: "p.settings", TrustedProxies: []string{"10.0.0.1"},
				Topology:     []rules.TopologyLink{{Proxy: "nginx.conf", App: "app", Range: at}},
				BaseRevision: "HEAD~1"}}}
	zero := zeroFields(reflect.ValueOf(job), "workerJob")
	if zero = slices.DeleteFunc(zero, func(f string) bool { return f == "workerJob.Lint.Settings.Base" }); len(zero) > 0 {
		t.Errorf("the sample leaves fields unset: %v", zero)
	}
	var got workerJob
	roundTrip(t, job, &got)
	if !reflect.DeepEqual(got, job) {
		t.Errorf("job:\n got %+v\nwant %+v", got, job)
	}
}

// roundTrip sends v as the protocol does and reads it into into.
func roundTrip(t *testing.T, v, into any) {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(&b).Decode(into); err != nil {
		t.Fatal(err)
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
