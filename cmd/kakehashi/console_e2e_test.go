package main

// Browser tests of the web console (issue #13 item 8): a real Chromium
// drives the console through the fixed names of INTERFACES.md §8. The
// harness is chrome_test.go; screenshots land in testdata/screenshots (or
// $KAKEHASHI_TEST_OUTPUT/screenshots).

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserSignInAndOut signs each demo person in and out in the browser:
// each lands on the home page naming them, sees the sections of their role,
// and after signing out every page sends them back to /login.
func TestBrowserSignInAndOut(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	c := startChrome(t, h.base)

	people := demoPeople(t, dir)
	orgs := make([]string, 0, len(people))
	for org := range people {
		orgs = append(orgs, org)
	}
	sort.Strings(orgs)
	for _, org := range orgs {
		p := people[org]
		b := c.person(org)
		if status := b.open("/"); status != http.StatusOK || !strings.HasPrefix(b.location(), "/login") {
			t.Fatalf("%s: / signed out: %d at %s, want the sign-in page", org, status, b.location())
		}
		b.checkLabels()
		if status := b.signIn(p.Username, p.Password); status != http.StatusOK || b.location() != "/" {
			b.shot("sign-in-failed")
			t.Fatalf("%s: sign in: %d at %s, want / ", org, status, b.location())
		}
		header := js[string](b, `document.querySelector('header').innerText`)
		if !strings.Contains(header, p.Username) {
			t.Errorf("%s: the header does not name %s: %q", org, p.Username, header)
		}
		// The nav offers what the role may do (the services still decide).
		nav := js[[]string](b, `[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))`)
		has := func(href string) bool {
			for _, h := range nav {
				if h == href {
					return true
				}
			}
			return false
		}
		if want := p.Role == "reporter"; has("/reports/new") != want {
			t.Errorf("%s (%s): nav %v: report link shown = %v, want %v", org, p.Role, nav, !want, want)
		}
		if want := p.Role == "operator"; has("/review") != want {
			t.Errorf("%s (%s): nav %v: review link shown = %v, want %v", org, p.Role, nav, !want, want)
		}
		b.checkLabels()
		b.shot("signed-in-" + string(p.Role))
		if status := b.signOut(); status != http.StatusOK || b.location() != "/login" {
			t.Fatalf("%s: sign out: %d at %s, want /login", org, status, b.location())
		}
		b.open("/")
		if !strings.HasPrefix(b.location(), "/login") {
			t.Fatalf("%s: / after signing out shows %s, want /login", org, b.location())
		}
	}
}

// TestBrowserKeyboard signs in with the keyboard only: Tab to each field,
// type, Tab to the button, Enter. Also: the sign-in page's controls are
// labelled, and console.css draws every TLP label in FIRST's colours.
func TestBrowserKeyboard(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	c := startChrome(t, h.base)
	p := demoPeople(t, dir)["carrier-a"]
	b := c.person("carrier-a")
	b.open("/login")
	b.checkLabels()
	// The label check sees a control without a label (it can fail).
	js[bool](b, `(() => { const i = document.createElement('input'); i.name = 'probe'; document.querySelector('main').append(i); return true; })()`)
	if got := b.unlabelled(); len(got) != 1 || !strings.Contains(got[0], `name="probe"`) {
		t.Fatalf("the label check missed an unlabelled input: %q", got)
	}
	b.open("/login")
	// Start from the top of the page, as someone arriving does.
	js[bool](b, `document.activeElement && document.activeElement.blur(), true`)
	tabTo := func(what, css string) {
		t.Helper()
		for i := 0; i < 25; i++ {
			b.do("press Tab", chromedp.KeyEvent(kb.Tab))
			if js[bool](b, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, css)) {
				return
			}
		}
		b.shot("tab-" + what)
		t.Fatalf("25 presses of Tab did not reach %s (%s); focus is on %s", what, css,
			js[string](b, `document.activeElement ? document.activeElement.outerHTML.slice(0, 120) : 'nothing'`))
	}
	tabTo("username", `input[name=username]`)
	b.do("type the username", chromedp.KeyEvent(p.Username))
	tabTo("password", `input[name=password]`)
	b.do("type the password", chromedp.KeyEvent(p.Password))
	tabTo("the sign-in button", `form[action="/login"] [type=submit]`)
	// The focused button shows it is focused (:focus-visible outline).
	if outline := js[string](b, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
		t.Errorf("the focused sign-in button has no visible focus outline")
	}
	b.shot("keyboard-focus-on-sign-in")
	if status := b.load("press Enter", chromedp.KeyEvent(kb.Enter)); status != http.StatusOK || b.location() != "/" {
		t.Fatalf("Enter on the sign-in button: %d at %s, want /", status, b.location())
	}
	b.shot("keyboard-signed-in")
	// Signing out works from the keyboard too.
	tabTo("the sign-out button", `form[action="/logout"] [type=submit]`)
	if status := b.load("press Enter", chromedp.KeyEvent(kb.Enter)); status != http.StatusOK || b.location() != "/login" {
		t.Fatalf("Enter on sign-out: %d at %s, want /login", status, b.location())
	}

	// The stylesheet's TLP labels: one of each class on the page, in the
	// console's own CSS, measured as the browser computes them.
	js[bool](b, `(() => {
		const p = document.createElement('p');
		p.id = 'tlp-sample';
		for (const [c, t] of [['tlp-red', 'TLP:RED'], ['tlp-amber', 'TLP:AMBER'], ['tlp-amber-strict', 'TLP:AMBER+STRICT'], ['tlp-green', 'TLP:GREEN'], ['tlp-clear', 'TLP:CLEAR']]) {
			const s = document.createElement('span');
			s.className = 'tlp ' + c;
			s.textContent = t;
			p.append(s, ' ');
		}
		document.querySelector('main').append(p);
		return true;
	})()`)
	if n := b.checkTLPContrast(); n != 5 {
		t.Fatalf("checked %d TLP labels, want 5", n)
	}
	b.shot("tlp-labels")
}

// TestBrowserCSRF: a form whose hidden csrf field was tampered with is
// refused (400) and changes nothing — on sign-out and on sign-in.
func TestBrowserCSRF(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	c := startChrome(t, h.base)
	people := demoPeople(t, dir)

	a := c.person("carrier-a")
	a.signIn(people["carrier-a"].Username, people["carrier-a"].Password)
	tamper := func(b *tab, form string) {
		t.Helper()
		if !js[bool](b, fmt.Sprintf(`(() => {
			const f = document.querySelector(%q);
			if (!f || !f.elements.csrf) return false;
			f.elements.csrf.value = 'tampered' + f.elements.csrf.value.slice(8);
			return true;
		})()`, form)) {
			t.Fatalf("%s: %s has no csrf field to tamper with", b.location(), form)
		}
	}
	tamper(a, `form[action="/logout"]`)
	if status := a.signOut(); status != http.StatusBadRequest {
		t.Errorf("sign-out with a tampered csrf field: %d, want 400", status)
	}
	a.shot("csrf-refused-logout")
	if status := a.open("/"); status != http.StatusOK || a.location() != "/" {
		t.Fatalf("after the refused sign-out: %d at %s; the session should stand", status, a.location())
	}

	// Login CSRF: the sign-in form carries its own token.
	b := c.person("carrier-b")
	b.open("/login")
	tamper(b, `form[action="/login"]`)
	if status := b.signIn(people["carrier-b"].Username, people["carrier-b"].Password); status != http.StatusBadRequest {
		t.Errorf("sign-in with a tampered csrf field: %d, want 400", status)
	}
	b.shot("csrf-refused-login")
	b.open("/")
	if !strings.HasPrefix(b.location(), "/login") {
		t.Errorf("a refused sign-in signed in: / shows %s", b.location())
	}
	// The same form untouched works.
	if status := b.signIn(people["carrier-b"].Username, people["carrier-b"].Password); status != http.StatusOK || b.location() != "/" {
		t.Errorf("sign-in after the refusal: %d at %s", status, b.location())
	}
}

// TestBrowserSessionExpiry: a session unused longer than
// session_idle_timeout ends; the next page asks for sign-in again.
func TestBrowserSessionExpiry(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(t.TempDir(), "kakehashi.yaml")
	if err := os.WriteFile(cfg, []byte("session_idle_timeout: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHub(t, "--config", cfg, "--demo", "--data", dir)
	defer h.stop(t)
	c := startChrome(t, h.base)
	p := demoPeople(t, dir)["mic"]
	b := c.person("mic")
	if status := b.signIn(p.Username, p.Password); status != http.StatusOK || b.location() != "/" {
		t.Fatalf("sign in: %d at %s", status, b.location())
	}
	// Use within the timeout keeps the session going.
	for i := 0; i < 2; i++ {
		time.Sleep(1500 * time.Millisecond)
		if b.open("/"); b.location() != "/" {
			t.Fatalf("a session in use ended after %d × 1.5 s: at %s", i+1, b.location())
		}
	}
	b.shot("before-idle")
	time.Sleep(3500 * time.Millisecond)
	b.open("/")
	if !strings.HasPrefix(b.location(), "/login") {
		t.Fatalf("after 3.5 s idle with session_idle_timeout 3s: at %s, want /login", b.location())
	}
	if n := js[int](b, `document.querySelectorAll('input[name=username]').length`); n != 1 {
		t.Errorf("the expired session's page is not the sign-in form")
	}
	b.shot("expired-to-login")
}

// TestBrowserLanguage: Japanese by default; the header's switch changes the
// language, <html lang> follows, and the choice stays across pages and
// sign-in until switched back.
func TestBrowserLanguage(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	c := startChrome(t, h.base)
	p := demoPeople(t, dir)["ict-isac"]
	b := c.person("ict-isac")
	b.open("/login")
	if lang := b.htmlLang(); lang != "ja" {
		t.Fatalf("default <html lang> = %q, want ja", lang)
	}
	if text := js[string](b, `document.body.innerText`); !strings.Contains(text, "ログイン") {
		t.Errorf("the default sign-in page is not in Japanese:\n%.300s", text)
	}
	b.shot("login-ja")
	b.click(`header a.lang`)
	if lang := b.htmlLang(); lang != "en" || !strings.Contains(b.location(), "lang=en") {
		t.Fatalf("after the language switch: <html lang=%q> at %s, want en", lang, b.location())
	}
	b.shot("login-en")
	b.signIn(p.Username, p.Password)
	for _, path := range []string{"/", "/login", "/"} {
		b.open(path)
		if lang := b.htmlLang(); lang != "en" {
			t.Errorf("%s after choosing English: <html lang=%q>", path, lang)
		}
	}
	if nav := js[string](b, `document.querySelector('header').innerText`); !strings.Contains(nav, "Sign out") {
		t.Errorf("the header is not in English: %q", nav)
	}
	b.shot("home-en")
	b.click(`header a.lang`)
	if lang := b.htmlLang(); lang != "ja" {
		t.Fatalf("switching back: <html lang=%q>, want ja", lang)
	}
	b.open("/")
	if lang := b.htmlLang(); lang != "ja" {
		t.Errorf("Japanese chosen again is not remembered: <html lang=%q>", lang)
	}
	if nav := js[string](b, `document.querySelector('header').innerText`); !strings.Contains(nav, "ログアウト") {
		t.Errorf("the header is not in Japanese: %q", nav)
	}
	b.shot("home-ja")
}
