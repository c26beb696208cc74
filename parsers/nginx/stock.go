package nginx

import (
	"embed"
	"path"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// The files that Debian's nginx-common (Debian 12, 1.22.1-9+deb12u11) ships
// under /etc/nginx and that repositories rarely contain. An include of one
// of them that the repository lacks is read from this stock copy, so that
// `include proxy_params;` in a location counts as a level that defines
// proxy_set_header.
//
//go:embed stock/proxy_params stock/uwsgi_params stock/fastcgi_params stock/scgi_params stock/mime.types stock/fastcgi.conf stock/snippets/fastcgi-php.conf stock/snippets/snakeoil.conf
var stockFS embed.FS

// StockDir is where the stock files live on a Debian system; stock
// directives carry it in their file paths.
const StockDir = "/etc/nginx/"

// stockFile returns the stock file for a path relative to the configuration
// prefix ("proxy_params", "snippets/fastcgi-php.conf"), or nil.
func stockFile(rel string) *source.File {
	rel = path.Clean(rel)
	b, err := stockFS.ReadFile("stock/" + rel)
	if err != nil {
		return nil
	}
	return source.NewFile(StockDir+rel, b)
}
