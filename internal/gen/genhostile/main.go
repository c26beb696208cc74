// Command genhostile writes the repositories of the hostile-input suite
// (internal/gen/hostile) below a directory, to measure a binary on them:
//
//	genhostile -out /tmp/hostile
//	mtlslint audit --format jsonl --timeout 20s --max-memory 512MiB -o r.jsonl /tmp/hostile
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mtlslint/mtlslint/internal/gen/hostile"
)

func main() {
	out := flag.String("out", "", "output `DIR` (must not exist)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genhostile: -out DIR is required")
		os.Exit(2)
	}
	if _, err := os.Stat(*out); err == nil {
		fmt.Fprintf(os.Stderr, "genhostile: %s exists\n", *out)
		os.Exit(2)
	}
	for _, c := range hostile.Cases("") {
		if err := hostile.Write(filepath.Join(*out, c.Name), c); err != nil {
			fmt.Fprintln(os.Stderr, "genhostile:", err)
			os.Exit(1)
		}
		fmt.Printf("%-26s %-8s %s\n", c.Name, c.Status, c.What)
	}
}
