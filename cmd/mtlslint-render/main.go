// Command mtlslint-render renders kustomize overlays and Helm charts for
// mtlslint: it reads a render request (JSON) on standard input and writes
// the rendered manifests with their origins (JSON) on standard output. It
// reads no file and opens no connection; everything it renders is in the
// request. The protocol is documented in package
// github.com/mtlslint/mtlslint/parsers/k8s/render.
//
// It is a separate program so that mtlslint itself does not link
// kustomize and Helm: `go install ./cmd/...` installs both, and mtlslint
// finds it next to itself or on PATH.
//
// Usage:
//
//	mtlslint-render < request.json > response.json
//	mtlslint-render -version
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/mtlslint/mtlslint/parsers/k8s/render"
	"github.com/mtlslint/mtlslint/parsers/k8s/render/helm"
	"github.com/mtlslint/mtlslint/parsers/k8s/render/kustomize"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "-version", "--version", "version":
			fmt.Println(rendererName())
			return
		default:
			fmt.Fprintf(os.Stderr, "usage: %s < request.json > response.json (protocol %d, see package parsers/k8s/render)\n", render.Program, render.Protocol)
			os.Exit(2)
		}
	}
	if err := serve(context.Background(), os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", render.Program, err)
		os.Exit(1)
	}
}

// serve answers one request.
func serve(ctx context.Context, in io.Reader, out io.Writer) error {
	var req render.Request
	dec := json.NewDecoder(in)
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("the request does not decode: %v", err)
	}
	if req.Protocol != render.Protocol {
		return fmt.Errorf("the request is protocol %d, this renderer speaks %d: install mtlslint and %s from the same version", req.Protocol, render.Protocol, render.Program)
	}
	resp := render.Response{Protocol: render.Protocol, Renderer: rendererName(), Environments: make([]render.Rendered, len(req.Environments))}
	for i, env := range req.Environments {
		resp.Environments[i] = renderOne(ctx, req.Files, env)
	}
	enc := json.NewEncoder(out)
	return enc.Encode(&resp)
}

// renderOne renders one environment; a panic in a renderer (they have
// had some on hostile input) becomes a problem of that environment.
func renderOne(ctx context.Context, files map[string]string, env render.Environment) (r render.Rendered) {
	r.Name = env.Name
	defer func() {
		if v := recover(); v != nil {
			r.Documents = nil
			r.Problems = []render.Problem{{Kind: render.NotRendered, File: env.Kustomization + env.Chart, Message: fmt.Sprintf("the renderer failed: %v", v)}}
		}
	}()
	switch {
	case env.Kustomization != "":
		r.Documents, r.Problems = kustomize.Build(files, env.Kustomization)
	case env.Chart != "":
		r.Documents, r.Problems = helm.Render(ctx, files, env)
	default:
		r.Problems = []render.Problem{{Kind: render.NotRendered, Message: "the environment names neither a kustomization nor a chart"}}
	}
	return r
}

// rendererName names the program, its protocol and the renderers it links.
func rendererName() string {
	name := fmt.Sprintf("%s protocol %d", render.Program, render.Protocol)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "sigs.k8s.io/kustomize/api", "helm.sh/helm/v4":
				name += ", " + d.Path + " " + d.Version
			}
		}
	}
	return name
}
