package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// signalForm is the signal form as a carrier's reporter fills it in.
func signalForm(observed time.Time, symptom string, regions ...string) url.Values {
	f := url.Values{"observed_at": {observed.In(signalJST).Format("2006-01-02T15:04")}, "symptom": {symptom}, "tlp": {"amber"}}
	for _, r := range regions {
		f.Add("regions", r)
	}
	return f
}

var signalJST = time.FixedZone("JST", 9*3600)

var (
	eventRow         = regexp.MustCompile(`<tr class="event" data-event="(sector-event--[0-9a-f-]+)" data-status="(\w+)" data-carriers="([^"]*)"`)
	timelineItem     = regexp.MustCompile(`<li data-at="([^"]+)" data-source="(\w[\w-]*)" data-symptom="([\w-]+)"(?: data-organization="([\w-]+)")?(?: data-signal="(incident--[0-9a-f-]+)")?>`)
	signalObligation = regexp.MustCompile(`data-kind="`)
)

// postSignal sends the form and returns the submission page it leads to.
func postSignal(t *testing.T, b *browser, form url.Values) string {
	t.Helper()
	b.get("/signals/new")
	status, hdr, body := b.post("/signals", form)
	loc := hdr.Get("Location")
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/submissions/") {
		t.Fatalf("POST /signals: %d %s\n%.3000s", status, loc, body)
	}
	return loc
}

func TestConsoleSignalsAndEvents(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	now := time.Now()

	a := signIn(t, h.base, dir, "carrier-a")
	t.Run("the form", func(t *testing.T) {
		status, _, body := a.get("/signals/new")
		if status != http.StatusOK {
			t.Fatalf("GET /signals/new: %d", status)
		}
		for _, want := range []string{`name="observed_at" value="` + now.In(signalJST).Format("2006-01-02T"), `<select id="f-symptom" name="symptom"`,
			`<option value="no-connectivity">`, `name="service_class"`, `name="upstream_asns"`, `name="prefixes"`, `name="note"`, `name="tlp"`,
			`<label for="region-13"><span class="signal-code">13</span> 東京都</label>`, `<label for="region-47"><span class="signal-code">47</span> 沖縄県</label>`,
			`id="submit-signal"`, `href="/signals/new" aria-current="page"`, `href="/events"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the form lacks %s", want)
			}
		}
		if n := strings.Count(body, `name="regions"`); n != 47 {
			t.Errorf("%d prefecture checkboxes, want 47", n)
		}
		// Every input has its label.
		for _, m := range regexp.MustCompile(`<(?:input|select|textarea)[^>]* id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
			if !strings.Contains(body, `for="`+m[1]+`"`) {
				t.Errorf("input %s has no label", m[1])
			}
		}
		_, _, en := a.get("/signals/new?lang=en")
		if !strings.Contains(en, `13</span> Tokyo</label>`) || !strings.Contains(en, ">No connectivity<") {
			t.Errorf("English form lacks prefecture or symptom names")
		}
		a.get("/signals/new?lang=ja")
	})

	t.Run("field errors", func(t *testing.T) {
		before := rowCounts(t, dir)
		a.get("/signals/new")
		form := signalForm(now, "no-connectivity", "13")
		form.Set("prefixes", "203.0.113.0/24 203.0.113.7/24 not-a-net")
		form.Set("upstream_asns", "64511 AS-X")
		status, _, body := a.post("/signals", form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d, want 422", status)
		}
		for _, want := range []string{
			`<p class="field-error" data-field-msg="prefixes">「203.0.113.7/24」はホスト部が0ではありません。ネットワークは 203.0.113.0/24 です。</p>`,
			`<p class="field-error" data-field-msg="prefixes">「not-a-net」はCIDR表記のネットワークではありません。`,
			`<p class="field-error" data-field-msg="upstream_asns">「AS-X」はAS番号ではありません。`,
			`id="f-prefixes" name="prefixes" value="203.0.113.0/24 203.0.113.7/24 not-a-net"`, // kept as typed
			`id="region-13" name="regions" value="13" checked`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the re-rendered form lacks %s", want)
			}
		}
		if strings.Contains(body, `data-field-msg="symptom"`) || strings.Contains(body, `data-field-msg="regions"`) {
			t.Error("errors on good fields")
		}
		// A region the form never offers is refused by the draft's check.
		form = signalForm(now, "no-connectivity", "48")
		status, _, body = a.post("/signals", form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field-msg="regions">&#34;48&#34; is not a JIS X 0401 prefecture code`) {
			t.Errorf("region 48: %d\n%.2000s", status, body)
		}
		if after := rowCounts(t, dir); after["submissions"] != before["submissions"] {
			t.Error("a refused signal was stored")
		}
	})

	// Carrier A sees trouble in Tokyo and Kanagawa; carrier B, a minute
	// later, packet loss in Tokyo: the same family (reachability), the same
	// region — one sector event.
	subA := postSignal(t, a, signalForm(now.Add(-2*time.Minute), "no-connectivity", "13", "14"))
	t.Run("no statutory obligations", func(t *testing.T) {
		status, _, body := a.get(subA)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", subA, status)
		}
		if signalObligation.MatchString(body) {
			t.Errorf("the signal's submission lists obligations:\n%.3000s", body)
		}
		if !strings.Contains(body, `data-channel="`) {
			t.Error("the submission page lists no channel copies")
		}
	})
	b := signIn(t, h.base, dir, "carrier-b")
	form := signalForm(now.Add(-time.Minute), "packet-loss", "13")
	form.Set("note", "upstream transit flapping")
	postSignal(t, b, form)

	mic := signIn(t, h.base, dir, "mic")
	var eventID string
	deadline := time.Now().Add(15 * time.Second)
	for eventID == "" {
		_, _, body := mic.get("/events")
		if m := eventRow.FindStringSubmatch(body); m != nil {
			eventID = m[1]
			if m[2] != "open" || m[3] != "carrier-a carrier-b" {
				t.Errorf("MIC's row: status %s, carriers %q", m[2], m[3])
			}
			if n := len(eventRow.FindAllString(body, -1)); n != 1 {
				t.Errorf("%d events, want 1", n)
			}
			for _, want := range []string{"Sakura Telecom", "Kaede Networks", "東京都", "通信不可（繋がらない）", "パケットロス"} {
				if !strings.Contains(body, want) {
					t.Errorf("MIC's list lacks %s", want)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sector event on MIC's /events:\n%.3000s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	var signalIDs []string
	t.Run("MIC sees it identified", func(t *testing.T) {
		status, _, body := mic.get("/events/" + eventID)
		if status != http.StatusOK {
			t.Fatalf("GET /events/%s: %d", eventID, status)
		}
		items := timelineItem.FindAllStringSubmatch(body, -1)
		if len(items) != 2 {
			t.Fatalf("timeline %v", items)
		}
		if items[0][4] != "carrier-a" || items[0][3] != "no-connectivity" || items[1][4] != "carrier-b" || items[1][3] != "packet-loss" || items[0][1] > items[1][1] {
			t.Errorf("timeline not the two signals in time order: %v", items)
		}
		for _, it := range items {
			if it[2] != "carrier" || it[5] == "" {
				t.Errorf("timeline item %v: source or signal id", it)
			}
			signalIDs = append(signalIDs, it[5])
		}
		for _, want := range []string{"Sakura Telecom", "Kaede Networks", "upstream transit flapping", "神奈川県"} {
			if !strings.Contains(body, want) {
				t.Errorf("MIC's event lacks %s", want)
			}
		}
	})

	// What no anonymized or unrelated viewer may see anywhere on a page.
	secrets := append([]string{"Sakura Telecom", "Kaede Networks", "さくら", "かえで", "carrier-a", "carrier-b", "upstream transit flapping",
		strings.TrimPrefix(subA, "/submissions/")}, signalIDs...)
	noSecrets := func(t *testing.T, who, body string, except ...string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(body, s) && !slices.Contains(except, s) {
				t.Errorf("%s's page shows %q", who, s)
			}
		}
	}

	t.Run("ICT-ISAC sees it anonymized", func(t *testing.T) {
		isac := signIn(t, h.base, dir, "ict-isac")
		_, _, home := isac.get("/")
		if !strings.Contains(home, `href="/events"`) || strings.Contains(home, `href="/signals/new"`) {
			t.Error("ICT-ISAC's viewer: nav should offer events and not the signal form")
		}
		status, _, list := isac.get("/events?lang=en")
		m := eventRow.FindStringSubmatch(list)
		if status != http.StatusOK || m == nil || m[1] != eventID || m[3] != "&lt;3" {
			t.Fatalf("ICT-ISAC's list: %d %v\n%.3000s", status, m, list)
		}
		status, _, body := isac.get("/events/" + eventID)
		if status != http.StatusOK {
			t.Fatalf("ICT-ISAC GET /events/%s: %d", eventID, status)
		}
		items := timelineItem.FindAllStringSubmatch(body, -1)
		if len(items) != 2 || items[0][4] != "" || items[0][5] != "" || items[1][4] != "" {
			t.Errorf("anonymized timeline names organizations or signals: %v", items)
		}
		if !strings.Contains(body, `data-carriers="&lt;3">&lt;3</span>`) || !strings.Contains(body, "Tokyo") {
			t.Errorf("anonymized event: no <3 or regions\n%.3000s", body)
		}
		noSecrets(t, "ICT-ISAC", list+body)
	})

	t.Run("a carrier that signalled sees it anonymized", func(t *testing.T) {
		status, _, body := a.get("/events/" + eventID)
		if status != http.StatusOK || !strings.Contains(body, `data-carriers="&lt;3"`) {
			t.Fatalf("carrier-a GET /events/%s: %d", eventID, status)
		}
		// Its own name is in the header; nothing of carrier B.
		noSecrets(t, "carrier-a", body, "Sakura Telecom", "carrier-a", strings.TrimPrefix(subA, "/submissions/"))
	})

	t.Run("others see nothing", func(t *testing.T) {
		// The page for an event that does not exist: an unrelated
		// organization's answer for the real one must be the same.
		missing := "sector-event--00000000-0000-4000-8000-000000000000"
		for _, org := range []string{"carrier-c", "finance-isac", "hub-admin"} {
			o := signIn(t, h.base, dir, org)
			_, _, home := o.get("/")
			status, _, got := o.get("/events/" + eventID)
			_, _, want := o.get("/events/" + missing)
			if status != http.StatusNotFound || strings.ReplaceAll(got, eventID, missing) != want {
				t.Errorf("%s GET /events/{id}: %d, not the same 404 as a missing event", org, status)
			}
			status, _, list := o.get("/events")
			switch org {
			case "carrier-c": // may see events it signals: an empty list
				if status != http.StatusOK || eventRow.MatchString(list) || !strings.Contains(home, `href="/events"`) {
					t.Errorf("carrier-c /events: %d\n%.2000s", status, list)
				}
			default: // never sees an event: no page, no nav entry
				if status != http.StatusNotFound || strings.Contains(home, `href="/events"`) {
					t.Errorf("%s /events: %d, want 404 and no nav entry", org, status)
				}
			}
			if strings.Contains(list, eventID) {
				t.Errorf("%s's list shows the event", org)
			}
			noSecrets(t, org, got+list)
		}
	})

	t.Run("who may not signal", func(t *testing.T) {
		pw := filepath.Join(t.TempDir(), "pw")
		if err := os.WriteFile(pw, []byte("viewer-password-123\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		e, _, errb := testEnv("")
		if code := run(context.Background(), []string{"user", "add", "--data", dir, "--org", "carrier-a", "--role", "viewer", "--password-file", pw, "a-signal-viewer"}, e); code != exitOK {
			t.Fatalf("user add: %d %s", code, errb)
		}
		v := newBrowser(t, h.base)
		v.get("/login")
		if status, _, _ := v.post("/login", url.Values{"username": {"a-signal-viewer"}, "password": {"viewer-password-123"}}); status != http.StatusSeeOther {
			t.Fatalf("viewer sign-in: %d", status)
		}
		_, _, home := v.get("/")
		if strings.Contains(home, `href="/signals/new"`) {
			t.Error("a viewer is offered the signal form")
		}
		before := rowCounts(t, dir)
		if status, _, _ := v.get("/signals/new"); status != http.StatusForbidden {
			t.Errorf("viewer GET /signals/new: %d, want 403", status)
		}
		v.get("/")
		if status, _, _ := v.post("/signals", signalForm(now, "no-connectivity", "13")); status != http.StatusForbidden {
			t.Errorf("viewer POST /signals: %d, want 403", status)
		}
		// The regulator's people may read events but not send signals.
		mic.get("/")
		if status, _, _ := mic.post("/signals", signalForm(now, "no-connectivity", "13")); status != http.StatusForbidden {
			t.Errorf("MIC POST /signals: %d, want 403", status)
		}
		if after := rowCounts(t, dir); after["submissions"] != before["submissions"] {
			t.Error("a refused signal was stored")
		}
	})
}
