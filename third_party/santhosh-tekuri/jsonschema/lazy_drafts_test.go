package jsonschema

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// The meta-schemas are compiled by the first Compile, not at start-up,
// and every Compile still validates the schema against its draft.
func TestDraftsCompiledByFirstCompile(t *testing.T) {
	for _, d := range []*Draft{Draft4, Draft6, Draft7, Draft2019, Draft2020} {
		if d.sch != nil {
			t.Fatalf("%s: meta-schema compiled before any Compile", d.url)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		i := i // the module is go 1.21: one i for every iteration
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := NewCompiler()
			loc := "mem:bad.json"
			if err := c.AddResource(loc, map[string]any{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": 5.0}); err != nil {
				errs[i] = err
				return
			}
			_, errs[i] = c.Compile(loc)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		var sve *SchemaValidationError
		if !errors.As(err, &sve) {
			t.Errorf("compile %d: %v, want a SchemaValidationError (type 5 is not a type)", i, err)
		}
	}
	for _, d := range []*Draft{Draft4, Draft6, Draft7, Draft2019, Draft2020} {
		if d.sch == nil {
			t.Errorf("%s: meta-schema not compiled after Compile", d.url)
		}
		for name, sch := range d.allVocabs {
			if sch == nil {
				t.Errorf("%s: vocabulary %s not compiled", d.url, name)
			}
		}
	}

	c := NewCompiler()
	if err := c.AddResource("mem:ok.json", map[string]any{"type": "string", "maxLength": 3.0}); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("mem:ok.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate("abc"); err != nil {
		t.Errorf("valid instance rejected: %v", err)
	}
	if err := sch.Validate("abcd"); err == nil || !strings.Contains(err.Error(), "maxLength") {
		t.Errorf("instance too long: %v, want a maxLength error", err)
	}
}
