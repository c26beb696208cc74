package parsertest

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// DetectionNames are the names every sample is also detected under, on
// top of its own: the names steer the detectors into their YAML, JSON,
// TOML and compose branches.
var DetectionNames = []string{"a.yaml", "a.json", "a.toml", "docker-compose.yml"}

// Sample is one file's name (relative to its folder) and content.
type Sample struct {
	Name    string
	Content []byte
}

// DetectionSamples returns every file of the shared corpus (when it is
// present) and of the fixture scenarios.
func DetectionSamples(tb testing.TB) []Sample {
	var samples []Sample
	add := func(dir string) {
		err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			samples = append(samples, Sample{Name: filepath.ToSlash(rel), Content: b})
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if corpus := CorpusDir(""); isDir(corpus) {
		add(corpus)
	} else {
		tb.Logf("corpus not present at %s: fixtures only", corpus)
	}
	_, file, _, _ := runtime.Caller(0)
	fixtures := filepath.Join(filepath.Dir(file), "..", "..", "fixtures")
	if !isDir(fixtures) {
		tb.Fatalf("no fixtures at %s", fixtures)
	}
	add(fixtures)
	return samples
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// SameDetection fails for every sample, under its own name and each of
// DetectionNames, that detect decides otherwise than want (the decision
// it replaces).
func SameDetection(t *testing.T, want, detect func(string, []byte) bool) {
	samples := DetectionSamples(t)
	for _, s := range samples {
		for _, name := range append([]string{s.Name}, DetectionNames...) {
			if w, got := want(name, s.Content), detect(name, s.Content); w != got {
				t.Errorf("%s as %s: detected %v, the decision it replaces %v", s.Name, name, got, w)
			}
		}
	}
	t.Logf("%d samples, each under %d names", len(samples), 1+len(DetectionNames))
}

// FuzzSameDetection is SameDetection's fuzz target: a content under one of
// DetectionNames, seeded with seeds.
func FuzzSameDetection(f *testing.F, want, detect func(string, []byte) bool, seeds ...string) {
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, name uint8, content []byte) {
		n := DetectionNames[int(name)%len(DetectionNames)]
		if w, got := want(n, content), detect(n, content); w != got {
			t.Errorf("%s %q: detected %v, the decision it replaces %v", n, content, got, w)
		}
	})
}

// BenchmarkDetection runs detect over every sample under its own name.
func BenchmarkDetection(b *testing.B, detect func(string, []byte) bool) {
	samples := DetectionSamples(b)
	size := 0
	for _, s := range samples {
		size += len(s.Content)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range samples {
			detect(s.Name, s.Content)
		}
	}
}
