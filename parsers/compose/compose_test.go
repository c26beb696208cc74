package compose

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mtlslint/mtlslint/parsers/source"
)

const sample = `# app and proxy
services:
  web:
    image: "app:1"
    command: gunicorn --bind 0.0.0.0:8000 proj.wsgi
    environment:
      DJANGO_SETTINGS_MODULE: proj.settings.prod
      FORWARDED_ALLOW_IPS: "*"
    ports:
      - "8000:8000"
      - "127.0.0.1:9000:9000/tcp"
      - target: 7000
        published: 7001
        host_ip: 0.0.0.0
      - "[::1]:6000:6000"
      - "5000-5001:5000-5001"
    expose: ["8000"]
  proxy:
    image: nginx
    network_mode: host
    command: ["nginx", "-g", "daemon off;"]
    environment:
      - TZ=UTC
`

func parse(t *testing.T, src string) *File {
	t.Helper()
	f, probs := Parse(source.NewFile("docker-compose.yml", []byte(src)))
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	return f
}

func TestServices(t *testing.T) {
	f := parse(t, sample)
	if len(f.Services) != 2 {
		t.Fatalf("services: %d", len(f.Services))
	}
	web, proxy := f.Services[0], f.Services[1]
	if web.Name != "web" || web.NameRange.Start.Line != 3 || web.NameRange.Start.Col != 3 {
		t.Errorf("web name: %q at %v", web.Name, web.NameRange.Start)
	}
	if len(web.Command) != 1 || web.Command[0].Text != "gunicorn --bind 0.0.0.0:8000 proj.wsgi" || web.Command[0].Range.Start.Line != 5 {
		t.Errorf("command: %+v", web.Command)
	}
	if got := web.Environment["FORWARDED_ALLOW_IPS"]; got.Text != "*" || got.Range.Start.Line != 8 {
		t.Errorf("env: %+v", got)
	}
	type pp struct{ ip, host, ctr string }
	var ports []pp
	for _, p := range web.Ports {
		ports = append(ports, pp{p.HostIP, p.HostPort, p.ContainerPort})
	}
	want := []pp{{"", "8000", "8000"}, {"127.0.0.1", "9000", "9000"}, {"0.0.0.0", "7001", "7000"}, {"::1", "6000", "6000"}, {"", "5000", "5000"}, {"", "5001", "5001"}}
	if len(ports) != len(want) {
		t.Fatalf("ports: %+v", ports)
	}
	for i := range want {
		if ports[i] != want[i] {
			t.Errorf("port %d = %+v, want %+v", i, ports[i], want[i])
		}
	}
	if web.Ports[1].Published() || !web.Ports[0].Published() || web.Ports[3].Published() {
		t.Error("loopback host IPs are not published to other hosts")
	}
	if web.Ports[0].Range.Start.Line != 10 || web.Ports[2].Range.Start.Line != 12 {
		t.Errorf("port ranges: %v %v", web.Ports[0].Range, web.Ports[2].Range)
	}
	if proxy.NetworkMode != "host" || len(proxy.Command) != 3 || proxy.Environment["TZ"].Text != "UTC" {
		t.Errorf("proxy: %+v", proxy)
	}
	if !web.Range.Contains(web.Command[0].Range) || web.Range.Contains(proxy.Command[2].Range) || !proxy.Range.Contains(proxy.Command[2].Range) {
		t.Errorf("service ranges %v and %v do not hold their own commands only", web.Range, proxy.Range)
	}
}

func TestPositionsWithMultibyteCharacters(t *testing.T) {
	f := parse(t, "services:\n  wéb: {image: \"é\", ports: [\"8000:8000\"]}\n")
	p := f.Services[0].Ports[0].Range
	src := string(f.file.Content[p.Start.Offset:p.End.Offset])
	if src != `"8000:8000"` {
		t.Errorf("port range covers %q", src)
	}
}

func TestBadYAMLIsAPositionedProblem(t *testing.T) {
	f, probs := Parse(source.NewFile("compose.yaml", []byte("services:\n  web:\n    ports: [\n  x: :\n")))
	if f != nil || len(probs) != 1 || probs[0].Kind != source.ProblemSyntax || probs[0].Range.Start.Line < 1 {
		t.Fatalf("f=%v probs=%+v", f, probs)
	}
	if !strings.Contains(probs[0].Message, "YAML") {
		t.Errorf("message: %s", probs[0].Message)
	}
}

func TestDetect(t *testing.T) {
	for name, want := range map[string]bool{
		"docker-compose.yml": true, "compose.yaml": true, "deploy/docker-compose.prod.yml": true,
		"app.compose.yaml": true, "k8s/deploy.yaml": false, "docker-compose.json": false,
	} {
		if got := Detect(name, []byte("version: '3'\nservices:\n  a: {}\n")); got != want {
			t.Errorf("Detect(%s) = %v", name, got)
		}
	}
	if Detect("docker-compose.yml", []byte("x: 1\n")) {
		t.Error("a file without services is not a compose file")
	}
	for src, want := range map[string]bool{
		firstFormat: true,
		"version: '2'\nnetworks:\n  a:\n    driver: bridge\n":                                                           false,
		"apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - image: web\n": false,
	} {
		if got := Detect("docker-compose.yml", []byte(src)); got != want {
			t.Errorf("Detect(%q) = %v, want %v", src, got, want)
		}
	}
}

// firstFormat is a compose file of the first format: no version or
// services key, the services at the top level.
const firstFormat = "web:\n  build: ./app\n  command: gunicorn --bind 0.0.0.0:8000 proj.wsgi\n  ports: [\"8000:8000\"]\n  net: host\nproxy:\n  image: nginx\n"

// TestFirstFormat: the services of a file in the first compose format are
// its top-level keys, read like those under services.
func TestFirstFormat(t *testing.T) {
	f := parse(t, firstFormat)
	if len(f.Services) != 2 || f.Services[0].Name != "web" || f.Services[1].Name != "proxy" {
		t.Fatalf("services %+v", f.Services)
	}
	web := f.Services[0]
	if len(web.Command) != 1 || len(web.Ports) != 1 || web.Ports[0].HostPort != "8000" || web.NetworkMode != "host" || web.Build != "app" {
		t.Errorf("web %+v", web)
	}
	if f := parse(t, "version: '2'\nnetworks:\n  a:\n    driver: bridge\n"); len(f.Services) != 0 {
		t.Errorf("a versioned file without services has services %+v", f.Services)
	}
}

// TestNoServicesOutsideTheFirstFormat: a file without `services:` whose
// top-level keys include one of today's specification (an `x-` extension,
// networks, volumes, configs, secrets, name, include, version) has no
// services, however much its mappings look like services.
func TestNoServicesOutsideTheFirstFormat(t *testing.T) {
	template := "x-app: &app\n  build: ./app\n  ports: [\"8000:8000\"]\n"
	for _, src := range []string{
		template,
		"web:\n  image: app\n  ports: [\"8000:8000\"]\nnetworks:\n  front: {}\n",
		"web:\n  image: app\nvolumes:\n  data: {}\n",
		"web:\n  image: app\nconfigs:\n  c: {file: ./c}\n",
		"web:\n  image: app\nsecrets:\n  s: {file: ./s}\n",
		"name: shop\nweb:\n  image: app\n",
		"include: [other.yml]\nweb:\n  image: app\n",
		"version: '3'\nweb:\n  image: app\n",
	} {
		if f := parse(t, src); len(f.Services) != 0 {
			t.Errorf("%q has services %+v", src, f.Services)
		}
	}
}

// TestNotAComposeFile: without a key of today's specification, a
// top-level key that is not a service (a mapping with image, build or
// extends) makes the file neither format: no services, and a problem at
// that key rather than silence.
func TestNotAComposeFile(t *testing.T) {
	src := "web:\n  image: app\n  ports: [\"8000:8000\"]\nsettings:\n  debug: true\n"
	f, probs := Parse(source.NewFile("docker-compose.yml", []byte(src)))
	if f == nil || len(f.Services) != 0 {
		t.Fatalf("services %+v", f)
	}
	if len(probs) != 1 || probs[0].Kind != source.ProblemNotAnalysed || probs[0].Range.Start.Line != 4 || !strings.Contains(probs[0].Message, "`settings`") {
		t.Fatalf("problems %+v", probs)
	}
	long := strings.Repeat("é", 200)
	_, probs = Parse(source.NewFile("docker-compose.yml", []byte(long+": 1\nweb:\n  image: app\n")))
	if len(probs) != 1 || len([]rune(probs[0].Message)) > 120 {
		t.Errorf("problems %+v", probs)
	}
	if f := parse(t, "web:\n  extends: {file: common.yml, service: web}\n"); len(f.Services) != 1 {
		t.Errorf("a first-format service that extends another is a service: %+v", f.Services)
	}
	f = parse(t, "web: &web\n  image: app\nworker:\n  <<: *web\n  command: celery\n")
	if len(f.Services) != 2 || f.Services[1].Image != "app" {
		t.Errorf("a first-format service whose image a merge key brings is a service: %+v", f.Services)
	}
}

// TestMergeKeys: a service's merge keys bring the keys of the mappings
// they name; the service's own keys win, then the earlier mapping.
func TestMergeKeys(t *testing.T) {
	f := parse(t, `x-base: &base
  image: base
  network_mode: host
  expose: ["1"]
x-app: &app
  <<: *base
  image: app
  ports: ["8000:8000"]
x-other: &other
  image: other
  command: other
services:
  web:
    <<: [*app, *other]
    expose: ["2"]
  plain:
    <<: *base
    "<<": not a merge
`)
	if len(f.Services) != 2 {
		t.Fatalf("services %+v", f.Services)
	}
	web := f.Services[0]
	if web.Image != "app" || web.NetworkMode != "host" || len(web.Ports) != 1 || web.Ports[0].Range.Start.Line != 8 ||
		len(web.Expose) != 1 || web.Expose[0].Text != "2" || len(web.Command) != 1 || web.Command[0].Text != "other" {
		t.Errorf("web %+v", web)
	}
	if plain := f.Services[1]; plain.Image != "base" {
		t.Errorf("plain %+v", plain)
	}
}

// TestMergeKeysAreBounded: merges of merges that name each mapping many
// times are followed once per mapping (3^30 paths lead to x-0 here).
func TestMergeKeysAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-0: &m0\n  image: app\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "x-%d: &m%d\n  <<: [*m%d, *m%d, *m%d]\n", i, i, i-1, i-1, i-1)
	}
	b.WriteString("services:\n  web:\n    <<: *m30\n")
	f := parse(t, b.String())
	if len(f.Services) != 1 || f.Services[0].Image != "app" {
		t.Fatalf("services %+v", f.Services)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("x-a: &a\n  image: x\n  <<: *a\nservices:\n  w:\n    <<: [*a, *a]\n"))
	f.Add([]byte(sample))
	f.Add([]byte("services:\n  a:\n    ports: [\"1-2:3-4/udp\", {target: x}]\n"))
	f.Add([]byte("services: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sf := source.NewFile("compose.yaml", b)
		cf, probs := Parse(sf)
		for _, p := range probs {
			if p.Range.Start.Line < 1 {
				t.Fatalf("problem without a line: %+v", p)
			}
		}
		if cf == nil {
			return
		}
		for _, s := range cf.Services {
			for _, r := range []source.Range{s.Range, s.NameRange} {
				if r.Start.Offset > r.End.Offset || r.End.Offset > len(b) {
					t.Fatalf("range out of bounds: %+v", r)
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	src := []byte(strings.Repeat(sample[len("# app and proxy\nservices:\n"):], 1))
	var all strings.Builder
	all.WriteString("services:\n")
	for i := 0; i < 200; i++ {
		all.WriteString(strings.ReplaceAll(string(src), "  web:", "  web"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+":"))
	}
	content := []byte(all.String())
	b.SetBytes(int64(len(content)))
	for i := 0; i < b.N; i++ {
		Parse(source.NewFile("docker-compose.yml", content))
	}
}

func TestBuildContext(t *testing.T) {
	f, _ := Parse(source.NewFile("deploy/docker-compose.yml", []byte(`services:
  a: {build: ../app}
  b:
    build:
      context: ./svc
      dockerfile: docker/Prod.Dockerfile
  c: {build: "https://github.com/x/y.git"}
  d: {image: nginx}
  e: {build: ../../outside}
`)))
	want := [][2]string{{"app", "app/Dockerfile"}, {"deploy/svc", "deploy/svc/docker/Prod.Dockerfile"}, {"", ""}, {"", ""}, {"", ""}}
	for i, s := range f.Services {
		if got := [2]string{s.Build, s.Dockerfile}; got != want[i] {
			t.Errorf("%s: build %v, want %v", s.Name, got, want[i])
		}
	}
}

// TestByteOrderMark: a compose file saved with a UTF-8 byte order mark is
// detected and read like any other, its positions in the file's own text.
func TestByteOrderMark(t *testing.T) {
	src := "\xef\xbb\xbfservices:\n  web:\n    command: gunicorn --bind 0.0.0.0:8000 proj.wsgi\n    ports: [\"8000:8000\"]\n"
	if !Detect("docker-compose.yml", []byte(src)) {
		t.Fatal("a compose file with a byte order mark is not detected")
	}
	f := parse(t, src)
	if len(f.Services) != 1 || len(f.Services[0].Ports) != 1 {
		t.Fatalf("services %+v", f.Services)
	}
	p := f.Services[0].Ports[0].Range
	if got := string(f.file.Content[p.Start.Offset:p.End.Offset]); got != `"8000:8000"` || p.Start.Line != 4 {
		t.Errorf("port range %v covers %q", p, got)
	}
	if n := f.Services[0].NameRange; n.Start.Line != 2 || n.Start.Col != 3 {
		t.Errorf("service name at %v", n)
	}
}
