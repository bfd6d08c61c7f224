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
	c := hubWithChrome(t, "--demo", "--data", dir)

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
		b.checkA11y()
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
		b.checkA11y()
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
	c := hubWithChrome(t, "--demo", "--data", dir)
	p := demoPeople(t, dir)["carrier-a"]
	b := c.person("carrier-a")
	b.open("/login")
	b.checkA11y()
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
	c := hubWithChrome(t, "--demo", "--data", dir)
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
	c := hubWithChrome(t, "--config", cfg, "--demo", "--data", dir)
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
	c := hubWithChrome(t, "--demo", "--data", dir)
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

// The report of the full flow: a serious voice outage (REPORTING row B:
// D(100 000) ≥ 1 h) with a two-step user profile, 45 days ago so that the
// detailed report (due 30 days after awareness) is overdue at intake.
type outageReport struct {
	Name, Description string
	Occurred          time.Time // whole minutes, Japan time
}

func newOutageReport(now time.Time) outageReport {
	occ := now.In(jst).AddDate(0, 0, -45).Truncate(time.Minute)
	occ = time.Date(occ.Year(), occ.Month(), occ.Day(), 10, 0, 0, 0, jst)
	return outageReport{
		Name: fmt.Sprintf("音声交換機の障害 E2E-%d", now.UnixNano()%1_000_000),
		// The carrier's own name: the community copies must not carry it.
		Description: "Sakura Telecom の関東音声コアで交換機が停止し、通話ができなくなった。",
		Occurred:    occ,
	}
}

var jst = time.FixedZone("JST", 9*3600)

// fields are the form's values by §8 name; datetime-local values are Japan
// time.
func (r outageReport) fields() [][2]string {
	at := func(d time.Duration) string { return r.Occurred.Add(d).Format("2006-01-02T15:04") }
	return [][2]string{
		{"name", r.Name},
		{"description", r.Description},
		{"report_kind", "service-outage"},
		{"occurred_at", at(0)},
		{"aware_at", at(5 * time.Minute)},
		{"recovered_at", at(3 * time.Hour)},
		{"cause", "telecom-equipment-failure"},
		{"failed_equipment", "core"},
		{"services.0.service_class", "voice"},
		{"services.0.impact", "stop"},
		{"services.0.affected_users", "120000"},
		// Step 1: 120 000 users for 1 h 30 min; step 2: 40 000 for 1 h 30 min.
		{"services.0.profile.0.start", at(0)},
		{"services.0.profile.0.end", at(90 * time.Minute)},
		{"services.0.profile.0.users", "120000"},
		{"services.0.profile.1.start", at(90 * time.Minute)},
		{"services.0.profile.1.end", at(3 * time.Hour)},
		{"services.0.profile.1.users", "40000"},
		{"tlp", "amber"},
	}
}

// find returns the first element whose data attributes hold every pair of want.
func find(els []map[string]string, want map[string]string) (map[string]string, bool) {
	for _, e := range els {
		ok := true
		for k, v := range want {
			if e[k] != v {
				ok = false
				break
			}
		}
		if ok {
			return e, true
		}
	}
	return nil, false
}

// TestBrowserReportFlow is issue #13's whole flow in one browser, one
// person after another: the carrier's reporter reports a serious voice
// outage with a two-step user profile, held for review, and sees it
// classified while typing; submits; previews and releases the held copy; the
// operators saw it in their queue without its content; the regulator sees
// the overdue obligation first; the carrier marks it met; an ICT-ISAC
// analyst reads the anonymized copy; everyone signs out.
func TestBrowserReportFlow(t *testing.T) {
	dir := t.TempDir()
	c := hubWithChrome(t, "--demo", "--data", dir)
	people := demoPeople(t, dir)
	signIn := func(org string) *tab {
		t.Helper()
		b := c.person(org)
		if status := b.signIn(people[org].Username, people[org].Password); status != http.StatusOK || b.location() != "/" {
			b.shot("sign-in-failed")
			t.Fatalf("sign in as %s: %d at %s", org, status, b.location())
		}
		b.shot("signed-in")
		return b
	}
	carrier := signIn("carrier-a")  // reporter
	operator := signIn("hub-admin") // operator
	regulator := signIn("mic")      // viewer
	analyst := signIn("ict-isac")   // viewer, reads isac-members
	rep := newOutageReport(time.Now())

	// 1. The report form, filled in field by field; the classification
	// follows the typing.
	if status := carrier.open("/reports/new"); status != http.StatusOK {
		carrier.shot("report-form")
		t.Fatalf("GET /reports/new: %d", status)
	}
	carrier.checkA11y()
	for _, f := range rep.fields() {
		carrier.setField(f[0], f[1])
	}
	carrier.setField("hold_for_review", "true")
	// The live classification names the class and each obligation with its
	// due date and rule; without a reload (the same document).
	js[bool](carrier, `window.__e2eSameDocument = true`)
	carrier.waitFor("the live classification", `(() => {
		const k = [...document.querySelectorAll('[data-kind]')].map(e => e.dataset.kind);
		return k.includes('mic-serious-first-report') && k.includes('mic-serious-detailed-report');
	})()`, 10*time.Second)
	if !js[bool](carrier, `window.__e2eSameDocument === true`) {
		t.Fatal("the classification came with a page reload, not while typing")
	}
	live := carrier.dataElements("data-kind")
	if o, ok := find(live, map[string]string{"kind": "mic-serious-detailed-report"}); !ok || o["due"] == "" {
		t.Errorf("live classification: the detailed report has no due date: %v", live)
	}
	if text := js[string](carrier, `document.body.innerText`); !strings.Contains(text, "重大") {
		t.Errorf("the live classification does not say 重大 (serious):\n%.1500s", text)
	}
	carrier.checkA11y()
	carrier.shot("report-live-classification")
	carrier.view("report-live-classification-top")

	// CSRF: the same form with its hidden csrf field tampered is refused.
	js[bool](carrier, `(() => { const f = document.getElementById('submit-report').form; f.elements.csrf.value = 'tampered'; return true; })()`)
	if status := carrier.click("#submit-report"); status != http.StatusBadRequest {
		t.Errorf("the report form with a tampered csrf field: %d, want 400", status)
	}
	carrier.shot("report-csrf-refused")
	carrier.open("/reports/new")
	for _, f := range rep.fields() {
		carrier.setField(f[0], f[1])
	}
	carrier.setField("hold_for_review", "true")

	// 2. Submit: 303 to /submissions/{id}.
	if status := carrier.click("#submit-report"); status != http.StatusOK || !strings.HasPrefix(carrier.location(), "/submissions/") {
		carrier.shot("submit-failed")
		t.Fatalf("submit: %d at %s, want /submissions/{id}\n%.2000s", status, carrier.location(), js[string](carrier, `document.body.innerText`))
	}
	submission := strings.TrimPrefix(carrier.location(), "/submissions/")
	carrier.shot("submission")
	carrier.checkA11y()
	obligations := carrier.dataElements("data-kind")
	first, ok1 := find(obligations, map[string]string{"kind": "mic-serious-first-report"})
	detailed, ok2 := find(obligations, map[string]string{"kind": "mic-serious-detailed-report"})
	if !ok1 || !ok2 {
		t.Fatalf("submission %s: obligations %v, want the serious first and detailed reports", submission, obligations)
	}
	if first["due"] != "" || first["status"] != "open" {
		t.Errorf("first report (without delay): %v, want no due date, open", first)
	}
	if detailed["status"] != "overdue" || detailed["due"] == "" || detailed["due"] >= time.Now().In(jst).Format("2006-01-02") {
		t.Errorf("detailed report 45 days on: %v, want overdue with a past due date", detailed)
	}
	copies := carrier.dataElements("data-channel")
	if c, ok := find(copies, map[string]string{"channel": "accident-reports"}); !ok || c["status"] != "released" {
		t.Errorf("the regulator's copy: %v, want released (statutory, not held)", copies)
	}
	if c, ok := find(copies, map[string]string{"channel": "isac-members"}); !ok || c["status"] != "held" {
		t.Fatalf("the ISAC members' copy: %v, want held for review", copies)
	}
	carrier.checkTLPContrast() // the labels it shows, if any

	// 3. The operators' queue lists the held copy: reasons and pointers,
	// never content.
	if status := operator.open("/review"); status != http.StatusOK {
		t.Fatalf("operator GET /review: %d", status)
	}
	operator.checkA11y()
	review := js[string](operator, `document.body.innerHTML`)
	if !strings.Contains(review, submission) {
		t.Errorf("the review queue does not list held submission %s", submission)
	}
	for _, secret := range []string{rep.Name, "Sakura Telecom の関東音声コア", "交換機が停止"} {
		if strings.Contains(review, secret) {
			t.Errorf("the review queue shows the report's content %q", secret)
		}
	}
	operator.shot("review-queue")

	// 4. Preview the held copy, then release it.
	carrier.open("/submissions/" + submission)
	previewLink := js[string](carrier, `(() => { const a = document.querySelector('[data-channel="isac-members"] a[href*="/preview/"]') || document.querySelector('a[href$="/preview/isac-members"]'); return a ? a.getAttribute('href') : ''; })()`)
	if previewLink == "" {
		t.Fatalf("the submission page has no preview link for the held isac-members copy")
	}
	if status := carrier.click(fmt.Sprintf(`a[href=%q]`, previewLink)); status != http.StatusOK {
		t.Fatalf("preview %s: %d", previewLink, status)
	}
	preview := js[string](carrier, `document.querySelector('main').innerText`)
	if strings.Contains(preview, "Sakura Telecom") || !strings.Contains(preview, rep.Name) {
		t.Errorf("the ISAC members' preview should show the report anonymized:\n%.1500s", preview)
	}
	carrier.shot("preview-isac-members")
	carrier.open("/submissions/" + submission)
	if status := carrier.click(`form[action$="/release"] [type=submit]`); status != http.StatusOK || !strings.HasPrefix(carrier.location(), "/submissions/"+submission) {
		t.Fatalf("release: %d at %s", status, carrier.location())
	}
	if c, ok := find(carrier.dataElements("data-channel"), map[string]string{"channel": "isac-members"}); !ok || c["status"] != "released" {
		t.Fatalf("after release the ISAC members' copy is %v, want released", c)
	}
	carrier.shot("released")

	// 5. The regulator's deadlines: every carrier's, overdue first.
	if status := regulator.open("/obligations"); status != http.StatusOK {
		t.Fatalf("regulator GET /obligations: %d", status)
	}
	regulator.checkA11y()
	board := regulator.dataElements("data-organization")
	if len(board) == 0 || board[0]["status"] != "overdue" {
		t.Fatalf("the regulator's board does not start with an overdue obligation: %v", board)
	}
	seenOpen := false
	for _, o := range board {
		if o["status"] != "overdue" {
			seenOpen = true
		} else if seenOpen {
			t.Errorf("an overdue obligation after others: %v", board)
			break
		}
	}
	if _, ok := find(board, map[string]string{"kind": "mic-serious-detailed-report", "organization": "carrier-a", "status": "overdue"}); !ok {
		t.Errorf("the regulator does not see Sakura Telecom's overdue detailed report: %v", board)
	}
	regulator.shot("regulator-obligations")
	regulator.view("regulator-obligations-top")

	// 6. The carrier's reporter marks it met with the filing's reference.
	carrier.open("/obligations")
	carrier.checkA11y()
	row := `[data-organization="carrier-a"][data-kind="mic-serious-detailed-report"][data-status="overdue"]`
	if !js[bool](carrier, fmt.Sprintf(`!!document.querySelector('%s input[name=reference]')`, row)) {
		carrier.shot("no-mark-met")
		t.Fatalf("the carrier's deadline has no mark-met form with a reference field")
	}
	carrier.do("type the reference", chromedp.SendKeys(chromedp.CSS(row+` input[name=reference]`), "総基電第123号"))
	if status := carrier.click(row + ` [type=submit]`); status != http.StatusOK {
		t.Fatalf("mark met: %d at %s", status, carrier.location())
	}
	carrier.open("/obligations")
	if _, ok := find(carrier.dataElements("data-organization"), map[string]string{"kind": "mic-serious-detailed-report", "organization": "carrier-a", "status": "met"}); !ok {
		t.Errorf("after marking met the carrier's board shows no met detailed report")
	}
	carrier.shot("obligation-met")
	regulator.open("/obligations?lang=ja")
	if _, ok := find(regulator.dataElements("data-organization"), map[string]string{"kind": "mic-serious-detailed-report", "organization": "carrier-a", "status": "met"}); !ok {
		t.Errorf("the regulator does not see the detailed report met")
	}

	// 7. An ICT-ISAC analyst reads the anonymized copy in the members' feed.
	if status := analyst.open("/feeds/isac-members"); status != http.StatusOK {
		t.Fatalf("ict-isac GET /feeds/isac-members: %d", status)
	}
	analyst.checkA11y()
	feed := analyst.dataElements("data-id")
	var incident map[string]string
	for _, e := range feed {
		if e["type"] == "incident" && strings.Contains(e["text"], rep.Name) {
			incident = e
		}
	}
	if incident == nil {
		analyst.shot("feed-without-incident")
		t.Fatalf("the ISAC members' feed has no incident %q: %v", rep.Name, feed)
	}
	if incident["tlp"] != "amber" {
		t.Errorf("the incident's data-tlp = %q, want amber", incident["tlp"])
	}
	text := js[string](analyst, `document.querySelector('main').innerText`)
	for _, name := range []string{"Sakura Telecom", "さくらテレコム", "demo-carrier-a", "山田"} {
		if strings.Contains(text, name) {
			t.Errorf("the ISAC members' feed names the carrier: %q", name)
		}
	}
	if n := analyst.checkTLPContrast(); n == 0 {
		t.Errorf("the feed shows no TLP label")
	}
	analyst.shot("isac-feed")

	// 8. Everyone signs out.
	for _, b := range []*tab{carrier, operator, regulator, analyst} {
		if status := b.signOut(); status != http.StatusOK || b.location() != "/login" {
			t.Errorf("%s: sign out: %d at %s", b.name, status, b.location())
		}
	}
}

// TestBrowserStatistics: the public statistics need no sign-in and draw
// their charts as inline SVG, in both languages.
func TestBrowserStatistics(t *testing.T) {
	dir := t.TempDir()
	c := hubWithChrome(t, "--demo", "--data", dir)
	b := c.person("public")
	for _, lang := range []string{"ja", "en"} {
		if status := b.open("/statistics?lang=" + lang); status != http.StatusOK || !strings.HasPrefix(b.location(), "/statistics") {
			t.Fatalf("GET /statistics signed out: %d at %s", status, b.location())
		}
		if got := b.htmlLang(); got != lang {
			t.Errorf("/statistics?lang=%s: <html lang=%q>", lang, got)
		}
		if n := js[int](b, `document.querySelectorAll('main svg').length`); n == 0 {
			t.Errorf("/statistics (%s) has no inline <svg> chart", lang)
		}
		b.checkA11y()
		b.shot("statistics-" + lang)
	}
}

// TestBrowserAccessibility opens every page of each role and checks the
// basics in the browser: each form control labelled, everything reachable by
// Tab, the TLP labels in FIRST's colours; in both languages.
func TestBrowserAccessibility(t *testing.T) {
	dir := t.TempDir()
	c := hubWithChrome(t, "--demo", "--data", dir)
	people := demoPeople(t, dir)
	pages := []struct {
		org   string // "" is nobody signed in
		paths []string
	}{
		{"", []string{"/login", "/statistics"}},
		{"carrier-a", []string{"/", "/reports/new", "/reports/bundle", "/obligations", "/feeds", "/feeds/isac-members", "/account"}},
		{"mic", []string{"/obligations", "/feeds", "/feeds/accident-reports"}},
		{"hub-admin", []string{"/review", "/organizations", "/users", "/tokens", "/audit"}},
	}
	for _, pg := range pages {
		name := pg.org
		if name == "" {
			name = "public"
		}
		b := c.person(name)
		if pg.org != "" {
			if status := b.signIn(people[pg.org].Username, people[pg.org].Password); status != http.StatusOK || b.location() != "/" {
				t.Fatalf("sign in as %s: %d at %s", pg.org, status, b.location())
			}
		}
		for _, lang := range []string{"ja", "en"} {
			for _, path := range pg.paths {
				if status := b.open(path + "?lang=" + lang); status != http.StatusOK || !strings.HasPrefix(b.location(), path) {
					b.shot("page" + path)
					t.Errorf("%s: GET %s: %d at %s", name, path, status, b.location())
					continue
				}
				if got := b.htmlLang(); got != lang {
					t.Errorf("%s: %s?lang=%s: <html lang=%q>", name, path, lang, got)
				}
				b.checkA11y()
				b.checkTLPContrast()
				if lang == "en" {
					b.shot("page" + path)
				}
			}
		}
	}
}
