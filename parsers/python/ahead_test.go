package python

import (
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// aheadFiles are settings modules in several groups of import closures:
// a group with an import cycle (which import is cut depends on which
// module is evaluated first), settings that share a base (one group),
// absolute imports, a chain deeper than the loader follows, modules with
// parse problems imported before and after the loop reaches them, and a
// module that is not detected.
func aheadFiles() map[string]string {
	files := map[string]string{
		"a/settings/base.py":   "SECRET_KEY = 'x'\nfrom .common import *\nMIDDLEWARE = ['m.A']\nDEBUG = False\n",
		"a/settings/common.py": "ALLOWED_HOSTS = ['a']\nfrom .base import *\nSECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')\n",
		"a/settings/dev.py":    "from .base import *\nDEBUG = True\nMIDDLEWARE += ['m.Dev']\n",
		"a/settings/prod.py":   "from .common import *\nfrom .base import *\nALLOWED_HOSTS += ['prod']\n",
		"a/views.py":           "def v(request):\n    return request.META.get('HTTP_X_SSL_CLIENT_VERIFY') == 'SUCCESS'\n",
		"b/settings.py":        "SECRET_KEY = 'y'\nfrom b.extra import *\nfrom .broken import *\nUSE_X_FORWARDED_HOST = FLAG\n",
		"b/extra.py":           "FLAG = True\nx = (\n",
		"b/broken.py":          "SECRET_KEY = 'z'\ndef (:\nMORE = 1\n",
		"c/settings.py":        "SECRET_KEY = 'c'\nfrom .m0 import *\nfrom a.views import *\n",
		"d/settings.py":        "SECRET_KEY = 'd'\nfrom .b0 import *\nDEBUG = BASE\n",
		"d/b0.py":              "from .b1 import *\nSECRET_KEY = 'e'\n",
		"d/b1.py":              "BASE = 1\nfrom .b0 import *\n",
		"e/settings.py":        "SECRET_KEY = 'e'\nfrom .b1 import *\n",
		"e/b1.py":              "import os\nMIDDLEWARE = [os.environ['M']]\ndef f(:\n",
	}
	n := maxImportDepth + 1
	for i := range n - 1 {
		files["c/m"+itoa(i)+".py"] = "from .m" + itoa(i+1) + " import *\n"
	}
	files["c/m"+itoa(n-1)+".py"] = "DEEP = 1\n"
	return files
}

// TestEvaluateAheadSame: the settings modules evaluated ahead, with any
// number of jobs and groups started in any order, give the trees and
// problems, in the same order, that evaluating each in the loop gives.
func TestEvaluateAheadSame(t *testing.T) {
	files := aheadFiles()
	var paths []string
	for p := range files {
		if Detect(p, []byte(files[p])) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	want := sameAhead(t, newMemReader(files), paths)
	for _, s := range []string{"deeper than", "b/broken.py:2", "b/extra.py:3", "e/b1.py:3"} {
		if !strings.Contains(want, s) {
			t.Errorf("the input does not exercise the import limit and parse problems (no %q)", s)
		}
	}
}

// TestEvaluateAheadSameOnCorpus is TestEvaluateAheadSame on the corpus's
// Django projects.
func TestEvaluateAheadSameOnCorpus(t *testing.T) {
	dir := filepath.Join(corpusDir(), "django")
	if !dirExists(dir) {
		t.Skip("no corpus at", dir)
	}
	fsys := os.DirFS(dir)
	files := map[string]string{}
	var paths []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".py") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = string(b)
		if Candidate(p) && Detect(p, b) {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sameAhead(t, newMemReader(files), paths)
}

// sameAhead compares the ways of evaluating settings and returns the
// dump of the loop's result.
func sameAhead(t *testing.T, r source.Reader, paths []string) string {
	t.Helper()
	dump := func(sch schedule, jobs int) string {
		trees, probs := loadScheduled(source.WithJobs(r, jobs), paths, classify, sch)
		var b strings.Builder
		dumpValue(&b, reflect.ValueOf(trees), map[uintptr]int{})
		fmt.Fprintf(&b, "\n%d problems\n", len(probs))
		for _, p := range probs {
			fmt.Fprintf(&b, "%+v\n", p)
		}
		return b.String()
	}
	want := dump(schedule{serial: true}, 1)
	reverse := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = n - 1 - i
		}
		return out
	}
	shuffle := func(seed int64) func(n int) []int {
		return func(n int) []int { return rand.New(rand.NewSource(seed)).Perm(n) }
	}
	for _, c := range []struct {
		name string
		sch  schedule
		jobs int
	}{
		{"one job", schedule{}, 1},
		{"two jobs", schedule{}, 2},
		{"four jobs, reversed", schedule{order: reverse}, 4},
		{"three jobs, shuffled", schedule{order: shuffle(1)}, 3},
		{"two jobs, shuffled", schedule{order: shuffle(2)}, 2},
	} {
		if got := dump(c.sch, c.jobs); got != want {
			t.Errorf("%s: the result differs from evaluating in the loop:\n%s", c.name, firstDifference(want, got))
		}
	}
	return want
}

// firstDifference shows where two dumps part.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range min(len(wl), len(gl)) {
		if wl[i] != gl[i] {
			return fmt.Sprintf("line %d:\nwant %.400s\ngot  %.400s", i+1, wl[i], gl[i])
		}
	}
	return fmt.Sprintf("want %d lines, got %d", len(wl), len(gl))
}

// dumpValue writes v and everything it points to, modules and files by
// path; a pointer seen before is written as its number, so the dump also
// shows which values are shared.
func dumpValue(b *strings.Builder, v reflect.Value, seen map[uintptr]int) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		switch v.Type() {
		case reflect.TypeFor[*Module]():
			fmt.Fprintf(b, "module(%s)", (*Module)(v.UnsafePointer()).File.Path)
			return
		case reflect.TypeFor[*source.File]():
			fmt.Fprintf(b, "file(%s)", (*source.File)(v.UnsafePointer()).Path)
			return
		}
		if n, ok := seen[v.Pointer()]; ok {
			fmt.Fprintf(b, "#%d", n)
			return
		}
		seen[v.Pointer()] = len(seen)
		fmt.Fprintf(b, "&%d", len(seen)-1)
		dumpValue(b, v.Elem(), seen)
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString(v.Elem().Type().String())
		dumpValue(b, v.Elem(), seen)
	case reflect.Struct:
		b.WriteString("{")
		for i := range v.NumField() {
			fmt.Fprintf(b, "%s:", v.Type().Field(i).Name)
			dumpValue(b, v.Field(i), seen)
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			b.WriteString("nil")
			return
		}
		b.WriteString("[")
		for i := range v.Len() {
			dumpValue(b, v.Index(i), seen)
			b.WriteString(",\n")
		}
		b.WriteString("]")
	case reflect.Map:
		type entry struct {
			key string
			val reflect.Value
		}
		var entries []entry
		for it := v.MapRange(); it.Next(); {
			var k strings.Builder
			dumpValue(&k, it.Key(), map[uintptr]int{})
			entries = append(entries, entry{k.String(), it.Value()})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
		b.WriteString("map[")
		for _, e := range entries {
			b.WriteString(e.key + ":")
			dumpValue(b, e.val, seen)
			b.WriteString(",\n")
		}
		b.WriteString("]")
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		fmt.Fprintf(b, "%s(nil=%v)", v.Kind(), v.IsNil())
	default:
		fmt.Fprint(b, v)
	}
}
