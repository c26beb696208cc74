package python

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestLineEndings: Python reads a module with universal newlines, so a
// settings file saved with CRLF or CR line endings means exactly what the
// same file with LF means. Every statement is analysed, the values are the
// same, and each value's range covers the same text of the original file.
func TestLineEndings(t *testing.T) {
	lf := "DEBUG = True\n" +
		"SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\",\n    \"https\")\n" +
		"import os\nif os.environ.get('PROD'):\n    MODE = 'dev'\nelse:\n    MODE = 'prod'\n" +
		"TOTAL = 1 + \\\n    2\n" +
		"DOC = '''a\nb'''\n" +
		"def f(request):\n    return request.META.get('HTTP_X_SSL_CLIENT_VERIFY')\n" +
		"LAST = 'x'\n"
	for name, eol := range map[string]string{"LF": "\n", "CRLF": "\r\n", "CR": "\r"} {
		for _, final := range []bool{true, false} {
			name, src := name, strings.ReplaceAll(lf, "\n", eol)
			if !final {
				name += "-no-final-eol"
				src = strings.TrimSuffix(src, eol)
			}
			testLineEndings(t, name, src, eol)
		}
	}
}

func testLineEndings(t *testing.T, name, src, eol string) {
	{
		t.Run(name, func(t *testing.T) {
			m := Parse(source.NewFile("settings.py", []byte(src)))
			for _, p := range m.Problems {
				t.Errorf("problem: %s: %s", p.Range, p.Message)
			}
			ns := Evaluate(m, nil).NS
			want := map[string]string{
				"DEBUG":                   "True",
				"SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')",
				"MODE":                    "'dev' or 'prod'",
				"TOTAL":                   "3",
				"DOC":                     "'a\\nb'",
				"LAST":                    "'x'",
			}
			for k, v := range want {
				b := ns.Get(k)
				if b == nil {
					t.Errorf("%s not bound", k)
					continue
				}
				if got := b.Value.String(); got != v {
					t.Errorf("%s = %s, want %s", k, got, v)
				}
			}
			// Ranges are byte offsets of the original text.
			spsh := ns.Get("SECURE_PROXY_SSL_HEADER")
			if spsh == nil {
				return
			}
			r := spsh.Value.Range
			got := src[r.Start.Offset:r.End.Offset]
			if want := "(\"HTTP_X_FORWARDED_PROTO\"," + eol + "    \"https\")"; got != want {
				t.Errorf("value range covers %q, want %q", got, want)
			}
			if r.Start.Offset != strings.Index(src, "(\"HTTP") {
				t.Errorf("value starts at %d", r.Start.Offset)
			}
			// The data-flow analysis reads the same module the same way.
			var reads []*Read
			for _, tr := range loadFiles(t, map[string]string{"app/views.py": src}) {
				if tr.App != nil {
					reads = append(reads, tr.App.ReadSites...)
				}
			}
			if len(reads) != 1 {
				t.Errorf("header reads %+v, want one", reads)
			}
		})
	}
}
