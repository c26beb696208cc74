package parsers

// All returns every front end, in detection order: a file belongs to the
// first format that detects it.
func All() []Format {
	return []Format{
		haproxyFormat(),
		gunicornFormat(),
		pythonFormat(),
	}
}
