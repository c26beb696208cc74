package lint

import (
	"sync"

	"github.com/mtlslint/mtlslint/parsers"
)

var (
	extraMu       sync.RWMutex
	extraFormats  []parsers.Format
	extraFamilies []Family
)

// Register adds front ends and rule families to the built-in ones until
// the returned function is called: tests use it to run the whole pipeline
// on formats of their own. Not to be called while a run is in progress.
func Register(formats []parsers.Format, fams ...Family) (unregister func()) {
	extraMu.Lock()
	defer extraMu.Unlock()
	oldF, oldFam := extraFormats, extraFamilies
	extraFormats = append(append([]parsers.Format{}, extraFormats...), formats...)
	extraFamilies = append(append([]Family{}, extraFamilies...), fams...)
	return func() {
		extraMu.Lock()
		defer extraMu.Unlock()
		extraFormats, extraFamilies = oldF, oldFam
	}
}

// allFamilies is the built-in families and the registered ones.
func allFamilies() []Family {
	extraMu.RLock()
	defer extraMu.RUnlock()
	return append(append([]Family{}, families...), extraFamilies...)
}

// allFormats is nil (parsers.All) unless formats were registered.
func allFormats() []parsers.Format {
	extraMu.RLock()
	defer extraMu.RUnlock()
	if len(extraFormats) == 0 {
		return nil
	}
	return append(parsers.All(), extraFormats...)
}
