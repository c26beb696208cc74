package python

// Release lets go of the module's statements, tokens and evaluated
// settings once nothing reads them any more: the engine calls it when it
// releases trees (check), after the tree's own rules and the deployment
// phase. The tree keeps what rules of other trees still read of it: its
// role, dotted name, DJANGO_SETTINGS_MODULE values and app code (the
// classes a middleware entry names, their reads), which are plain facts
// rather than pointers into the syntax tree. The module is replaced by a
// shell that keeps only its file, not cleared in place: a star-imported
// module is shared with the settings trees that import it, whose
// bindings still point into it until they are released in turn.
func (t *Tree) Release() {
	if t.Module != nil {
		t.Module = &Module{File: t.Module.File}
	}
	t.Settings = nil
}
