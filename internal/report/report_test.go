package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/mtlslint/mtlslint/parsers/source"
	"github.com/mtlslint/mtlslint/rules"
)

var testRule = &rules.Rule{
	Code: "N003", Name: "verify-client-optional", Severity: rules.High, CWE: []string{"CWE-287"},
	Summary: "optional client verification without a gate",
	Doc:     rules.Doc{What: "w", Why: "y", Example: "ssl_verify_client optional;", Fix: "f", References: []string{"https://nginx.org/"}},
}

func testInput() Input {
	f := source.NewFile("conf/nginx.conf", []byte("server {\n\tssl_verify_client optional; # é😀\n}\n"))
	start := strings.Index(string(f.Content), "ssl_verify")
	end := strings.Index(string(f.Content), ";")
	files := map[string]*source.File{f.Path: f}
	d := rules.Finding{Code: "N003", Name: "verify-client-optional", CWE: []string{"CWE-287"}, Fingerprint: "abc123", LegacyFingerprint: "old456", Diagnostic: rules.Diagnostic{Severity: rules.High, Range: f.Range(start, end), Message: "gate it",
		Detail: "clients without a certificate reach the app", FixTitle: "return 403 unless $ssl_client_verify is SUCCESS", Related: []source.Related{{Range: f.Range(0, 6), Message: "the server"}}, Fixes: []rules.Fix{{Description: "require certificates", Safe: false, Edits: []rules.Edit{
			{Range: f.Range(start+len("ssl_verify_client "), end), NewText: "on"},
		}}}}}
	sup := d
	sup.Range = f.Range(0, 6)
	sup.Suppression = &rules.Suppression{Kind: "inSource", Justification: "lab only"}
	sup.Severity = rules.Low
	return Input{
		Findings:     []rules.Finding{d, sup},
		File:         func(p string) *source.File { return files[p] },
		Rules:        []*rules.Rule{testRule},
		Root:         "/repo",
		Version:      "1.0.0",
		FilesChecked: 1,
	}
}

func TestTextFormat(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, testInput(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "conf/nginx.conf:2:2: high N003 verify-client-optional: gate it\n" +
		" 2 | \tssl_verify_client optional; # é😀\n" +
		"   | \t^^^^^^^^^^^^^^^^^^^^^^^^^^\n" +
		"      = clients without a certificate reach the app\n" +
		"      = related conf/nginx.conf:1:1: the server\n" +
		"      = help: return 403 unless $ssl_client_verify is SUCCESS\n" +
		"      = unsafe fix available: require certificates\n" +
		"1 finding: 1 high in 1 file (1 file checked, 1 suppressed).\n"
	if b.String() != want {
		t.Errorf("text output:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	_ = Text(&b, testInput(), TextOptions{Color: true})
	if !strings.Contains(b.String(), "\x1b[") {
		t.Error("colour requested but no escape sequences written")
	}
}

func TestTextSanitisesControlCharacters(t *testing.T) {
	in := testInput()
	f := source.NewFile("x.conf", []byte("a \x1b[31mred\x07;\n"))
	in.File = func(string) *source.File { return f }
	in.Findings = []rules.Finding{{Code: "N003", Diagnostic: rules.Diagnostic{Severity: rules.High, Range: f.Range(0, 1), Message: "m"}}}
	var b bytes.Buffer
	_ = Text(&b, in, TextOptions{})
	if strings.ContainsAny(b.String(), "\x1b\x07") {
		t.Errorf("control characters from the file reached the terminal: %q", b.String())
	}
}

func TestJSONFormat(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, testInput(), false); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"].(float64) != JSONVersion {
		t.Errorf("version = %v", doc["version"])
	}
	diags := doc["diagnostics"].([]any)
	if len(diags) != 1 {
		t.Fatalf("suppressed finding must be left out by default: %d diagnostics", len(diags))
	}
	d := diags[0].(map[string]any)
	loc := d["location"].(map[string]any)
	if loc["file"] != "conf/nginx.conf" || loc["start"].(map[string]any)["line"].(float64) != 2 {
		t.Errorf("location = %v", loc)
	}
	if d["help_uri"] == "" || len(d["fixes"].([]any)) != 1 {
		t.Errorf("diagnostic = %v", d)
	}
	if d["message"] != "gate it" || d["detail"] != "clients without a certificate reach the app" || d["fix_title"] == nil {
		t.Errorf("message, detail and fix title: %v", d)
	}
	b.Reset()
	_ = JSON(&b, testInput(), true)
	if !strings.Contains(b.String(), `"justification": "lab only"`) {
		t.Error("show-suppressed JSON lacks the suppression")
	}
}

// The SARIF written leaves out the library's empty arrays and -1
// sentinels; it is smaller and still validates.
func TestSARIFWithoutEmptyArraysAndSentinels(t *testing.T) {
	var full, written bytes.Buffer
	if err := BuildSARIF(testInput()).PrettyWrite(&full); err != nil {
		t.Fatal(err)
	}
	if err := SARIF(&written, testInput()); err != nil {
		t.Fatal(err)
	}
	out := written.String()
	for _, bad := range []string{"[]", ": -1"} {
		if strings.Contains(out, bad) {
			t.Errorf("the SARIF holds %q", bad)
		}
	}
	if written.Len() >= full.Len() {
		t.Errorf("the SARIF did not shrink: %d bytes of %d", written.Len(), full.Len())
	}
	t.Logf("%d bytes instead of %d", written.Len(), full.Len())
	if !strings.Contains(out, `"ruleIndex": 0`) {
		t.Errorf("a real rule index was dropped")
	}
	// The library's own Validate reads absent arrays as null: the official
	// schema is the judge.
	schema := findSchema()
	if schema == "" {
		t.Skip("the shared SARIF 2.1.0 schema (shared/schemas) is not here: the pruned log is not validated")
	}
	res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+schema), gojsonschema.NewStringLoader(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("schema %s: %s", schema, e)
	}
}

// TestSARIFValidates validates the SARIF output against the SARIF 2.1.0
// schema (the library's copy, and the project's shared copy when present)
// and checks what GitHub code scanning reads.
func TestSARIFValidates(t *testing.T) {
	rep := BuildSARIF(testInput())
	if err := rep.Validate(); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	var b bytes.Buffer
	if err := rep.PrettyWrite(&b); err != nil {
		t.Fatal(err)
	}
	if schema := findSchema(); schema == "" {
		t.Log("shared SARIF schema not found; validated against the library's copy only")
	} else {
		res, err := gojsonschema.Validate(gojsonschema.NewReferenceLoader("file://"+schema), gojsonschema.NewBytesLoader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range res.Errors() {
			t.Errorf("schema %s: %s", schema, e)
		}
	}
	var doc struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string `json:"id"`
						HelpURI    string `json:"helpUri"`
						Help       struct{ Markdown string }
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct{ StartLine, StartColumn, EndColumn int }
					}
				}
				Message             struct{ Text, Markdown string } `json:"message"`
				RelatedLocations    []any                           `json:"relatedLocations"`
				PartialFingerprints map[string]string               `json:"partialFingerprints"`
				Suppressions        []struct{ Kind, Justification string }
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Runs[0]
	rule := r.Tool.Driver.Rules[0]
	if rule.ID != "N003" || rule.HelpURI == "" || !strings.Contains(rule.Help.Markdown, "### Why it is dangerous") {
		t.Errorf("rule metadata: %+v", rule)
	}
	if rule.Properties["security-severity"] != "8.0" {
		t.Errorf("security-severity = %v", rule.Properties["security-severity"])
	}
	if tags, _ := rule.Properties["tags"].([]any); len(tags) != 2 || tags[1] != "external/cwe/cwe-287" {
		t.Errorf("tags = %v", rule.Properties["tags"])
	}
	res := r.Results[0]
	if res.Level != "error" || len(res.RelatedLocations) != 1 || res.PartialFingerprints["mtlslintFingerprint/v2"] != "abc123" || res.PartialFingerprints["mtlslintFingerprint/v1"] != "old456" {
		t.Errorf("result = %+v", res)
	}
	if res.Message.Text != "gate it" || !strings.Contains(res.Message.Markdown, "clients without a certificate reach the app") || !strings.Contains(res.Message.Markdown, "**Fix:**") {
		t.Errorf("message = %+v", res.Message)
	}
	// Column 2 (after a tab); the range ends before ";" on column 28.
	if reg := res.Locations[0].PhysicalLocation.Region; reg.StartLine != 2 || reg.StartColumn != 2 || reg.EndColumn != 28 {
		t.Errorf("region = %+v", reg)
	}
	if len(r.Results[1].Suppressions) != 1 || r.Results[1].Suppressions[0].Kind != "inSource" {
		t.Errorf("suppressed result lacks its suppression: %+v", r.Results[1])
	}
	if r.Results[1].Level != "note" {
		t.Errorf("low severity must map to note, got %s", r.Results[1].Level)
	}
}

func findSchema() string {
	if p := os.Getenv("MTLSLINT_SARIF_SCHEMA"); p != "" {
		return p
	}
	dir, _ := filepath.Abs(".")
	for i := 0; i < 6; i++ {
		p := filepath.Join(dir, "..", "shared", "schemas", "sarif-schema-2.1.0.json")
		if _, err := os.Stat(p); err == nil {
			abs, _ := filepath.Abs(p)
			return abs
		}
		dir = filepath.Dir(dir)
	}
	return ""
}

// TestSARIFIndentedAsEncoder checks that SARIF writes the pruned log as
// json.Encoder with SetIndent("", "  ") and no HTML escaping would.
func TestSARIFIndentedAsEncoder(t *testing.T) {
	in := testInput()
	in.Findings[0].Message = `<b>"quoted" & raw</b>`
	var b bytes.Buffer
	if err := BuildSARIF(in).Write(&b); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&b)
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pruneSARIF(doc)); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := SARIF(&got, in); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("SARIF wrote\n%s\nwant\n%s", got.Bytes(), want.Bytes())
	}
}
