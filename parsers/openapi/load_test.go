package openapi_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/openapi"
	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/parsers/yamlutil"
)

// reader returns a workspace reader over files held in memory.
func reader(t testing.TB, files map[string]string) source.Reader {
	t.Helper()
	overlay := map[string][]byte{}
	for p, c := range files {
		overlay[p] = []byte(c)
	}
	r, err := parsers.NewFSReader(t.TempDir(), 0, overlay)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func load(t *testing.T, files map[string]string, root string) (*openapi.Spec, []source.Problem) {
	t.Helper()
	specs, probs := openapi.Load(reader(t, files), []string{root})
	if len(specs) != 1 {
		t.Fatalf("loaded %d specs, problems %v", len(specs), probs)
	}
	return specs[0], probs
}

func probCodes(probs []source.Problem) []string {
	var out []string
	for _, p := range probs {
		out = append(out, string(p.Kind)+"@"+p.Range.File+":"+itoa(p.Range.Start.Line))
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string {
	s := ""
	if n == 0 {
		return "0"
	}
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}

const spec31 = `openapi: 3.1.0
info: {title: t, version: "1"}
servers:
  - url: https://{env}.example.com/v1
    variables:
      env: {default: api}
security:
  - mtls: []
paths:
  /admin/keys:
    get:
      responses: {"200": {description: ok}}
  /public:
    get:
      security: []
      responses: {"200": {description: ok}}
    post:
      security:
        - mtls: []
        - {}
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    mtls:
      type: mutualTLS
      description: client certificate
`

func TestLoadYAML31(t *testing.T) {
	s, probs := load(t, map[string]string{"api.yaml": spec31}, "api.yaml")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if s.Kind() != parsers.KindOpenAPI || s.Root().Path != "api.yaml" {
		t.Errorf("kind %q root %q", s.Kind(), s.Root().Path)
	}
	if s.Version != "3.1.0" || s.VersionRange.Start.Line != 1 {
		t.Errorf("version %q at %v", s.Version, s.VersionRange)
	}
	if len(s.Servers) != 1 || s.Servers[0].URL != "https://api.example.com/v1" {
		t.Errorf("servers %+v", s.Servers)
	}
	if s.Security == nil || s.Security.Range.Start.Line != 7 || len(s.Security.Alternatives) != 1 {
		t.Fatalf("top-level security %+v", s.Security)
	}
	if !s.Scheme("mtls").Standard() || s.Scheme("mtls").TypeRange.Start.Line != 25 {
		t.Errorf("scheme %+v", s.Scheme("mtls"))
	}
	type want struct {
		op   string
		line int
		use  openapi.MTLSUse
	}
	wants := []want{
		{"GET /admin/keys", 11, openapi.MTLSRequired},
		{"GET /public", 14, openapi.MTLSNone},
		{"POST /public", 17, openapi.MTLSOptional},
	}
	if len(s.Operations) != len(wants) {
		t.Fatalf("operations: %v", s.Operations)
	}
	for i, w := range wants {
		op := s.Operations[i]
		if op.String() != w.op || op.Range.Start.Line != w.line || op.Range.Start.Col != 5 {
			t.Errorf("operation %d: %s at %v, want %s at %d:5", i, op, op.Range, w.op, w.line)
		}
		if got := s.MTLS(s.Effective(op)); got != w.use {
			t.Errorf("%s: MTLS = %v, want %v", op, got, w.use)
		}
	}
	post := s.Operations[2]
	if alts := post.Security.Alternatives; len(alts) != 2 || alts[1].Range.Start.Line != 20 || len(alts[1].Schemes) != 0 {
		t.Errorf("alternatives %+v", alts)
	}
	if s.Doc == nil {
		t.Errorf("kin-openapi did not load the document: %v", s.DocErr)
	}
}

func TestLoadJSONPositions(t *testing.T) {
	src := "{\n\t\"openapi\": \"3.0.3\",\n\t\"info\": {\"title\": \"t\", \"version\": \"1\"},\n\t\"paths\": {\n\t\t\"/x\": {\n\t\t\t\"get\": {\n\t\t\t\t\"security\": [{\"mtls\": []}],\n\t\t\t\t\"responses\": {}\n\t\t\t}\n\t\t}\n\t},\n\t\"components\": {\"securitySchemes\": {\"mtls\": {\"type\": \"mutualTLS\"}}}\n}\n"
	s, probs := load(t, map[string]string{"api.json": src}, "api.json")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	if len(s.Operations) != 1 {
		t.Fatalf("operations %v", s.Operations)
	}
	op := s.Operations[0]
	if op.Range.Start.Line != 6 || op.Range.Start.Col != 4 || string(s.Root().Content[op.Range.Start.Offset:op.Range.End.Offset]) != `"get"` {
		t.Errorf("operation range %v", op.Range)
	}
	if op.Security == nil || op.Security.Range.Start.Line != 7 || op.Security.Alternatives[0].Range.Start.Line != 7 {
		t.Errorf("security %+v", op.Security)
	}
	if s.MTLS(s.Effective(op)) != openapi.MTLSRequired {
		t.Errorf("not required")
	}
}

func TestLoadMultiFile(t *testing.T) {
	files := map[string]string{
		"spec/openapi.yml": `openapi: "3.0.0"
info: {title: t, version: "1"}
paths:
  '/authn-k8s/{id}/inject_client_cert':
    $ref: 'authentication.yml#/components/paths/Inject'
components:
  securitySchemes:
    k8sMutualTls:
      $ref: 'schemes.yml#/K8s'
`,
		"spec/authentication.yml": `components:
  paths:
    Inject:
      post:
        security:
          - k8sMutualTls: []
        responses: {"200": {description: ok}}
`,
		"spec/schemes.yml": `K8s:
  type: http
  scheme: mutual
  description: mutual TLS authentication with a client certificate
`,
	}
	s, probs := load(t, files, "spec/openapi.yml")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	var paths []string
	for _, f := range s.Files() {
		paths = append(paths, f.Path)
	}
	if strings.Join(paths, ",") != "spec/openapi.yml,spec/schemes.yml,spec/authentication.yml" {
		t.Errorf("files %v", paths)
	}
	op := s.Operations[0]
	if op.Range.File != "spec/authentication.yml" || op.Range.Start.Line != 4 || op.Security.Range.Start.Line != 5 {
		t.Errorf("operation %s at %v, security at %v", op, op.Range, op.Security.Range)
	}
	sc := s.Scheme("k8sMutualTls")
	if !sc.NonStandard() || sc.Standard() || sc.TypeRange.File != "spec/schemes.yml" {
		t.Errorf("scheme %+v", sc)
	}
	if s.MTLS(s.Effective(op)) != openapi.MTLSRequired {
		t.Errorf("mutual scheme not recognised")
	}
	if s.Doc == nil {
		t.Errorf("kin-openapi: %v", s.DocErr)
	}
}

func TestLoadRefusedReferences(t *testing.T) {
	files := map[string]string{
		"api/openapi.yaml": `openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    $ref: 'https://example.com/paths.yaml#/a'
  /b:
    $ref: '../../outside.yaml#/b'
  /c:
    $ref: '/etc/openapi.yaml#/c'
  /d:
    $ref: 'missing.yaml#/d'
  /e:
    $ref: '#/components/pathItems/nope'
  /f:
    $ref: '#/paths/~1g'
  /g:
    $ref: '#/paths/~1f'
`,
	}
	s, probs := load(t, files, "api/openapi.yaml")
	got := strings.Join(probCodes(probs), " ")
	want := "include-cycle@api/openapi.yaml:15 include-cycle@api/openapi.yaml:17 include-missing@api/openapi.yaml:11 include-missing@api/openapi.yaml:13 include-outside@api/openapi.yaml:5 include-outside@api/openapi.yaml:7 include-outside@api/openapi.yaml:9"
	if got != want {
		t.Errorf("problems\n got %s\nwant %s\n%v", got, want, probs)
	}
	if len(s.Operations) != 0 {
		t.Errorf("operations %v", s.Operations)
	}
	if s.Doc != nil {
		t.Errorf("kin-openapi loaded a document with unresolvable references")
	}
}

func TestKinFailureIsReported(t *testing.T) {
	// The walk needs nothing from the schema, but kin-openapi cannot
	// resolve it: that is reported (M002), and the operations are still read.
	src := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      security: [{mtls: []}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
components:
  securitySchemes:
    mtls: {type: mutualTLS}
`
	s, probs := load(t, map[string]string{"a.yaml": src}, "a.yaml")
	if got := strings.Join(probCodes(probs), " "); got != "not-analysed@a.yaml:1" {
		t.Errorf("problems %s: %v", got, probs)
	}
	if s.Doc != nil || s.DocErr == nil || len(s.Operations) != 1 {
		t.Errorf("doc %v err %v ops %v", s.Doc, s.DocErr, s.Operations)
	}
}

func TestLoadSyntaxAndShape(t *testing.T) {
	specs, probs := openapi.Load(reader(t, map[string]string{
		"bad.yaml":   "openapi: 3.1.0\npaths:\n  /x:\n    get: [\n",
		"shape.yaml": "openapi: 3.1.0\nsecurity: mtls\npaths:\n  /x:\n    get:\n      security:\n        - mtls\n",
	}), []string{"bad.yaml", "shape.yaml"})
	if len(specs) != 1 {
		t.Fatalf("specs %d", len(specs))
	}
	got := strings.Join(probCodes(probs), " ")
	if !strings.HasPrefix(got, "syntax@bad.yaml:") || !strings.Contains(got, "syntax@shape.yaml:2") || !strings.Contains(got, "syntax@shape.yaml:7") {
		t.Errorf("problems %s: %v", got, probs)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		name, content string
		want          bool
	}{
		{"a.yaml", "openapi: 3.1.0\n", true},
		{"a.yaml", "# comment\n---\n\"openapi\": \"3.0.0\"\n", true},
		{"a.yml", "swagger: '2.0'\n", true},
		{"a.yaml", "info:\n  openapi: 3.1.0\n", false},
		{"a.yaml", "openapiVersion: 3\n", false},
		{"a.yaml", "apiVersion: v1\nkind: Service\n", false},
		{"a.json", "{\"info\": {\"openapi\": \"3\"}, \"x\": \"\\\"openapi\\\": 1\"}", false},
		{"a.json", "\xef\xbb\xbf {\"info\": {}, \"openapi\" : \"3.1.0\"}", true},
		{"a.json", "{\"swagger\":\"2.0\"}", true},
		{"a.json", "[{\"openapi\": \"3\"}]", false},
	}
	for _, c := range cases {
		if got := openapi.Detect(c.name, []byte(c.content)); got != c.want {
			t.Errorf("Detect(%q) = %v, want %v", c.content, got, c.want)
		}
	}
	for name, want := range map[string]bool{"a.yaml": true, "b/c.JSON": true, "x.yml": true, "package.json": false, "a.cfg": false} {
		if openapi.Candidate(name) != want {
			t.Errorf("Candidate(%s) != %v", name, want)
		}
	}
}

func TestSwagger2(t *testing.T) {
	s, probs := load(t, map[string]string{"s.yaml": `swagger: "2.0"
host: api.example.com
basePath: /v2
securityDefinitions:
  cert: {type: mutualTLS}
paths:
  /x:
    get:
      security: [{cert: []}]
`}, "s.yaml")
	if len(probs) != 0 || !s.Swagger || s.Servers[0].URL != "https://api.example.com/v2" || !s.Scheme("cert").Standard() {
		t.Errorf("spec %+v problems %v", s, probs)
	}
	if maj, min, ok := s.MinorVersion(); !ok || maj != 2 || min != 0 {
		t.Errorf("version %d.%d %v", maj, min, ok)
	}
}

// TestFixturesLoad loads every document under testdata without problems
// other than those its name announces.
func TestFixturesLoad(t *testing.T) {
	dir := "testdata"
	r, err := parsers.NewFSReader(dir, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	loaded := 0
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		if !openapi.Detect(e.Name(), b) {
			continue
		}
		loaded++
		specs, probs := openapi.Load(r, []string{e.Name()})
		if strings.HasPrefix(e.Name(), "bad-") {
			if len(probs) == 0 {
				t.Errorf("%s: no problem reported", e.Name())
			}
			continue
		}
		if len(specs) != 1 || len(probs) != 0 {
			t.Errorf("%s: %d specs, problems %v", e.Name(), len(specs), probs)
		}
	}
	if loaded < 2 {
		t.Errorf("only %d documents under testdata", loaded)
	}
}

// TestOAS32 reads OpenAPI 3.2's query method and additionalOperations.
func TestOAS32(t *testing.T) {
	r, err := parsers.NewFSReader("testdata", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, probs := openapi.LoadSpec(r, "oas32-additional-operations.yaml")
	if s == nil || len(probs) != 0 {
		t.Fatalf("problems %v", probs)
	}
	var got []string
	for _, op := range s.Operations {
		got = append(got, op.String()+"="+itoa(int(s.MTLS(s.Effective(op)))))
	}
	if strings.Join(got, " ") != "QUERY /documents=1 PURGE /documents=0" {
		t.Errorf("operations %v", got)
	}
}

// TestKinRefusesOutsideRoot: a reference the structural walk does not
// follow (inside a schema) is still read only through the reader, so a
// file next to the root is refused, not read.
func TestKinRefusesOutsideRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte("S: {type: string}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "repo")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '../secret.yaml#/S'\n"
	if err := os.WriteFile(filepath.Join(root, "api.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := parsers.NewFSReader(root, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	specs, probs := openapi.Load(r, []string{"api.yaml"})
	if got := strings.Join(probCodes(probs), " "); got != "include-outside@api.yaml:7" {
		t.Errorf("problems %s: %v", got, probs)
	}
	if len(specs) != 1 || specs[0].Doc != nil {
		t.Errorf("the document loaded through an out-of-root reference")
	}
}

// TestDepthLimit: a document that nests deeper than the walks over it
// follow is reported (E006) where the limit is passed; one at the limit
// is not.
func TestDepthLimit(t *testing.T) {
	for _, n := range []int{yamlutil.MaxDepth, yamlutil.MaxDepth + 1} {
		// the document's mapping is level 1, x-deep's value level 2, ...
		src := `{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},` + "\n" + `"x-deep": ` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "}\n"
		_, probs := load(t, map[string]string{"api.json": src}, "api.json")
		var deep []source.Problem
		for _, p := range probs {
			if p.Kind == source.ProblemTooDeep {
				deep = append(deep, p)
			}
		}
		if n == yamlutil.MaxDepth {
			if len(deep) != 0 {
				t.Errorf("%d levels (the limit): %v", n, deep)
			}
			continue
		}
		if len(deep) != 1 || deep[0].Range.Start.Line != 2 {
			t.Errorf("%d levels: %v", n, probs)
		}
	}
}

// A syntax error is reported on the line that has it, in YAML and JSON:
// the YAML parser's marks are 0-based for its parser's errors.
func TestSyntaxErrorLine(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
	}{
		{"a.yaml", "openapi: 3.1.0\ninfo:\n  title: x\n version: 1\npaths: {}\n", 4}, // parser
		{"b.yaml", "openapi: 3.1.0\ninfo:\n  title: @x\npaths: {}\n", 3},             // scanner
		{"c.json", "{\n  \"openapi\": \"3.1.0\"\n  \"paths\": {}\n}\n", 3},           // missing comma: parser
		{"d.yaml", "openapi: 3.1.0\npaths:\n  /x:\n    get: [\n", 4},                 // end of input
	} {
		_, probs := openapi.Load(reader(t, map[string]string{tc.name: tc.src}), []string{tc.name})
		want := "syntax@" + tc.name + ":" + itoa(tc.line)
		if got := strings.Join(probCodes(probs), " "); got != want {
			t.Errorf("%q: problems %s, want %s (%v)", tc.src, got, want, probs)
		}
	}
}
