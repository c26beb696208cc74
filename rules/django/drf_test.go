package django_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers"
	"github.com/mtlslint/mtlslint/rules"
	"github.com/mtlslint/mtlslint/rules/django"
)

// TestDRFAnonymous: a DRF authentication class that returns None lets the
// request on to the view with an anonymous user only where the permission
// classes in force for the views using it allow anonymous requests.
func TestDRFAnonymous(t *testing.T) {
	const auth = `from rest_framework import authentication

class CertAuth(authentication.BaseAuthentication):
    def authenticate(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return None
        return (request.META["HTTP_X_SSL_CLIENT_DN"], None)
`
	const defaults = `REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.CertAuth"]}
`
	for _, c := range []struct {
		name, settings, views string
		auth                  string // replaces auth when set
		want                  string // "reached", "reached, unknown", "not reached"
	}{
		{"DRF's default AllowAny", "", "", "", "reached"},
		{"no REST_FRAMEWORK at all", "-", "", "", "reached"},
		{"default IsAuthenticated", `REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.CertAuth"], "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
`, "", "", "not reached"},
		{"anonymous reads allowed", `REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.CertAuth"], "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"]}
`, "", "", "reached"},
		{"a base view requires a user", "", `from rest_framework.views import APIView
from rest_framework.permissions import IsAuthenticated
class Base(APIView):
    permission_classes = [IsAuthenticated]
class Stock(Base):
    def get(self, request):
        return None
`, "", "not reached"},
		{"one view of two allows anyone", "", `from rest_framework.views import APIView
from rest_framework.permissions import IsAuthenticated
class Stock(APIView):
    permission_classes = [IsAuthenticated]
class Health(APIView):
    pass
`, "", "reached"},
		{"a view with other authentication classes", "", `from rest_framework.views import APIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.authentication import SessionAuthentication
class Stock(APIView):
    permission_classes = [IsAuthenticated]
class Staff(APIView):
    authentication_classes = [SessionAuthentication]
`, "", "not reached"},
		{"function view with decorators", "", `from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def stock(request):
    return None
`, "", "not reached"},
		{"permission classes from a variable", "", `from rest_framework.views import APIView
class Stock(APIView):
    permission_classes = PERMISSIONS
`, "", "reached, unknown"},
		{"REST_FRAMEWORK not known", `import os
REST_FRAMEWORK = os.environ["REST"]
`, "", "", "reached, unknown"},
		{"a Django auth backend", "", "", `class CertBackend:
    def authenticate(self, request, **credentials):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return None
        return request.META["HTTP_X_SSL_CLIENT_DN"]
`, "not reached"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			settings := c.settings
			switch settings {
			case "":
				settings = defaults
			case "-":
				settings = ""
			}
			writeFile(t, dir, "proj/settings.py", "SECRET_KEY = 'x'\nINSTALLED_APPS = ['rest_framework', 'api']\nROOT_URLCONF = 'proj.urls'\n"+settings)
			writeFile(t, dir, "proj/wsgi.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n")
			writeFile(t, dir, "api/__init__.py", "")
			code := auth
			if c.auth != "" {
				code = c.auth
			}
			writeFile(t, dir, "api/auth.py", code)
			if c.views != "" {
				writeFile(t, dir, "api/views.py", c.views)
			}
			ws, err := parsers.Load(context.Background(), parsers.Options{Root: dir})
			if err != nil {
				t.Fatal(err)
			}
			apps := rules.BuildApps(django.Apps, ws, &rules.Settings{})
			got := "not reached"
			for _, a := range apps {
				for _, tr := range a.Trusts {
					for _, d := range tr.Decisions {
						if d.Sink == "the view as an anonymous user" {
							got = "reached"
							if len(d.Unknown) > 0 {
								got = "reached, unknown"
							}
						}
					}
				}
			}
			if got != c.want {
				var all []string
				for _, a := range apps {
					for _, tr := range a.Trusts {
						for _, d := range tr.Decisions {
							all = append(all, a.ID+" "+tr.Header+" "+d.Sink)
						}
					}
				}
				t.Errorf("anonymous: %s, want %s\n  %s", got, c.want, strings.Join(all, "\n  "))
			}
		})
	}
}

// BenchmarkDRFViews builds the apps of a project with many DRF views, each
// deriving from a base view of the project.
func BenchmarkDRFViews(b *testing.B) {
	dir := b.TempDir()
	writeFile(b, dir, "proj/settings.py", "SECRET_KEY = 'x'\nROOT_URLCONF = 'proj.urls'\nREST_FRAMEWORK = {\"DEFAULT_AUTHENTICATION_CLASSES\": [\"api.auth.CertAuth\"]}\n")
	writeFile(b, dir, "proj/wsgi.py", "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n")
	writeFile(b, dir, "api/auth.py", "from rest_framework import authentication\n\nclass CertAuth(authentication.BaseAuthentication):\n    def authenticate(self, request):\n        if request.META.get(\"HTTP_X_SSL_CLIENT_VERIFY\") != \"SUCCESS\":\n            return None\n        return (request.META[\"HTTP_X_SSL_CLIENT_DN\"], None)\n")
	for m := 0; m < 50; m++ {
		var src strings.Builder
		src.WriteString("from rest_framework.views import APIView\nfrom rest_framework.permissions import IsAuthenticated\n\nclass Base(APIView):\n    permission_classes = [IsAuthenticated]\n")
		for c := 0; c < 40; c++ {
			fmt.Fprintf(&src, "\nclass View%d(Base):\n    def get(self, request):\n        return None\n", c)
		}
		writeFile(b, dir, fmt.Sprintf("api/views%d.py", m), src.String())
	}
	ws, err := parsers.Load(context.Background(), parsers.Options{Root: dir})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rules.BuildApps(django.Apps, ws, &rules.Settings{})
	}
}
