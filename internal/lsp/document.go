package lsp

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// document is an open editor buffer.
type document struct {
	uri     protocol.DocumentURI
	path    string // absolute file path; "" for a URI that is not a file
	version int32
	text    []byte
}

// apply applies content changes in order. A change without a range
// replaces the whole text; a ranged change is located in the negotiated
// encoding.
func (d *document) apply(changes []contentChange, enc source.Encoding) error {
	for i, ch := range changes {
		if ch.Range == nil {
			d.text = []byte(ch.Text)
			continue
		}
		f := source.NewFile("", d.text)
		start := f.Offset(int(ch.Range.Start.Line), int(ch.Range.Start.Character), enc)
		end := f.Offset(int(ch.Range.End.Line), int(ch.Range.End.Character), enc)
		if end < start {
			return fmt.Errorf("change %d: range end %d:%d is before its start %d:%d", i,
				ch.Range.End.Line, ch.Range.End.Character, ch.Range.Start.Line, ch.Range.Start.Character)
		}
		text := make([]byte, 0, len(d.text)-(end-start)+len(ch.Text))
		text = append(text, d.text[:start]...)
		text = append(text, ch.Text...)
		text = append(text, d.text[end:]...)
		d.text = text
	}
	return nil
}

var windowsDrive = source.LazyRegexp(`^/[A-Za-z]:`)

// uriPath returns the file path of a file URI.
func uriPath(u protocol.DocumentURI) (string, bool) {
	p, err := url.Parse(string(u))
	if err != nil || !strings.EqualFold(p.Scheme, "file") || (p.Host != "" && p.Host != "localhost") || p.Path == "" {
		return "", false
	}
	path := p.Path
	if windowsDrive().MatchString(path) {
		path = path[1:]
	}
	return filepath.Clean(filepath.FromSlash(path)), true
}

// pathURI returns the file URI of an absolute path.
func pathURI(path string) protocol.DocumentURI { return uri.File(path) }

// within reports whether path is dir or lies below it.
func within(path, dir string) bool {
	if path == dir {
		return true
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(path, dir)
}
