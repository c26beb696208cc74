package nginx

// Release lets go of the parsed directives once nothing reads them any
// more: the engine calls it when it releases trees (check), after the
// tree's own rules and the deployment phase. Only nginx's own rules and
// analyses read the directives (the routes keep ranges and values, not
// directives), so the tree keeps just its kind and files; a reader that
// came later would fail loudly on the missing directives rather than see
// an empty configuration.
func (t *Tree) Release() { t.Main = nil }
