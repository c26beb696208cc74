// Command genorg writes a synthetic organisation (internal/gen) for
// benchmarks: genorg -n 1000 -seed 1 -out /tmp/org writes 1,000
// repositories; genorg -monorepo 10000 -out /tmp/mono writes one repository
// of about 10,000 files.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/mtlslint/mtlslint/internal/gen"
)

func main() {
	n := flag.Int("n", 100, "number of repositories")
	mono := flag.Int("monorepo", 0, "write one repository of about `FILES` files instead")
	seed := flag.Uint64("seed", 1, "seed")
	out := flag.String("out", "", "output `DIR` (must not exist)")
	verbose := flag.Bool("v", false, "list the repositories and their defects")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genorg: -out DIR is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "genorg: %s exists\n", *out)
		os.Exit(2)
	}
	var repos []*gen.Repo
	var err error
	if *mono > 0 {
		repos, err = gen.Monorepo(*out, *mono, gen.Options{Seed: *seed})
	} else {
		repos, err = gen.Org(*out, *n, gen.Options{Seed: *seed})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genorg:", err)
		os.Exit(1)
	}
	files, bytes, config, vulnerable := 0, 0, 0, 0
	for _, r := range repos {
		files += r.Files
		bytes += r.Bytes
		config += r.ConfigBytes
		if r.Vulnerable() {
			vulnerable++
		}
		if *verbose {
			fmt.Println(r.Name, r.Files, r.Bytes, r.ConfigBytes, r.Defects)
		}
	}
	fmt.Printf("%d repositories (%d vulnerable), %d files, %d bytes (%d of configuration)\n", len(repos), vulnerable, files, bytes, config)
}
