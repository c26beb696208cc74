package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// containerLimit matches what podman says where it cannot start a
// container in this environment although it builds images: crun refuses a
// cgroup hierarchy with controllers on both cgroup v1 and v2 ("hybrid"),
// or raising resource limits past the hard limit.
var containerLimit = regexp.MustCompile(`cgroups in hybrid mode not supported|setrlimit .*: Operation not permitted`)

// TestContainerImage builds the Containerfile's image (FROM scratch, the
// static binary alone) with Debian's buildah or podman, in a storage of the
// test's own, and runs the Kubernetes recipe's listing in it with the
// recipe's mounts: it lists what mtlslint itself lists for that shard.
// podman runs containers through crun; where crun cannot (see
// containerLimit), buildah's chroot isolation runs the image's file system
// without an OCI runtime.
func TestContainerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and an image; skipped with -short")
	}
	podman, _ := exec.LookPath("podman")
	buildah, _ := exec.LookPath("buildah")
	if podman == "" && buildah == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("neither podman nor buildah is installed; CI installs buildah (.ci/run)")
		}
		t.Skip("neither podman nor buildah is installed (Debian packages podman, buildah): the image is not built")
	}
	top := moduleRoot(t)
	ctx := t.TempDir()
	for _, f := range []string{"Containerfile", ".containerignore"} {
		write(t, ctx, map[string]string{f: read(t, filepath.Join(top, f))})
	}
	build := exec.Command("go", "build", "-o", ctx+string(filepath.Separator), "./cmd/...")
	build.Dir = top
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the binary: %v\n%s", err, out)
	}
	store := t.TempDir()
	storage := []string{"--root", filepath.Join(store, "root"), "--runroot", filepath.Join(store, "run")}
	tool := func(bin string, args ...string) (string, error) {
		out, err := exec.Command(bin, append(append([]string{}, storage...), args...)...).CombinedOutput()
		return string(out), err
	}
	containerfile := filepath.Join(ctx, "Containerfile")
	builder := buildah
	buildArgs := []string{"bud", "--isolation", "chroot", "-t", "localhost/mtlslint-test", "-f", containerfile, ctx}
	if builder == "" {
		builder, buildArgs = podman, []string{"build", "-t", "localhost/mtlslint-test", "-f", containerfile, ctx}
	}
	if out, err := tool(builder, buildArgs...); err != nil {
		t.Fatalf("%s %s: %v\n%s", builder, strings.Join(buildArgs, " "), err, out)
	}
	t.Cleanup(func() {
		if buildah != "" {
			tool(buildah, "rm", "--all")
			tool(buildah, "rmi", "--all", "--force")
		} else {
			tool(podman, "rmi", "--all", "--force")
		}
	})

	// The image: mtlslint alone, unprivileged.
	inspector := buildah
	if inspector == "" {
		inspector = podman
	}
	out, err := tool(inspector, "inspect", "--type", "image", "localhost/mtlslint-test")
	if err != nil {
		t.Fatalf("inspect: %v\n%s", err, out)
	}
	if !strings.Contains(out, `"User": "65532:65532"`) || !strings.Contains(out, `/usr/local/bin/mtlslint`) {
		t.Errorf("the image is not mtlslint run as 65532:\n%.2000s", out)
	}
	// Its renderer answers, from beside mtlslint.
	if buildah != "" {
		if out, err := tool(buildah, "from", "--name", "mtlslint-render-check", "localhost/mtlslint-test"); err != nil {
			t.Fatalf("buildah from: %v\n%s", err, out)
		}
		if out, err := tool(buildah, "run", "--isolation", "chroot", "mtlslint-render-check", "--", "/usr/local/bin/mtlslint-render", "-version"); err != nil {
			t.Errorf("mtlslint-render in the image: %v\n%s", err, out)
		}
	}

	// The Kubernetes recipe's listing, for shard 0, with its mounts.
	var k8s recipe
	for _, r := range docRecipes(t) {
		if r.name == "Kubernetes Indexed Job" {
			k8s = r
		}
	}
	dirs := map[string]string{}
	for _, role := range []string{"config", "work", "results"} {
		dirs[role] = t.TempDir()
		if err := os.Chmod(dirs[role], 0o777); err != nil { // the image's user writes there
			t.Fatal(err)
		}
	}
	write(t, dirs["config"], map[string]string{"repos.txt": "acme/a\nacme/b\nacme/c\nacme/d\nacme/e\nacme/f\nacme/g\nacme/h\nacme/i\n"})
	args := make([]string, len(k8s.list))
	for i, a := range k8s.list {
		args[i] = strings.ReplaceAll(a, "{I}", "0")
	}
	var mounts []string
	for from, role := range k8s.mounts {
		mounts = append(mounts, "-v", dirs[role]+":"+from)
	}
	how := ""
	if podman != "" {
		out, err = tool(podman, append(append([]string{"run", "--rm", "--network", "none"}, mounts...), append([]string{"localhost/mtlslint-test"}, args...)...)...)
		switch {
		case err == nil:
			how = "podman run"
		case containerLimit.MatchString(out):
			t.Logf("podman cannot start containers here: %s", strings.TrimSpace(out))
		default:
			t.Fatalf("podman run: %v\n%s", err, out)
		}
	}
	if how == "" && buildah != "" {
		if out, err := tool(buildah, "from", "--name", "mtlslint-recipe", "localhost/mtlslint-test"); err != nil {
			t.Fatalf("buildah from: %v\n%s", err, out)
		}
		runArgs := append(append([]string{"run", "--isolation", "chroot"}, mounts...), append([]string{"mtlslint-recipe", "--", "/usr/local/bin/mtlslint"}, args...)...)
		if out, err = tool(buildah, runArgs...); err != nil {
			t.Fatalf("buildah run: %v\n%s", err, out)
		}
		how = "buildah run --isolation chroot"
	}
	if how == "" {
		t.Skipf("the image was built, but no container runs here: %s", strings.TrimSpace(out))
	}
	got := read(t, filepath.Join(dirs["work"], "mine.txt"))

	// The same listing, here.
	local := append([]string{}, args...)
	for i, a := range local {
		for from, role := range k8s.mounts {
			if strings.HasPrefix(a, from+"/") {
				local[i] = dirs[role] + a[len(from):]
			}
		}
	}
	local[len(local)-1] = filepath.Join(t.TempDir(), "mine.txt")
	if code, _, errs := cli(t, local...); code != exitClean {
		t.Fatalf("the listing here: exit %d %s", code, errs)
	}
	if want := read(t, local[len(local)-1]); got != want || got == "" {
		t.Errorf("%s lists\n%s\nmtlslint here lists\n%s", how, got, want)
	}
	t.Logf("ran the recipe's listing with %s", how)
}
