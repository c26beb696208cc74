package auditreport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlslint/mtlslint/internal/audit"
)

// TestBrowserClickHighlightsRoute opens the HTML report of two fixture
// deployments in headless Chromium, clicks a finding, and checks that its
// route is highlighted on the repository's graph: the page's fragment
// names the finding's place, the highlight is shown (and no other), it
// covers the route's box, and the screenshot has the highlight's colour
// where it had none before the click. The page keeps its
// Content-Security-Policy: the highlight needs no script.
//
// Set MTLSLINT_SCREENSHOTS to a directory to keep the screenshots.
func TestBrowserClickHighlightsRoute(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	results := filepath.Join(dir, "audit.jsonl")
	f, err := os.Create(results)
	if err != nil {
		t.Fatal(err)
	}
	repos := []audit.Repo{
		{ID: "demo", Dir: "../../fixtures/crossfile/demo-vulnerable"},
		{ID: "two-proxies", Dir: "../../fixtures/crossfile/two-proxies-vulnerable"},
	}
	if _, err := audit.Run(context.Background(), repos, f, audit.Options{Jobs: 1}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rep, err := Load(results)
	if err != nil {
		t.Fatal(err)
	}
	// The finding to click: X001 on demo's /api/ location, which must
	// light up that location.
	var target string
	for _, r := range rep.Repos {
		for _, f := range r.List {
			if r.ID == "demo" && f.Code == "X001" && f.Target != "" && target == "" {
				target = f.Target
			}
		}
	}
	if target == "" {
		t.Fatal("the report has no X001 finding of demo linked to its route")
	}
	const routeID = "nginx.conf#server=app.example.com@*:443#location=/api/"
	page := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := HTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	c := startChromium(t, bin)
	c.navigate("file://" + page)
	js := func(format string, args ...any) string { return c.eval(fmt.Sprintf(format, args...)) }
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	if v := js(`getComputedStyle(document.getElementById(%s)).visibility`, q(target)); v != "hidden" {
		t.Fatalf("the highlight is %q before the click, want hidden", v)
	}
	// Scroll the link into the middle of the window and click it.
	pos := js(`(() => { const a = document.querySelector('a.finding[href=' + CSS.escape('#' + %s) + ']'); a.scrollIntoView({block: 'center'}); const r = a.getBoundingClientRect(); return JSON.stringify([r.x + 12, r.y + r.height / 2]); })()`, q(target))
	var xy [2]float64
	if err := json.Unmarshal([]byte(pos), &xy); err != nil {
		t.Fatalf("link position %q: %v", pos, err)
	}
	before := c.screenshot()
	c.click(xy[0], xy[1])
	hash := ""
	for i := 0; i < 50 && hash != "#"+target; i++ {
		time.Sleep(50 * time.Millisecond)
		hash = js(`location.hash`)
	}
	if hash != "#"+target {
		t.Fatalf("after the click the fragment is %q, want #%s", hash, target)
	}
	if v := js(`getComputedStyle(document.getElementById(%s)).visibility`, q(target)); v != "visible" {
		t.Errorf("the highlight is %q after the click, want visible", v)
	}
	if n := js(`String([...document.querySelectorAll('.hl')].filter(e => getComputedStyle(e).visibility === 'visible').length)`); n != "1" {
		t.Errorf("%s highlights visible, want 1", n)
	}
	// The route's box lies inside one of the highlight's halos.
	inside := js(`(() => {
		const hl = document.getElementById(%s);
		const node = [...document.querySelectorAll('g.node')].find(g => g.dataset.route === %s && hl.id.startsWith(g.id.split('-n')[0]));
		if (!node) return 'no route node';
		const n = node.querySelector('rect').getBoundingClientRect();
		const hit = [...hl.querySelectorAll('rect')].some(h => { const r = h.getBoundingClientRect(); return r.left <= n.left && r.top <= n.top && r.right >= n.right && r.bottom >= n.bottom; });
		return hit ? 'inside' : 'outside';
	})()`, q(target), q(routeID))
	if inside != "inside" {
		t.Errorf("the route's box is %s the highlight", inside)
	}
	after := c.screenshot()
	if dir := os.Getenv("MTLSLINT_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "report-before-click.png"), before, 0o644)
		_ = os.WriteFile(filepath.Join(dir, "report-after-click.png"), after, 0o644)
	}
	nb, na := highlightPixels(t, before), highlightPixels(t, after)
	if nb > 50 || na < 2000 {
		t.Errorf("highlight-coloured pixels: %d before the click, %d after; want few, then many", nb, na)
	}
}

// highlightPixels counts the pixels of the highlight's colour (#ffb300 at
// 60%% over white, possibly over an edge).
func highlightPixels(t *testing.T, b []byte) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if near(r>>8, 255) && near(g>>8, 209) && near(bl>>8, 102) {
				n++
			}
		}
	}
	return n
}

func near(v uint32, want int) bool { d := int(v) - want; return d >= -14 && d <= 14 }

// chromium finds Debian's chromium; the test skips without it, except in
// CI, which installs it (.ci/run).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (.ci/run installs it)")
	}
	t.Skip("chromium is not installed")
	return ""
}

// devtools speaks the Chrome DevTools Protocol over --remote-debugging-pipe:
// JSON messages ended by a NUL byte, commands on the browser's fd 3,
// replies and events on its fd 4.
type devtools struct {
	t       *testing.T
	in      io.Writer
	msgs    chan map[string]json.RawMessage
	id      int
	session string
	events  []string
}

func startChromium(t *testing.T, bin string) *devtools {
	t.Helper()
	toBrowser, cmdIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmdOut, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "--hide-scrollbars", "--window-size=1280,900", "about:blank")
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser} // fd 3, fd 4
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	c := &devtools{t: t, in: cmdIn, msgs: make(chan map[string]json.RawMessage, 64)}
	go func() {
		r := bufio.NewReader(cmdOut)
		for {
			b, err := r.ReadBytes(0)
			if err != nil {
				close(c.msgs)
				return
			}
			var m map[string]json.RawMessage
			if json.Unmarshal(b[:len(b)-1], &m) == nil {
				c.msgs <- m
			}
		}
	}()
	t.Cleanup(func() {
		cmdIn.Close()
		cancel()
		_ = cmd.Wait()
		cmdOut.Close()
		if t.Failed() {
			t.Logf("chromium's standard error:\n%s", stderr.String())
		}
	})
	var targets struct {
		TargetInfos []struct{ TargetID, Type string } `json:"targetInfos"`
	}
	c.call("Target.getTargets", map[string]any{}, &targets)
	id := ""
	for _, ti := range targets.TargetInfos {
		if ti.Type == "page" {
			id = ti.TargetID
		}
	}
	if id == "" {
		var created struct{ TargetID string }
		c.call("Target.createTarget", map[string]any{"url": "about:blank"}, &created)
		id = created.TargetID
	}
	var attached struct{ SessionID string }
	c.call("Target.attachToTarget", map[string]any{"targetId": id, "flatten": true}, &attached)
	c.session = attached.SessionID
	c.call("Page.enable", map[string]any{}, nil)
	c.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false}, nil)
	return c
}

// call sends a command and waits for its reply, recording the events that
// arrive meanwhile.
func (c *devtools) call(method string, params, result any) {
	c.t.Helper()
	c.id++
	msg := map[string]any{"id": c.id, "method": method, "params": params}
	if c.session != "" && !strings.HasPrefix(method, "Target.") {
		msg["sessionId"] = c.session
	}
	b, _ := json.Marshal(msg)
	if _, err := c.in.Write(append(b, 0)); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	want := fmt.Sprint(c.id)
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("%s: chromium closed the connection", method)
			}
			if ev, ok := m["method"]; ok {
				var name string
				_ = json.Unmarshal(ev, &name)
				c.events = append(c.events, name)
				continue
			}
			if string(m["id"]) != want {
				continue
			}
			if e, ok := m["error"]; ok {
				c.t.Fatalf("%s: %s", method, e)
			}
			if result != nil {
				if err := json.Unmarshal(m["result"], result); err != nil {
					c.t.Fatalf("%s: %v", method, err)
				}
			}
			return
		case <-timeout:
			c.t.Fatalf("%s: no reply from chromium", method)
		}
	}
}

// navigate loads a URL and waits for its load event.
func (c *devtools) navigate(url string) {
	c.t.Helper()
	c.events = nil
	var nav struct{ ErrorText string }
	c.call("Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		c.t.Fatalf("navigate %s: %s", url, nav.ErrorText)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, e := range c.events {
			if e == "Page.loadEventFired" {
				return
			}
		}
		// Any command lets the events that came meanwhile be read.
		c.call("Runtime.evaluate", map[string]any{"expression": "1"}, nil)
		time.Sleep(20 * time.Millisecond)
	}
	c.t.Fatalf("%s did not load", url)
}

// eval evaluates an expression in the page and returns its value as a
// string.
func (c *devtools) eval(expr string) string {
	c.t.Helper()
	var res struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	c.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if res.ExceptionDetails != nil {
		c.t.Fatalf("%s: %s %s", expr, res.ExceptionDetails.Text, res.ExceptionDetails.Exception.Description)
	}
	return fmt.Sprint(res.Result.Value)
}

// click presses and releases the left mouse button at a point of the
// window.
func (c *devtools) click(x, y float64) {
	c.t.Helper()
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		c.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": x, "y": y, "button": "left", "clickCount": 1}, nil)
	}
}

// screenshot returns the window as a PNG.
func (c *devtools) screenshot() []byte {
	c.t.Helper()
	var shot struct{ Data string }
	c.call("Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	b, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(b)); err != nil {
		c.t.Fatal(err)
	}
	return b
}
