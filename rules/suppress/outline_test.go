package suppress

import (
	"fmt"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/parsers/source"
)

func outline(kind, path, text string) *Outline {
	return NewOutline(source.NewFile(path, []byte(text)), kind)
}

func checkExtent(t *testing.T, o *Outline, line, wantTo int) {
	t.Helper()
	from, to := o.Extent(line)
	if from != line || to != wantTo {
		t.Errorf("%s: Extent(%d) = %d-%d, want %d-%d", o.file.Path, line, from, to, line, wantTo)
	}
}

func checkPath(t *testing.T, o *Outline, line int, want ...int) {
	t.Helper()
	if got := o.Path(line); fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s: Path(%d) = %v, want %v", o.file.Path, line, got, want)
	}
}

func TestOutlineNginx(t *testing.T) {
	o := outline(parsers.KindNginx, "nginx.conf", `http {
    server {   # "{" in a comment does not count {
        listen 443 ssl;
        location /api {
            return 200 "}";
            add_header X-A '{';
        }
        location = /x { return 204; }
    }
}
server
`)
	checkExtent(t, o, 1, 10)
	checkExtent(t, o, 2, 9)
	checkExtent(t, o, 4, 7)
	checkExtent(t, o, 8, 8)
	checkExtent(t, o, 3, 3)
	checkPath(t, o, 5, 1, 2, 4)
	checkPath(t, o, 3, 1, 2)
	checkPath(t, o, 1)
	if o.Statement(2) != "server {" {
		t.Errorf("statement of line 2 = %q (comment must be stripped)", o.Statement(2))
	}
	// An unterminated block runs to the end of the file.
	o = outline(parsers.KindNginx, "broken.conf", "server {\n  listen 80;\n")
	checkExtent(t, o, 1, 3)
}

func TestOutlineNginxQuotesOnlyAtTokenStart(t *testing.T) {
	// nginx takes a quote inside a word literally, and "#" inside a word
	// does not start a comment.
	o := outline(parsers.KindNginx, "n.conf", "location ~ a\"b {\n  set $x a#b;\n}\n")
	checkExtent(t, o, 1, 3)
	if o.CommentStart(2) != -1 {
		t.Errorf("a#b taken for a comment")
	}
}

func TestOutlineHAProxySections(t *testing.T) {
	o := outline(parsers.KindHAProxy, "haproxy.cfg", `global
    log stdout local0

frontend fe_https
    bind :443 ssl crt /x.pem verify optional
    # a comment
    http-request set-header X-SSL %[ssl_c_verify]

backend app
    server a 127.0.0.1:8000
`)
	checkExtent(t, o, 1, 2)
	checkExtent(t, o, 4, 7)
	checkExtent(t, o, 9, 10)
	checkExtent(t, o, 5, 5)
	checkPath(t, o, 7, 4)
	checkPath(t, o, 10, 9)
}

func TestOutlinePython(t *testing.T) {
	o := outline(parsers.KindPython, "settings.py", `import os

SECURE_PROXY_SSL_HEADER = (
    "HTTP_X_FORWARDED_PROTO",
"https",
)

class Middleware:
    header = "HTTP_X_SSL_CLIENT_DN"

    def __call__(self, request):
        doc = """
# mtlslint: ignore[D001] -- inside a string, not a comment
"""
        return request.META["HTTP_X_SSL_CLIENT_VERIFY"]  # a comment

DEBUG = False
`)
	checkExtent(t, o, 3, 6)
	checkExtent(t, o, 8, 15)
	checkExtent(t, o, 11, 15)
	checkExtent(t, o, 17, 17)
	checkPath(t, o, 15, 8, 11)
	checkPath(t, o, 5, 3)
	if o.CommentStart(13) != -1 {
		t.Error("a line inside a triple-quoted string was taken for a comment")
	}
	if o.CommentStart(15) < 0 {
		t.Error("trailing comment not found")
	}
}

func TestOutlineYAML(t *testing.T) {
	o := outline(parsers.KindK8s, "ingress.yaml", `metadata:
  annotations:
    nginx.ingress.kubernetes.io/auth-tls-verify-client: "optional" # "#" quoted
spec:
  rules:
    - host: a.example
      http: {}
    - host: b.example
`)
	checkExtent(t, o, 1, 3)
	checkExtent(t, o, 2, 3)
	checkExtent(t, o, 6, 7)
	checkExtent(t, o, 8, 8)
	checkPath(t, o, 3, 1, 2)
	checkPath(t, o, 7, 4, 5, 6)
	if c := o.CommentStart(3); c < 0 || string(o.file.Content[c:c+3]) != "# \"" {
		t.Errorf("comment on line 3 at %d", c)
	}
}

func TestOutlineTerraformAndJSON(t *testing.T) {
	o := outline(parsers.KindTerraform, "main.tf", "resource \"aws_lb_listener\" \"x\" {\n  // {\n  /* { */\n  mutual_authentication {\n    mode = \"passthrough\"\n  }\n}\n")
	checkExtent(t, o, 1, 7)
	checkExtent(t, o, 4, 6)
	o = outline(parsers.KindOpenAPI, "api.json", "{\n  \"a\": \"#{\",\n  \"b\": {\n    \"c\": 1\n  }\n}\n")
	checkExtent(t, o, 1, 6)
	checkExtent(t, o, 3, 5)
	if o.CommentStart(2) != -1 {
		t.Error("JSON has no comments")
	}
}

func TestOutlineCRLFAndBOM(t *testing.T) {
	o := outline(parsers.KindNginx, "n.conf", "\xEF\xBB\xBFserver {\r\n  listen 443; # c\r\n}\r\n")
	checkExtent(t, o, 1, 3)
	if o.Statement(2) != "listen 443;" {
		t.Errorf("statement = %q", o.Statement(2))
	}
}
