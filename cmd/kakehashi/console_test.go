package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// browser is a person at the web console: a cookie jar, no redirects
// followed (so that tests see the 303s), and the CSRF token of the last page.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and remembers its CSRF token.
func (b *browser) get(path string) (int, http.Header, string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header, string(body)
}

// post sends a form with the CSRF token of the last page (unless the form
// sets its own "csrf") from this console's origin.
func (b *browser) post(path string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header, string(body)
}

// demoPeople reads demo-users.json of a data dir.
func demoPeople(t *testing.T, dir string) map[string]demoUser {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, demoUsersFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]demoUser{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// signIn signs the demo person of org in and returns the browser.
func signIn(t *testing.T, base, dir, org string) *browser {
	t.Helper()
	p := demoPeople(t, dir)[org]
	b := newBrowser(t, base)
	b.get("/login")
	status, h, body := b.post("/login", url.Values{"username": {p.Username}, "password": {p.Password}})
	if status != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("sign in as %s: %d %s\n%.500s", org, status, h.Get("Location"), body)
	}
	return b
}

func TestConsoleSignInAndOut(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)

	people := demoPeople(t, dir)
	if len(people) != 9 || people["carrier-a"].Role != "reporter" || people["mic"].Role != "viewer" || people["hub-admin"].Role != "operator" {
		t.Fatalf("demo-users.json = %+v", people)
	}
	anon := newBrowser(t, h.base)
	for _, p := range []string{"/"} { // each page's own test checks it too
		status, hdr, _ := anon.get(p)
		if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
			t.Errorf("GET %s signed out: %d %s, want 303 to /login", p, status, hdr.Get("Location"))
		}
	}
	b := signIn(t, h.base, dir, "carrier-a")
	status, _, body := b.get("/")
	if status != 200 || !strings.Contains(body, "demo-carrier-a") || !strings.Contains(body, `<html lang="ja">`) {
		t.Fatalf("home: %d\n%.600s", status, body)
	}
	// Sign out ends the session on the server: the old cookie opens nothing.
	u, _ := url.Parse(h.base)
	cookies := b.c.Jar.Cookies(u)
	status, hdr, _ := b.post("/logout", nil)
	if status != http.StatusSeeOther || hdr.Get("Location") != "/login" {
		t.Fatalf("logout: %d %s", status, hdr.Get("Location"))
	}
	replay := newBrowser(t, h.base)
	replay.c.Jar.SetCookies(u, cookies)
	if status, hdr, _ := replay.get("/"); status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
		t.Fatalf("old session cookie after sign-out: %d %s", status, hdr.Get("Location"))
	}
}

func TestConsoleSessionCookieFlags(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	p := demoPeople(t, dir)["mic"]
	b := newBrowser(t, h.base)
	b.get("/login")
	_, hdr, _ := b.post("/login", url.Values{"username": {p.Username}, "password": {p.Password}})
	var session string
	for _, c := range hdr.Values("Set-Cookie") {
		if strings.HasPrefix(c, "kakehashi_session=") {
			session = c
		}
	}
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "path=/"} {
		if !strings.Contains(session, want) {
			t.Errorf("session cookie %q lacks %s", session, want)
		}
	}
	if strings.Contains(session, "Secure") {
		t.Errorf("plain-HTTP hub sets Secure: %q (browsers would drop it)", session)
	}
}

func TestConsoleCSRF(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	b := signIn(t, h.base, dir, "carrier-a")
	b.get("/")
	// Without the token, with a wrong one, and from another origin: refused,
	// and the session still stands.
	for name, form := range map[string]url.Values{
		"no token":    {"csrf": {""}},
		"wrong token": {"csrf": {"forged"}},
	} {
		if status, _, _ := b.post("/logout", form); status != http.StatusBadRequest {
			t.Errorf("%s: logout answered %d, want 400", name, status)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, h.base+"/logout", strings.NewReader(url.Values{"csrf": {b.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("cross-origin post with the right token: %d, want 400", resp.StatusCode)
	}
	if status, _, _ := b.get("/"); status != 200 {
		t.Fatalf("the session did not survive refused posts: %d", status)
	}
	// The sign-in form is protected too (login CSRF).
	other := newBrowser(t, h.base)
	p := demoPeople(t, dir)["carrier-b"]
	if status, _, _ := other.post("/login", url.Values{"username": {p.Username}, "password": {p.Password}, "csrf": {"x"}}); status != http.StatusBadRequest {
		t.Errorf("sign-in without the form's token: %d, want 400", status)
	}
}

func TestConsoleLanguage(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	b := newBrowser(t, h.base)
	_, _, body := b.get("/login")
	if !strings.Contains(body, `<html lang="ja">`) || !strings.Contains(body, "ログイン") {
		t.Fatalf("default language is not Japanese:\n%.400s", body)
	}
	_, _, body = b.get("/login?lang=en")
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Sign in") {
		t.Fatalf("?lang=en:\n%.400s", body)
	}
	_, _, body = b.get("/login")
	if !strings.Contains(body, `<html lang="en">`) {
		t.Fatal("the language choice is not remembered")
	}
	_, _, body = b.get("/login?lang=xx")
	if !strings.Contains(body, `<html lang="en">`) {
		t.Fatal("an unknown language replaced the remembered one")
	}
}

func TestConsoleSignInFailures(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	b := newBrowser(t, h.base)
	b.get("/login?lang=en")
	status, _, body := b.post("/login", url.Values{"username": {"demo-carrier-a"}, "password": {"not the password"}})
	if status != http.StatusUnauthorized || !strings.Contains(body, "The username or password is not right") {
		t.Fatalf("wrong password: %d\n%.500s", status, body)
	}
	status2, _, body2 := b.post("/login", url.Values{"username": {"nobody-at-all"}, "password": {"not the password"}})
	if status2 != status || !strings.Contains(body2, "The username or password is not right") {
		t.Fatalf("an unknown user answers differently from a wrong password: %d\n%.500s", status2, body2)
	}
	// The default allows 10 failures a minute per address; then 429.
	var last int
	for i := 0; i < 12; i++ {
		last, _, _ = b.post("/login", url.Values{"username": {"demo-carrier-a"}, "password": {"still wrong"}})
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("after 14 failures: %d, want 429", last)
	}
	// The right password from that address waits too.
	p := demoPeople(t, dir)["carrier-a"]
	if status, _, _ := b.post("/login", url.Values{"username": {p.Username}, "password": {p.Password}}); status != http.StatusTooManyRequests {
		t.Fatalf("right password from a blocked address: %d, want 429", status)
	}
}
