// Package openapi is the OpenAPI front end. It recognises OpenAPI 3.x and
// Swagger 2.0 documents by their top-level `openapi:` / `swagger:` key,
// reads them and their local $refs through the workspace reader (network
// and out-of-root references are refused with a diagnostic), and extracts
// what the mutual-TLS rules need, with positions: the security schemes, the
// top-level and per-operation security requirements, and the server URLs.
// The same documents are loaded with kin-openapi, the loader oasdiff uses,
// for comparing two versions of a spec.
package openapi

import (
	"bytes"
	"path"
	"strings"
)

// Candidate reports whether a file may be an OpenAPI document, by its
// name: YAML and JSON files, except a few well-known files that never are.
func Candidate(rel string) bool {
	switch strings.ToLower(path.Ext(rel)) {
	case ".yaml", ".yml", ".json":
	default:
		return false
	}
	switch strings.ToLower(path.Base(rel)) {
	case "package.json", "package-lock.json", "tsconfig.json", "composer.json", ".eslintrc.json",
		"pnpm-lock.yaml", ".pre-commit-config.yaml", ".golangci.yml", ".golangci.yaml":
		return false
	}
	return true
}

// Detect reports whether content is an OpenAPI or Swagger document: a
// top-level `openapi` or `swagger` key, in YAML block style or JSON. It
// looks at the structure cheaply, without parsing the document.
func Detect(rel string, content []byte) bool {
	c := bytes.TrimPrefix(content, []byte{0xEF, 0xBB, 0xBF})
	t := bytes.TrimLeft(c, " \t\r\n")
	if len(t) > 0 && t[0] == '{' {
		return jsonTopKey(t)
	}
	return yamlTopKey(c)
}

func isVersionKey(k []byte) bool {
	return string(k) == "openapi" || string(k) == "swagger"
}

// yamlTopKey finds a line that starts, in column 0, with the key openapi
// or swagger (plain or quoted) followed by a colon.
func yamlTopKey(c []byte) bool {
	for len(c) > 0 {
		line := c
		if i := bytes.IndexByte(c, '\n'); i >= 0 {
			line, c = c[:i], c[i+1:]
		} else {
			c = nil
		}
		if len(line) == 0 {
			continue
		}
		q := line[0]
		if q == '"' || q == '\'' {
			end := bytes.IndexByte(line[1:], q)
			if end < 0 {
				continue
			}
			if !isVersionKey(line[1 : 1+end]) {
				continue
			}
			line = line[end+2:]
		} else {
			switch {
			case bytes.HasPrefix(line, []byte("openapi")):
				line = line[len("openapi"):]
			case bytes.HasPrefix(line, []byte("swagger")):
				line = line[len("swagger"):]
			default:
				continue
			}
		}
		line = bytes.TrimLeft(line, " \t")
		if len(line) > 0 && line[0] == ':' && (len(line) == 1 || line[1] == ' ' || line[1] == '\t' || line[1] == '\r') {
			return true
		}
	}
	return false
}

// jsonTopKey scans a JSON text, tracking strings and nesting, for a key
// "openapi" or "swagger" of the outermost object.
func jsonTopKey(c []byte) bool {
	depth := 0
	for i := 0; i < len(c); i++ {
		switch c[i] {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		case '"':
			start := i + 1
			j := start
			for j < len(c) && c[j] != '"' {
				if c[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(c) {
				return false
			}
			if depth == 1 && isVersionKey(c[start:j]) {
				k := j + 1
				for k < len(c) && (c[k] == ' ' || c[k] == '\t' || c[k] == '\r' || c[k] == '\n') {
					k++
				}
				if k < len(c) && c[k] == ':' {
					return true
				}
			}
			i = j
		}
	}
	return false
}
