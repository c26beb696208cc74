package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/mtlslint/mtlslint/internal/lint"
)

// encoderIndent is what json.Encoder with SetIndent("", "  ") writes for v,
// the output indentJSON must reproduce byte for byte.
func encoderIndent(t testing.TB, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var indentCases = []any{
	map[string]any{},
	[]any{},
	map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{map[string]any{}, []any{[]any{}}}},
	[]any{"x", 1, 2.5, true, false, nil, "", "a\"b", `\`, `\"`, "{[,:]}", "<&>", "\u2028", "tab\tnewline\n", "é"},
	map[string]any{"k\"ey": map[string]any{"nested": []any{1, map[string]any{"deep": "v,{}"}}}},
	jsonDoc{Tool: jsonTool{Name: "mtlslint"}, Diagnostics: []jsonDiag{{Code: "N001", CWE: []string{}, Related: []jsonLoc{}, Fixes: []jsonFix{{Edits: []jsonEdit{}}}}}},
}

func TestIndentJSONMatchesEncoder(t *testing.T) {
	for _, v := range indentCases {
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got := append(indentJSON(nil, compact), '\n')
		if want := encoderIndent(t, v); !bytes.Equal(got, want) {
			t.Errorf("indentJSON(%s):\n%s\nwant:\n%s", compact, got, want)
		}
	}
}

// wholeDocument is the JSON report as json.Encoder writes it when the
// document is encoded at once, the bytes JSON's chunks must add up to.
func wholeDocument(t *testing.T, in Input, showSuppressed bool) []byte {
	doc := jsonDoc{Version: JSONVersion, Tool: jsonTool{Name: "mtlslint", Version: in.Version}, Root: in.Root, Diagnostics: []jsonDiag{}, Summary: Summarize(in)}
	for i, d := range in.Findings {
		if d.Suppression != nil && !showSuppressed {
			continue
		}
		j := toJSON(d)
		j.Proof = in.proof(i)
		if d.Code == testRule.Code {
			j.HelpURI = testRule.HelpURI()
		}
		doc.Diagnostics = append(doc.Diagnostics, j)
	}
	return encoderIndent(t, doc)
}

// TestJSONChunksMatchWholeDocument writes reports of 0 to several chunks'
// worth of findings (suppressed ones among them, shown and not, with
// quotes and HTML in messages) and compares them with the whole document
// encoded at once.
func TestJSONChunksMatchWholeDocument(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	base := testInput()
	for _, n := range []int{0, 1, 2, minChunk, minChunk + 1, 4*minChunk + 3, 9 * minChunk} {
		in := base
		in.Root = `/repo "diagnostics": []`
		in.Findings = nil
		for i := range n {
			d := base.Findings[i%len(base.Findings)]
			d.Message = fmt.Sprintf("finding %d <a href=\"x\">&</a>", i)
			in.Findings = append(in.Findings, d)
		}
		for _, showSuppressed := range []bool{false, true} {
			var got bytes.Buffer
			if err := JSON(&got, in, showSuppressed); err != nil {
				t.Fatal(err)
			}
			if want := wholeDocument(t, in, showSuppressed); !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%d findings, showSuppressed %v: JSON wrote\n%s\nwant\n%s", n, showSuppressed, got.Bytes(), want)
			}
		}
	}
}

// FuzzIndentJSON compares indentJSON with json.Indent on the compact form
// of any valid JSON document.
func FuzzIndentJSON(f *testing.F) {
	for _, v := range indentCases {
		b, _ := json.Marshal(v)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if !json.Valid(in) {
			return
		}
		var compact, want bytes.Buffer
		if err := json.Compact(&compact, in); err != nil {
			t.Fatal(err)
		}
		if err := json.Indent(&want, compact.Bytes(), "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(nil, compact.Bytes()); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("indentJSON(%s):\n%s\nwant:\n%s", compact.Bytes(), got, want.Bytes())
		}
	})
}

// BenchmarkJSONReport writes the JSON report of corpus/nginx and of the
// whole corpus (their findings, in process), the SARIF log of the whole
// corpus, and indents the nginx
// report's compact form with indentJSON and with json.Indent (what
// json.Encoder's SetIndent runs).
//
//	go test ./internal/report -run '^$' -bench JSONReport -benchmem
func BenchmarkJSONReport(b *testing.B) {
	const corpus = "/work/shared/corpus"
	if _, err := os.Stat(corpus); err != nil {
		b.Skip("corpus not present")
	}
	whole, err := lint.Run(context.Background(), lint.Options{Root: corpus, NoConfig: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("JSON-whole-corpus", func(b *testing.B) {
		in := Input{Findings: whole.Findings, FilesChecked: len(whole.Workspace.Files())}
		for b.Loop() {
			if err := JSON(io.Discard, in, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SARIF-whole-corpus", func(b *testing.B) {
		in := Input{Findings: whole.Findings, FilesChecked: len(whole.Workspace.Files())}
		for b.Loop() {
			if err := SARIF(io.Discard, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	res, err := lint.Run(context.Background(), lint.Options{Root: corpus + "/nginx", NoConfig: true})
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Findings: res.Findings, FilesChecked: len(res.Workspace.Files())}
	var report bytes.Buffer
	if err := JSON(&report, in, false); err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, report.Bytes()); err != nil {
		b.Fatal(err)
	}
	b.Run("JSON", func(b *testing.B) {
		for b.Loop() {
			if err := JSON(io.Discard, in, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("indentJSON", func(b *testing.B) {
		var dst []byte
		for b.Loop() {
			dst = indentJSON(dst[:0], compact.Bytes())
		}
	})
	b.Run("json.Indent", func(b *testing.B) {
		var dst bytes.Buffer
		for b.Loop() {
			dst.Reset()
			if err := json.Indent(&dst, compact.Bytes(), "", "  "); err != nil {
				b.Fatal(err)
			}
		}
	})
}
