package main

// The harness of the browser tests (console_e2e_test.go): a real Chromium,
// headless, driven over the DevTools protocol with chromedp, against a hub
// started through run() as the other tests start it.
//
// Chromium is KAKEHASHI_CHROMIUM, else chromium, chromium-browser or
// google-chrome on PATH. Without one the tests skip, except in CI (CI=true),
// where a missing browser is a failure: the console's acceptance checks must
// not pass by not running.
//
// Each step saves a PNG screenshot under $KAKEHASHI_TEST_OUTPUT/screenshots
// (default: testdata/screenshots beside this file, git-ignored), one folder
// per test, files numbered in the order of the steps.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumEnv names the browser to use; chromiumNames are looked up on PATH
// without it.
const chromiumEnv = "KAKEHASHI_CHROMIUM"

var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome"}

// findChromium returns the browser's path, or why there is none.
func findChromium(getenv func(string) string) (string, error) {
	if p := getenv(chromiumEnv); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%s=%s: %w", chromiumEnv, p, err)
		}
		return found, nil
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium: none of %s is on PATH and %s is not set", strings.Join(chromiumNames, ", "), chromiumEnv)
}

// testOutput is the folder the browser tests write their screenshots to.
func testOutput(t *testing.T) string {
	t.Helper()
	root := os.Getenv("KAKEHASHI_TEST_OUTPUT")
	if root == "" {
		root = "testdata"
	}
	dir, err := filepath.Abs(filepath.Join(root, "screenshots", t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	// A test's folder holds the screenshots of its last run only.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chrome is one headless Chromium for one test.
type chrome struct {
	t     *testing.T
	base  string          // the hub, http://127.0.0.1:port
	ctx   context.Context // the browser's first tab; people get their own browser contexts
	shots string
	mu    sync.Mutex
	n     int // screenshots taken
}

// needChromium returns the browser's path. Without one the test skips — or
// fails when CI=true.
func needChromium(t *testing.T) string {
	t.Helper()
	path, err := findChromium(os.Getenv)
	if err != nil {
		msg := fmt.Sprintf("%v; install Debian's package (apt-get install chromium fonts-noto-cjk) or set %s to a Chromium or Chrome binary", err, chromiumEnv)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: the browser tests must run)")
		}
		t.Skip(msg)
	}
	return path
}

// hubWithChrome starts a hub (serve with args, as startHub) and a Chromium
// for it; both stop when the test ends, the browser first. Without a
// browser nothing starts (needChromium).
func hubWithChrome(t *testing.T, args ...string) *chrome {
	t.Helper()
	path := needChromium(t)
	h := startHub(t, args...)
	t.Cleanup(func() { h.stop(t) })
	return startChrome(t, path, h.base)
}

// startChrome starts the Chromium at path for a test against the hub at base.
func startChrome(t *testing.T, path, base string) *chrome {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "ja-JP"),
		// Japan time and a Japanese locale, as the console's users have:
		// datetime-local fields then read 2026/07/10 10:00.
		chromedp.Env("TZ=Asia/Tokyo", "LANG=ja_JP.UTF-8", "LANGUAGE=ja"),
	)
	// Chromium's sandbox refuses to run as root (CI runs as root); as
	// anyone else it stays on.
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no deadline
		cancel()
		cancelAlloc()
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return &chrome{t: t, base: base, ctx: ctx, shots: testOutput(t)}
}

// tab is one person at the console: a browser context of their own (own
// cookies) with one tab.
type tab struct {
	c    *chrome
	name string // in screenshot names: the person's organization or role
	ctx  context.Context
}

// person opens a fresh browser context, as if someone else sat down at
// another computer.
func (c *chrome) person(name string) *tab {
	c.t.Helper()
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	c.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		c.t.Fatalf("new browser context for %s: %v", name, err)
	}
	return &tab{c: c, name: name, ctx: ctx}
}

// stepTimeout bounds each browser step; a page that never loads fails the
// test instead of hanging it.
const stepTimeout = 30 * time.Second

func (p *tab) timed() (context.Context, context.CancelFunc) {
	return context.WithTimeout(p.ctx, stepTimeout)
}

// do runs actions that return nothing; the test fails on an error.
func (p *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.c.t.Helper()
	ctx, cancel := p.timed()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.c.t.Fatalf("%s: %s: %v (at %s)", p.name, what, err, p.location())
	}
}

// load runs actions that navigate (a click on a link or a submit button, a
// key press) and waits for the new page; it returns its HTTP status (of the
// final response, after redirects).
func (p *tab) load(what string, actions ...chromedp.Action[chromedp.Void]) int64 {
	p.c.t.Helper()
	ctx, cancel := p.timed()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, actions...)
	if err != nil {
		p.c.t.Fatalf("%s: %s: %v (at %s)", p.name, what, err, p.location())
	}
	return resp.Status
}

// open navigates to a path of the hub and returns the status.
func (p *tab) open(path string) int64 {
	p.c.t.Helper()
	return p.load("open "+path, chromedp.Navigate(p.c.base+path))
}

// click clicks the element of a CSS selector and waits for the page it loads.
func (p *tab) click(css string) int64 {
	p.c.t.Helper()
	return p.load("click "+css, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// location is the path (and query) of the page the tab shows.
func (p *tab) location() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	if u, err := url.Parse(loc); err == nil {
		return u.RequestURI()
	}
	return loc
}

// js evaluates a script in the page and decodes its value into T.
func js[T any](p *tab, script string) T {
	p.c.t.Helper()
	ctx, cancel := p.timed()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	if err != nil {
		p.c.t.Fatalf("%s: script %.80q: %v (at %s)", p.name, script, err, p.location())
	}
	return v
}

// waitFor polls a script until it is true; the test fails after timeout.
func (p *tab) waitFor(what, script string, timeout time.Duration) {
	p.c.t.Helper()
	ctx, cancel := p.timed()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](script, chromedp.WithPollingTimeout(timeout))); err != nil {
		p.shot("timeout-" + what)
		p.c.t.Fatalf("%s: waiting for %s: %v (at %s)", p.name, what, err, p.location())
	}
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// shot saves a screenshot of the whole page as NN-person-step.png and
// returns its path.
func (p *tab) shot(step string) string {
	p.c.t.Helper()
	return p.save(step, chromedp.FullScreenshot(100))
}

func (p *tab) save(step string, capture chromedp.Action[[]byte]) string {
	p.c.t.Helper()
	p.c.mu.Lock()
	p.c.n++
	n := p.c.n
	p.c.mu.Unlock()
	ctx, cancel := p.timed()
	defer cancel()
	png, err := chromedp.Run(ctx, capture)
	if err != nil {
		p.c.t.Errorf("%s: screenshot %s: %v", p.name, step, err)
		return ""
	}
	name := fmt.Sprintf("%02d-%s-%s.png", n, unsafeName.ReplaceAllString(strings.ToLower(p.name), "-"),
		unsafeName.ReplaceAllString(strings.ToLower(step), "-"))
	path := filepath.Join(p.c.shots, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.c.t.Errorf("save screenshot: %v", err)
	}
	return path
}

// view saves a screenshot of what the window shows (1280×900) from the top
// of the page, for pages too long to read whole.
func (p *tab) view(step string) string {
	p.c.t.Helper()
	js[bool](p, `window.scrollTo(0, 0), true`)
	return p.save(step, chromedp.CaptureScreenshot())
}

// htmlLang is <html lang>.
func (p *tab) htmlLang() string {
	p.c.t.Helper()
	return js[string](p, `document.documentElement.lang`)
}

// signIn fills the sign-in form (INTERFACES.md §8) and submits it; it
// returns the status of the page it lands on.
func (p *tab) signIn(username, password string) int64 {
	p.c.t.Helper()
	if loc := p.location(); !strings.HasPrefix(loc, "/login") {
		p.open("/login")
	}
	p.do("fill the sign-in form",
		chromedp.SetValue(chromedp.CSS(`input[name=username]`), username),
		chromedp.SetValue(chromedp.CSS(`input[name=password]`), password),
	)
	return p.load("sign in", chromedp.Click(chromedp.CSS(`form[action="/login"] [type=submit]`), chromedp.NodeVisible))
}

// signOut presses the header's sign-out button.
func (p *tab) signOut() int64 {
	p.c.t.Helper()
	return p.click(`form[action="/logout"] [type=submit]`)
}

// setField sets a form field by name, whatever its kind (input, select,
// textarea, checkbox), and fires input and change as typing would, so that
// the page's script sees it.
func (p *tab) setField(name, value string) {
	p.c.t.Helper()
	ok := js[bool](p, fmt.Sprintf(`(() => {
		const els = document.getElementsByName(%q);
		if (els.length === 0) return false;
		let el = els[0];
		if (el.type === 'radio') {
			el = [...els].find(e => e.value === %q);
			if (!el) return false;
			el.checked = true;
		} else if (el.type === 'checkbox') {
			el = [...els].find(e => e.value === %q) || el;
			el.checked = %q !== '' && %q !== 'false';
		} else if (el.tagName === 'SELECT' && el.multiple) {
			for (const o of el.options) o.selected = o.value === %q;
		} else {
			el.value = %q;
			if (el.value !== %q) return false;
		}
		el.dispatchEvent(new Event('input', {bubbles: true}));
		el.dispatchEvent(new Event('change', {bubbles: true}));
		return true;
	})()`, name, value, value, value, value, value, value, value))
	if !ok {
		p.shot("no-field-" + name)
		p.c.t.Fatalf("%s: the page %s has no field %q that takes %q", p.name, p.location(), name, value)
	}
}

// dataElements lists the elements carrying an attribute, each as its data-*
// attributes (INTERFACES.md §8), in document order.
func (p *tab) dataElements(attr string) []map[string]string {
	p.c.t.Helper()
	return js[[]map[string]string](p, fmt.Sprintf(`[...document.querySelectorAll('[%s]')].map(e => {
		const m = {};
		for (const a of e.attributes) if (a.name.startsWith('data-')) m[a.name.slice(5)] = a.value;
		m.text = e.innerText.slice(0, 300);
		return m;
	})`, attr))
}

// unlabelled lists the form controls of the page that a screen reader could
// not name: no <label> (for= or wrapping), no aria-label, no
// aria-labelledby. Hidden inputs, controls not rendered (the hidden
// attribute, display: none: nobody sees or reaches them, e.g. a username
// for password managers) and buttons (named by their text) are not fields
// a person fills in.
func (p *tab) unlabelled() []string {
	p.c.t.Helper()
	return js[[]string](p, `[...document.querySelectorAll('input, select, textarea')]
		.filter(e => !['hidden', 'submit', 'button', 'reset', 'image'].includes(e.type))
		.filter(e => e.getClientRects().length > 0)
		.filter(e => !(e.labels && [...e.labels].some(l => l.textContent.trim() !== '')))
		.filter(e => !(e.getAttribute('aria-label') || '').trim())
		.filter(e => !(e.getAttribute('aria-labelledby') || '').split(/\s+/).some(id => id && document.getElementById(id) && document.getElementById(id).textContent.trim()))
		.map(e => e.outerHTML.slice(0, 160))`)
}

// checkLabels fails the test for every unlabelled control of the page.
func (p *tab) checkLabels() {
	p.c.t.Helper()
	for _, el := range p.unlabelled() {
		p.c.t.Errorf("%s: %s has a form control without a label: %s", p.name, p.location(), el)
	}
}

// unreachable lists the visible links, buttons and form controls that the
// keyboard cannot reach (tabindex -1), and elements that reorder the tab
// sequence (tabindex > 0, WCAG 2.4.3).
func (p *tab) unreachable() []string {
	p.c.t.Helper()
	return js[[]string](p, `[...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
		.filter(e => e.type !== 'hidden' && !e.disabled && e.getClientRects().length > 0)
		.filter(e => e.tabIndex < 0 || e.tabIndex > 0)
		.map(e => 'tabindex ' + e.tabIndex + ': ' + e.outerHTML.slice(0, 140))`)
}

// checkA11y checks the page's basics: labelled controls, and everything
// that works by mouse reachable by Tab in document order.
func (p *tab) checkA11y() {
	p.c.t.Helper()
	p.checkLabels()
	for _, el := range p.unreachable() {
		p.c.t.Errorf("%s: %s: not keyboard-reachable in order: %s", p.name, p.location(), el)
	}
}

// rgba is a computed CSS colour.
type rgba struct{ R, G, B, A float64 }

var cssColour = regexp.MustCompile(`^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$`)

func parseColour(s string) (rgba, error) {
	m := cssColour.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return rgba{}, fmt.Errorf("not an rgb() colour: %q", s)
	}
	var c rgba
	fmt.Sscan(m[1], &c.R)
	fmt.Sscan(m[2], &c.G)
	fmt.Sscan(m[3], &c.B)
	c.A = 1
	if m[4] != "" {
		if strings.HasSuffix(m[4], "%") {
			fmt.Sscan(strings.TrimSuffix(m[4], "%"), &c.A)
			c.A /= 100
		} else {
			fmt.Sscan(m[4], &c.A)
		}
	}
	return c, nil
}

// luminance is the relative luminance of WCAG 2.x (§ relative luminance).
func (c rgba) luminance() float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// contrast is the WCAG contrast ratio of two opaque colours, 1 to 21.
func contrast(a, b rgba) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// firstTLP are FIRST's TLP 2.0 colours (https://www.first.org/tlp/, "Colour
// coding"): the label's text in these on a black background.
var firstTLP = map[string]rgba{
	"tlp-red":          {0xFF, 0x2B, 0x2B, 1},
	"tlp-amber":        {0xFF, 0xC0, 0x00, 1},
	"tlp-amber-strict": {0xFF, 0xC0, 0x00, 1},
	"tlp-green":        {0x33, 0xFF, 0x00, 1},
	"tlp-clear":        {0xFF, 0xFF, 0xFF, 1},
}

// tlpLabel is one TLP label of a page as the browser drew it.
type tlpLabel struct {
	Class      string `json:"class"`
	Text       string `json:"text"`
	Colour     string `json:"colour"`
	Background string `json:"background"` // the first non-transparent background at or above the label
}

// tlpLabels reads the computed colours of every .tlp label of the page.
func (p *tab) tlpLabels() []tlpLabel {
	p.c.t.Helper()
	return js[[]tlpLabel](p, `[...document.querySelectorAll('.tlp')].map(e => {
		let bg = 'rgba(0, 0, 0, 0)';
		for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
			const c = getComputedStyle(n).backgroundColor;
			if (!/rgba\(.*,\s*0\)$/.test(c) && c !== 'transparent') { bg = c; break; }
		}
		if (bg === 'rgba(0, 0, 0, 0)') bg = 'rgb(255, 255, 255)'; // the canvas
		return {class: [...e.classList].find(c => c.startsWith('tlp-')) || '', text: e.textContent.trim(),
		        colour: getComputedStyle(e).color, background: bg};
	})`)
}

// checkTLPContrast checks every TLP label of the page: FIRST's colour for
// its class, on black, hence at least WCAG AA's 4.5:1 for text. It returns
// how many labels it checked.
func (p *tab) checkTLPContrast() int {
	p.c.t.Helper()
	labels := p.tlpLabels()
	black := rgba{0, 0, 0, 1}
	for _, l := range labels {
		want, ok := firstTLP[l.Class]
		if !ok {
			p.c.t.Errorf("%s: %s: TLP label %q has no known tlp-* class (%q)", p.name, p.location(), l.Text, l.Class)
			continue
		}
		fg, err1 := parseColour(l.Colour)
		bg, err2 := parseColour(l.Background)
		if err := errors.Join(err1, err2); err != nil {
			p.c.t.Errorf("%s: TLP label %q: %v", p.name, l.Text, err)
			continue
		}
		if fg != want || bg != black {
			p.c.t.Errorf("%s: %s: %s label %q is %s on %s, want FIRST's %v on black", p.name, p.location(), l.Class, l.Text, l.Colour, l.Background, want)
		}
		if r := contrast(fg, bg); r < 4.5 {
			p.c.t.Errorf("%s: %s: %s label %q has contrast %.2f:1, want ≥ 4.5:1", p.name, p.location(), l.Class, l.Text, r)
		}
	}
	return len(labels)
}

func TestContrastRatio(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fg, bg string
		want   float64
	}{
		{"white on black", "rgb(255, 255, 255)", "rgb(0, 0, 0)", 21},
		{"black on black", "rgb(0, 0, 0)", "rgb(0, 0, 0)", 1},
		{"grey 777 on white", "rgb(119, 119, 119)", "rgb(255, 255, 255)", 4.48},
		{"FIRST red on black", "rgb(255, 43, 43)", "rgb(0, 0, 0)", 5.63},
		{"FIRST amber on black", "rgba(255, 192, 0, 1)", "rgb(0, 0, 0)", 12.79},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fg, err := parseColour(tc.fg)
			if err != nil {
				t.Fatal(err)
			}
			bg, err := parseColour(tc.bg)
			if err != nil {
				t.Fatal(err)
			}
			if got := contrast(fg, bg); math.Abs(got-tc.want) > 0.01 {
				t.Errorf("contrast = %.3f, want %.2f", got, tc.want)
			}
		})
	}
	if _, err := parseColour("red"); err == nil {
		t.Error("parseColour(red) took a colour name")
	}
}
