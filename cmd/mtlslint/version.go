package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/mtlslint/mtlslint/parsers/source"
)

// versionText is what `mtlslint version` prints: the module version and,
// when the binary was built from a git checkout, the revision it was built
// from (with its time, and "modified" when the work tree had changes), as
// the build information records them.
func versionText() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(toolVersion(), bi)
}

// versionOf renders the version and what the build information records.
func versionOf(version string, bi *debug.BuildInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "mtlslint %s\n", version)
	if bi == nil {
		return b.String()
	}
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	if rev := vcs["vcs.revision"]; rev != "" {
		fmt.Fprintf(&b, "revision %s", rev)
		var notes []string
		if t := vcs["vcs.time"]; t != "" {
			notes = append(notes, t)
		}
		if vcs["vcs.modified"] == "true" {
			notes = append(notes, "modified")
		}
		if len(notes) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "built with %s", bi.GoVersion)
	if vcs["CGO_ENABLED"] == "0" {
		b.WriteString(", static (CGO_ENABLED=0)")
	}
	b.WriteString("\n")
	return b.String()
}

// suggestCommand returns the command a mistyped first argument most likely
// meant ("chek" → "check"), or "" when it is not close to one or names an
// existing file (then it is a path for check).
func suggestCommand(arg string) string {
	if arg == "" || strings.HasPrefix(arg, "-") || strings.ContainsAny(arg, `/\.`) {
		return ""
	}
	if _, err := os.Lstat(arg); err == nil {
		return ""
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return source.Nearest(arg, names, 3) // at most two edits
}
