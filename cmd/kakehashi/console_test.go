package main

import (
	"encoding/json"
	"fmt"
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

// TestConsoleBodyLimits: the sign-in form takes a small body and a signed-in
// form at most the hub's body limit, whatever the client announces or
// streams; fields are read from the body only, never from the query string.
func TestConsoleBodyLimits(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	b := newBrowser(t, h.base)
	b.get("/login")
	post := func(path string, body io.Reader, length int64) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, h.base+path, body)
		req.ContentLength = length // -1: chunked
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", h.base)
		resp, err := b.c.Do(req)
		if err != nil {
			return 0 // the hub may close the connection while the client still sends
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	big := strings.NewReader("username=x&password=" + strings.Repeat("a", 64<<10))
	if got := post("/login", big, -1); got != http.StatusRequestEntityTooLarge && got != 0 {
		t.Errorf("64 KiB chunked sign-in: %d, want 413", got)
	}
	if got := post("/login", strings.NewReader("x"), 40<<20); got != http.StatusRequestEntityTooLarge && got != 0 {
		t.Errorf("sign-in announcing 40 MiB: %d, want 413", got)
	}
	// The password in the query string is not read.
	p := demoPeople(t, dir)["carrier-a"]
	b.get("/login")
	q := url.Values{"username": {p.Username}, "password": {p.Password}}
	status, _, _ := b.post("/login?"+q.Encode(), url.Values{})
	if status == http.StatusSeeOther {
		t.Fatal("sign-in took the password from the query string")
	}
	s := signIn(t, h.base, dir, "carrier-a")
	s.get("/")
	req, _ := http.NewRequest(http.MethodPost, h.base+"/reports/check", strings.NewReader("csrf="+s.csrf+"&pad="+strings.Repeat("a", 33<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.base)
	if resp, err := s.c.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("33 MiB form: %d, want 413", resp.StatusCode)
		}
	}
	// A CSRF token in the query string does not count.
	if status, _, _ := s.post("/logout?csrf="+s.csrf, url.Values{"csrf": {""}}); status != http.StatusBadRequest {
		t.Errorf("logout with the token in the query only: %d, want 400", status)
	}
}

// TestConsoleOwnPasswordNeedsCurrent: a signed-in browser alone cannot
// change its person's password; the current one is needed (/account).
func TestConsoleOwnPasswordNeedsCurrent(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	b := signIn(t, h.base, dir, "mic")
	b.get("/")
	if status, _, _ := b.post("/users/demo-mic/password", url.Values{"password": {"taken over password"}}); status != http.StatusForbidden {
		t.Fatalf("own password through /users without the current one: %d, want 403", status)
	}
	p := demoPeople(t, dir)["mic"]
	again := newBrowser(t, h.base)
	again.get("/login")
	if status, _, _ := again.post("/login", url.Values{"username": {p.Username}, "password": {p.Password}}); status != http.StatusSeeOther {
		t.Fatalf("the old password no longer works: %d", status)
	}
}

// TestConsoleBehindLoadBalancer: with secure_cookies and the balancer in
// trusted_proxies, cookies are Secure, HSTS is sent, and failed sign-ins
// count against the client X-Forwarded-For names, not the balancer.
func TestConsoleBehindLoadBalancer(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(t.TempDir(), "hub.yaml")
	if err := os.WriteFile(cfgFile, []byte("secure_cookies: true\ntrusted_proxies: [\"127.0.0.1\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startHub(t, "--demo", "--data", dir, "--config", cfgFile)
	defer h.stop(t)
	signInFrom := func(client, user, pw string) (int, http.Header) {
		b := newBrowser(t, h.base)
		b.get("/login")
		form := url.Values{"username": {user}, "password": {pw}, "csrf": {b.csrf}}
		req, _ := http.NewRequest(http.MethodPost, h.base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", h.base)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	p := demoPeople(t, dir)["carrier-a"]
	status, hdr := signInFrom("198.51.100.1", p.Username, p.Password)
	if status != http.StatusSeeOther {
		t.Fatalf("sign in: %d", status)
	}
	if c := strings.Join(hdr.Values("Set-Cookie"), "\n"); !strings.Contains(c, "kakehashi_session=") || !strings.Contains(c, "secure") && !strings.Contains(c, "Secure") {
		t.Errorf("session cookie not Secure behind the balancer: %s", c)
	}
	if hdr.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind a TLS-terminating balancer")
	}
	// Failures from one client (each for another username, so that only
	// the address counts) block that client, not the others behind the
	// same balancer.
	for i := 0; i < 11; i++ {
		signInFrom("198.51.100.66", fmt.Sprintf("guess-%d", i), "wrong password")
	}
	if status, _ := signInFrom("198.51.100.66", p.Username, p.Password); status != http.StatusTooManyRequests {
		t.Errorf("blocked client: %d, want 429", status)
	}
	if status, _ := signInFrom("198.51.100.67", p.Username, p.Password); status != http.StatusSeeOther {
		t.Errorf("another client behind the same balancer: %d, want 303", status)
	}
}
