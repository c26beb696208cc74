package haproxy

import (
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// TestByteOrderMark: HAProxy 2.6 reads a UTF-8 byte order mark as part of
// the first word ("unknown keyword '\ufeffglobal' out of section") and
// refuses the file. The mark is reported on line 1; the sections are still
// read, so that the file's other findings are not lost.
func TestByteOrderMark(t *testing.T) {
	for _, text := range []string{
		"\xef\xbb\xbfglobal\n    maxconn 100\nfrontend fe\n    bind :80\n",
		"\xef\xbb\xbf\n# comment\nglobal\n    maxconn 100\nfrontend fe\n    bind :80\n",
	} {
		f, problems := ParseFile(source.NewFile("haproxy.cfg", []byte(text)))
		if len(problems) != 1 {
			t.Fatalf("%q: problems %v, want one", text, problems)
		}
		p := problems[0]
		if p.Kind != source.ProblemSyntax || p.Range.Start.Line != 1 || p.Range.Start.Offset != 0 || !strings.Contains(p.Message, "byte order mark") {
			t.Errorf("%q: %+v", text, p)
		}
		var kinds []string
		for _, s := range f.Sections {
			kinds = append(kinds, s.Kind)
		}
		if strings.Join(kinds, " ") != "global frontend" || len(f.Orphans) != 0 {
			t.Errorf("%q: sections %v, orphans %d", text, kinds, len(f.Orphans))
		}
	}
}

// TestOutOfSection: HAProxy refuses a keyword line before the first
// section ("unknown keyword 'maxconn' out of section").
func TestOutOfSection(t *testing.T) {
	_, problems := ParseFile(source.NewFile("haproxy.cfg", []byte("# c\nmaxconn 100\nnbthread 2\nglobal\n    maxconn 100\n")))
	if len(problems) != 1 || problems[0].Kind != source.ProblemSyntax || problems[0].Range.Start.Line != 2 || !strings.Contains(problems[0].Message, "out of section") {
		t.Fatalf("problems %+v", problems)
	}
}

// TestNestedIfLimit: HAProxy 2.6 accepts 99 nested '.if' blocks and
// refuses the 100th (checked with haproxy -c: "too many nested '.if', max
// is 100").
func TestNestedIfLimit(t *testing.T) {
	for _, n := range []int{maxNestedConds - 1, maxNestedConds} {
		text := "global\n" + strings.Repeat(".if defined(X)\n", n) + "    maxconn 1\n" + strings.Repeat(".endif\n", n)
		_, problems := ParseFile(source.NewFile("haproxy.cfg", []byte(text)))
		if n < maxNestedConds {
			if len(problems) != 0 {
				t.Errorf("%d nested: %v", n, problems)
			}
			continue
		}
		// The refused .if is dropped, so its .endif is a lone one too.
		if len(problems) == 0 || problems[0].Kind != source.ProblemSyntax || problems[0].Range.Start.Line != n+1 || !strings.Contains(problems[0].Message, "too many nested") {
			t.Errorf("%d nested: %v", n, problems)
		}
	}
}
