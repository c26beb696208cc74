package main

import (
	"io"
	"os"
)

// writeTo runs write on standard output, or, when path is set, on that
// file (created or truncated), and returns the first error.
func writeTo(e *env, path string, write func(io.Writer) error) error {
	out, done, err := e.redirect(path)
	if err != nil {
		return err
	}
	err = write(out.stdout)
	if cerr := done(); err == nil {
		err = cerr
	}
	return err
}

// redirect returns an env whose standard output is the file at path
// (--output), or e itself when path is empty; done closes the file.
func (e *env) redirect(path string) (*env, func() error, error) {
	if path == "" {
		return e, func() error { return nil }, nil
	}
	fh, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return &env{stdin: e.stdin, stdout: fh, stderr: e.stderr}, fh.Close, nil
}
