package parsers

import "github.com/mtlslint/mtlslint/parsers/nginx"

// All returns every front end, in detection order: a file belongs to the
// first format that detects it.
func All() []Format {
	return []Format{
		{Kind: KindNginx, Candidate: nginx.Candidate, Detect: nginx.Detect, Load: TreesOf(nginx.Load)},
		haproxyFormat(),
		gunicornFormat(),
		pythonFormat(),
		composeFormat(),
	}
}
