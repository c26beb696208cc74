package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mtlslint/mtlslint/internal/audit"
)

// recipe is one way docs/audit.md shards an audit: the number of shards,
// how a shard's listing and its audit are invoked (mtlslint's arguments,
// with the shard index as {I}), and the directories its paths name.
type recipe struct {
	name        string
	shards      int
	list, audit []string
	mounts      map[string]string // path in the recipe → role: "config", "work", "results"
}

// docRecipes reads the GitHub Actions matrix and the Kubernetes Indexed Job
// of docs/audit.md.
func docRecipes(t *testing.T) []recipe {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot(t), "docs", "audit.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	block := func(heading string) string {
		i := strings.Index(doc, heading)
		if i < 0 {
			t.Fatalf("docs/audit.md has no %q", heading)
		}
		m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(doc[i:])
		if m == nil {
			t.Fatalf("no YAML under %q", heading)
		}
		return m[1]
	}

	var gh struct {
		Jobs map[string]struct {
			Strategy struct {
				Matrix struct {
					Shard []int `yaml:"shard"`
				} `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(block("### GitHub Actions matrix")), &gh); err != nil {
		t.Fatal(err)
	}
	job := gh.Jobs["audit"]
	ghr := recipe{name: "GitHub Actions matrix", shards: len(job.Strategy.Matrix.Shard), mounts: map[string]string{"": "work"}}
	for i, s := range job.Strategy.Matrix.Shard {
		if s != i {
			t.Fatalf("the matrix's shards are %v: want 0 to N-1", job.Strategy.Matrix.Shard)
		}
	}
	for _, st := range job.Steps {
		for _, line := range strings.Split(st.Run, "\n") {
			_, args, ok := strings.Cut(line, `"$MTLSLINT_IMAGE" `)
			if !ok {
				continue
			}
			words := strings.Fields(strings.ReplaceAll(args, "${{ matrix.shard }}", "{I}"))
			if len(words) == 0 || words[0] != "audit" {
				continue
			}
			if strings.Contains(args, "--list") {
				ghr.list = words
			} else {
				ghr.audit = words
			}
		}
	}

	var job8 struct {
		Spec struct {
			Completions int `yaml:"completions"`
			Template    struct {
				Spec struct {
					InitContainers []k8sContainer `yaml:"initContainers"`
					Containers     []k8sContainer `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal([]byte(block("### Kubernetes Indexed Job")), &job8); err != nil {
		t.Fatal(err)
	}
	k8s := recipe{name: "Kubernetes Indexed Job", shards: job8.Spec.Completions, mounts: map[string]string{"/config": "config", "/work": "work", "/results": "results"}}
	sub := func(args []string) []string {
		out := make([]string, len(args))
		for i, a := range args {
			out[i] = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", "{I}")
		}
		return out
	}
	for _, c := range append(job8.Spec.Template.Spec.InitContainers, job8.Spec.Template.Spec.Containers...) {
		if len(c.Args) == 0 || c.Args[0] != "audit" {
			continue
		}
		if c.WorkingDir != "" && c.WorkingDir != "/work" {
			t.Fatalf("container %s works in %s: the test maps /work", c.Name, c.WorkingDir)
		}
		if strings.Contains(strings.Join(c.Args, " "), "--list") {
			k8s.list = sub(c.Args)
		} else {
			k8s.audit = sub(c.Args)
		}
	}
	for _, r := range []recipe{ghr, k8s} {
		if r.shards < 2 || r.list == nil || r.audit == nil {
			t.Fatalf("%s: %d shards, listing %q, audit %q", r.name, r.shards, r.list, r.audit)
		}
		for _, args := range [][]string{r.list, r.audit} {
			if !strings.Contains(strings.Join(args, " "), fmt.Sprintf("--shard {I}/%d", r.shards)) {
				t.Errorf("%s: %q does not pass --shard with the index and the %d shards", r.name, args, r.shards)
			}
		}
	}
	return []recipe{ghr, k8s}
}

type k8sContainer struct {
	Name       string   `yaml:"name"`
	WorkingDir string   `yaml:"workingDir"`
	Args       []string `yaml:"args"`
}

// TestAuditRecipes runs docs/audit.md's sharded audits as written, for
// every shard, over a generated organisation: the shards' listings, and
// their audits, take every repository exactly once.
func TestAuditRecipes(t *testing.T) {
	var names []string
	for i := range 40 {
		names = append(names, fmt.Sprintf("acme/svc-%02d", i))
	}
	sort.Strings(names)
	for _, r := range docRecipes(t) {
		t.Run(r.name, func(t *testing.T) {
			dirs := map[string]string{}
			for _, role := range []string{"config", "work", "results"} {
				dirs[role] = t.TempDir()
			}
			for i, n := range names {
				conf := "events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n"
				if i%4 == 0 {
					conf = "events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_client_certificate /etc/ca.pem;\n        ssl_verify_client optional_no_ca;\n        location / {\n            proxy_set_header X-SSL-Client-DN $ssl_client_s_dn;\n            proxy_pass http://127.0.0.1:8000;\n        }\n    }\n}\n"
				}
				write(t, dirs["work"], map[string]string{n + "/nginx.conf": conf})
			}
			list := strings.Join(names, "\n") + "\n"
			write(t, dirs["config"], map[string]string{"repos.txt": list})
			write(t, dirs["work"], map[string]string{"all.txt": list})
			t.Chdir(dirs["work"])
			args := func(tmpl []string, shard int) []string {
				out := make([]string, len(tmpl))
				for i, a := range tmpl {
					a = strings.ReplaceAll(a, "{I}", strconv.Itoa(shard))
					for from, role := range r.mounts {
						if from != "" && (a == from || strings.HasPrefix(a, from+"/")) {
							a = dirs[role] + a[len(from):]
						}
					}
					out[i] = a
				}
				return out
			}
			listed, audited := map[string]int{}, map[string]int{}
			for shard := range r.shards {
				a := args(r.list, shard)
				code, _, errs := cli(t, a...)
				if code != exitClean {
					t.Fatalf("mtlslint %s: exit %d: %s", strings.Join(a, " "), code, errs)
				}
				mine := read(t, outputOf(t, a))
				for _, n := range strings.Fields(mine) {
					listed[n]++
				}
				a = args(r.audit, shard)
				if code, _, errs := cli(t, append(a, "--quiet")...); code != exitClean {
					t.Fatalf("mtlslint %s: exit %d: %s", strings.Join(a, " "), code, errs)
				}
				recs := readRecords(t, recordsOf(t, a))
				for id, res := range recs.Repos {
					audited[id]++
					if res.Summary.Status != audit.StatusOK {
						t.Errorf("shard %d: %s was not analysed: %s", shard, id, res.Summary.Error)
					}
					if !strings.Contains(mine, id+"\n") {
						t.Errorf("shard %d audited %s, which its listing does not hold", shard, id)
					}
				}
			}
			for _, n := range names {
				if listed[n] != 1 || audited[n] != 1 {
					t.Errorf("%s: listed by %d shards, audited by %d; want 1 each", n, listed[n], audited[n])
				}
			}
			if len(listed) != len(names) || len(audited) != len(names) {
				t.Errorf("the shards listed %d and audited %d repositories of %d", len(listed), len(audited), len(names))
			}
		})
	}
}

// outputOf is the file a command's --output names.
func outputOf(t *testing.T, args []string) string {
	t.Helper()
	for i, a := range args {
		if a == "--output" && i+1 < len(args) {
			return args[i+1]
		}
	}
	t.Fatalf("%q writes no --output", args)
	return ""
}

// recordsOf is where an audit command writes its records: --output, or
// the --resume file it appends to.
func recordsOf(t *testing.T, args []string) string {
	t.Helper()
	for i, a := range args {
		if (a == "--output" || a == "--resume") && i+1 < len(args) {
			return args[i+1]
		}
	}
	t.Fatalf("%q writes its records nowhere", args)
	return ""
}
