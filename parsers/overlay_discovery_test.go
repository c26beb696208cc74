package parsers

import (
	"context"
	"reflect"
	"sort"
	"testing"
)

// An unsaved editor buffer of a file that is not on disk yet is discovered
// like a file on disk, unless the walk would have skipped it.
func TestOverlayOnlyFilesAreDiscovered(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"on-disk.conf":      "conf a",
		".gitignore":        "ignored/\n",
		"ignored/keep.conf": "conf b",
	})
	ws, err := Load(context.Background(), Options{
		Root:    dir,
		Formats: []Format{fakeFormat},
		Exclude: []string{"excluded/**"},
		Overlay: map[string][]byte{
			"new.conf":              []byte("conf new"),
			"sub/dir/new.conf":      []byte("conf nested"),
			"not-mine.conf":         []byte("something else"),
			"ignored/new.conf":      []byte("conf ignored"),
			"excluded/new.conf":     []byte("conf excluded"),
			"node_modules/new.conf": []byte("conf vendored"),
			"on-disk.conf":          []byte("conf a, edited"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"new.conf", "on-disk.conf", "sub/dir/new.conf"}
	got := append([]string{}, ws.Discovered["fake"]...)
	sort.Strings(got)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("discovered %q, want %q", got, want)
	}
}
