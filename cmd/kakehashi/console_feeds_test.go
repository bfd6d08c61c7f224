package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// feedItemRE matches one object element of a feed page (INTERFACES.md §8).
var feedItemRE = regexp.MustCompile(`data-id="([^"]+)" data-type="([^"]+)" data-tlp="([^"]*)"`)

// feedChannelRE matches one channel of GET /feeds.
var feedChannelRE = regexp.MustCompile(`<li class="card" data-channel="([^"]+)"`)

// feedVersion2RE is the 第2報 on an incident's timeline.
var feedVersion2RE = regexp.MustCompile(`(?s)<li data-version="2">.*?</li>`)

var feedNextRE = regexp.MustCompile(`<a rel="next" href="([^"]+)"`)

// feedPages reads every page of a feed, following "older" links, and returns
// the ids in page order, their data-tlp, and the pages' text.
func feedPages(t *testing.T, b *browser, channel string, limit string) ([]string, map[string]string, string) {
	t.Helper()
	var ids []string
	tlps := map[string]string{}
	var all strings.Builder
	path := "/feeds/" + channel + "?limit=" + limit
	for pages := 0; path != ""; pages++ {
		if pages > 100 {
			t.Fatalf("%s: more than 100 pages", channel)
		}
		status, _, body := b.get(path)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d\n%.800s", path, status, body)
		}
		// The objects only: the header names the signed-in organization.
		if i := strings.Index(body, `<ol class="feed-items">`); i >= 0 {
			all.WriteString(body[i:])
		}
		for _, m := range feedItemRE.FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
			tlps[m[1]] = html.UnescapeString(m[3]) // html/template writes + as &#43;
			if !strings.HasPrefix(m[1], m[2]+"--") {
				t.Errorf("%s: data-type %q does not match %s", channel, m[2], m[1])
			}
		}
		path = ""
		if m := feedNextRE.FindStringSubmatch(body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return ids, tlps, all.String()
}

// exportIDs are the ids of every object of the API export of a channel for an organization.
func exportIDs(t *testing.T, base, tok, channel string) []string {
	t.Helper()
	status, _, raw := export(t, base, tok, channel)
	if status != http.StatusOK {
		t.Fatalf("API export %s: %d %s", channel, status, raw)
	}
	var b struct {
		Objects []struct {
			ID string `json:"id"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range b.Objects {
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	return ids
}

// followUp is the 第2報 of mixed.json's incident: recovered later, its
// description naming the carrier in Japanese.
func followUp(t *testing.T, bundle []byte) []byte {
	t.Helper()
	out := bytes.Replace(bundle, []byte(`"id": "incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z"`), []byte(`"id": "incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-11T09:00:00.000Z"`), 1)
	out = bytes.Replace(out, []byte(`"recovered_at": "2026-07-10T01:00:00Z"`), []byte(`"recovered_at": "2026-07-10T03:00:00Z"`), 1)
	out = bytes.Replace(out, []byte(`"description": "Sakura Telecom's voice core`), []byte(`"description": "さくらテレコムの音声コア (Sakura Telecom's voice core)`), 1)
	if bytes.Count(out, []byte("2026-07-11T09:00:00.000Z")) != 1 || !bytes.Contains(out, []byte("2026-07-10T03:00:00Z")) || !bytes.Contains(out, []byte("さくらテレコム")) {
		t.Fatal("fixture edit did not apply")
	}
	return out
}

func TestConsoleFeeds(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, err := os.ReadFile("testdata/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	// 第1報 with a RED note for carrier-b, then the 第2報.
	if status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(bundle)+`,"share_with":["carrier-b"]}`)); status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, resp)
	}
	if status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], followUp(t, bundle)); status != http.StatusCreated {
		t.Fatalf("follow-up: %d %v", status, resp)
	}

	channels := []string{"accident-reports", "disaster-reports", "nisc", "isac-members", "isac-internal", "cross-sector", "public", "sector-events", "sector-events-regulator"}
	wantTLP := map[string]string{idIncident: "amber", idRedNote: "red", idStrict: "amber+strict", idAmber: "amber", idGreen: "green", idClear: "clear"}
	validTLP := []string{"clear", "green", "amber", "amber+strict", "red"}
	for org := range demoPeople(t, dir) {
		t.Run(org, func(t *testing.T) {
			b := signIn(t, h.base, dir, org)
			// The list is exactly the channels the API lets the organization export.
			var want []string
			for _, ch := range channels {
				if status, _, _ := export(t, h.base, tokens[org], ch); status == http.StatusOK {
					want = append(want, ch)
				}
			}
			status, _, body := b.get("/feeds")
			if status != http.StatusOK {
				t.Fatalf("GET /feeds: %d", status)
			}
			var got []string
			for _, m := range feedChannelRE.FindAllStringSubmatch(body, -1) {
				got = append(got, m[1])
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("feeds listed (-API +console):\n%s", d)
			}
			for _, ch := range channels {
				if !slices.Contains(want, ch) {
					// Another audience's channel does not exist for this organization.
					for _, p := range []string{"/feeds/" + ch, "/feeds/" + ch + "/export"} {
						if status, _, body := b.get(p); status != http.StatusNotFound || strings.Contains(body, idIncident) {
							t.Errorf("GET %s: %d, want 404 with nothing of the channel", p, status)
						}
					}
					continue
				}
				// Small pages, so that paging is exercised: every object once.
				ids, tlps, text := feedPages(t, b, ch, "2")
				seen := slices.Clone(ids)
				slices.Sort(seen)
				if len(slices.Compact(slices.Clone(seen))) != len(ids) {
					t.Errorf("%s: an object appears twice across pages: %v", ch, ids)
				}
				if d := cmp.Diff(exportIDs(t, h.base, tokens[org], ch), seen); d != "" {
					t.Errorf("%s objects (-API export +console):\n%s", ch, d)
				}
				for id, tlp := range tlps {
					if !slices.Contains(validTLP, tlp) {
						t.Errorf("%s: %s has data-tlp %q", ch, id, tlp)
					}
					if w, ok := wantTLP[id]; ok && w != tlp {
						t.Errorf("%s: %s has data-tlp %q, want %q", ch, id, tlp, w)
					}
				}
				if ch != "accident-reports" && ch != "disaster-reports" {
					for _, secret := range []string{"Sakura", "さくらテレコム", "sakura-telecom", "山田", idSakura} {
						if strings.Contains(text, secret) {
							t.Errorf("%s (anonymized) shows %q", ch, secret)
						}
					}
				}
				if slices.Contains(ids, idIncident) {
					// The timeline: both versions, the second saying what changed.
					second := feedVersion2RE.FindString(text)
					if !strings.Contains(text, `data-version="1"`) || !strings.Contains(second, "第2報") || !strings.Contains(second, "復旧日時") || strings.Contains(second, "発生日時") {
						t.Errorf("%s: the incident's timeline lacks its versions or what changed: %q", ch, second)
					}
					if !strings.Contains(text, "2026-07-10 09:00") { // occurred 00:00Z in Japan time
						t.Errorf("%s: the occurrence is not shown in Japan time", ch)
					}
				}
				if slices.Contains(ids, idAmber) && !strings.Contains(text, `data-copy="[ipv4-addr:value = &#39;198.18.0.11&#39;]"`) {
					t.Errorf("%s: the indicator has no copy button with its pattern", ch)
				}
				if len(ids) > 0 && !strings.Contains(text, `class="tlp tlp-`) {
					t.Errorf("%s: no TLP labels", ch)
				}
			}
			for _, p := range []string{"/feeds/intake", "/feeds/no-such-channel", "/feeds/no-such-channel/export"} {
				if status, _, _ := b.get(p); status != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", p, status)
				}
			}
		})
	}

	// The identified copy keeps the submitter; its unmarked identity takes
	// carrier-a's default TLP (amber), the hub's reference objects are clear.
	mic := signIn(t, h.base, dir, "mic")
	_, tlps, text := feedPages(t, mic, "accident-reports", "50")
	if !strings.Contains(text, "Sakura Telecom") || tlps[idSakura] != "amber" {
		t.Errorf("accident-reports: identified copy or identity TLP wrong (%q)", tlps[idSakura])
	}
	if tlps["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"] != "clear" {
		t.Errorf("the AMBER marking definition shows %q, want clear", tlps["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"])
	}
	// Newest first: the 第2報 (released last) comes before what only the
	// 第1報 carried.
	if ids, _, _ := feedPages(t, mic, "accident-reports", "1"); slices.Index(ids, idIncident) > slices.Index(ids, idRedNote) {
		t.Errorf("accident-reports is not newest first: %v", ids)
	}

	// A next token is bound to its feed and organization.
	carrierB := signIn(t, h.base, dir, "carrier-b")
	_, _, first := carrierB.get("/feeds/isac-members?limit=1")
	m := feedNextRE.FindStringSubmatch(first)
	if m == nil {
		t.Fatal("isac-members with limit 1 has no older link")
	}
	next := html.UnescapeString(m[1])
	if status, _, _ := carrierB.get(strings.Replace(next, "isac-members", "public", 1)); status != http.StatusBadRequest {
		t.Errorf("next of isac-members on public: %d, want 400", status)
	}
	carrierC := signIn(t, h.base, dir, "carrier-c")
	if status, _, _ := carrierC.get(next); status != http.StatusBadRequest {
		t.Errorf("carrier-b's next used by carrier-c: %d, want 400", status)
	}
	for _, bad := range []string{"?limit=0", "?limit=x", "?limit=201", "?next=garbage"} {
		if status, _, _ := carrierB.get("/feeds/isac-members" + bad); status != http.StatusBadRequest {
			t.Errorf("isac-members%s: %d, want 400", bad, status)
		}
	}

	// The signed export: an attachment that gpg verifies with the hub's key,
	// holding what the API export holds.
	resp, err := carrierB.c.Get(h.base + "/feeds/isac-members/export")
	if err != nil {
		t.Fatal(err)
	}
	signed := new(bytes.Buffer)
	_, _ = signed.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || !bytes.Contains(signed.Bytes(), []byte("BEGIN PGP MESSAGE")) {
		t.Fatalf("signed export: %d %q\n%.300s", resp.StatusCode, resp.Header.Get("Content-Disposition"), signed)
	}
	status, hubAsc := get(t, h.base+"/api/v1/keys/hub.asc", tokens["carrier-b"])
	if status != http.StatusOK {
		t.Fatalf("hub.asc: %d", status)
	}
	hubFile := filepath.Join(t.TempDir(), "hub.asc")
	if err := os.WriteFile(hubFile, hubAsc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, st, err := newGPG(t, hubFile).decrypt(signed.Bytes())
	if err != nil || !strings.Contains(st, "Good signature") {
		t.Fatalf("gpg does not verify the console's signed export: %v\n%s", err, st)
	}
	var exported struct {
		Objects []struct {
			ID string `json:"id"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(out, &exported); err != nil {
		t.Fatalf("the signed export is not a bundle: %v", err)
	}
	var ids []string
	for _, o := range exported.Objects {
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	if d := cmp.Diff(exportIDs(t, h.base, tokens["carrier-b"], "isac-members"), ids); d != "" {
		t.Errorf("signed export objects (-API +console):\n%s", d)
	}

	// Reads name the person.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, dbFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, via := range []string{"console", "export"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'channel.read' AND actor = 'carrier-b/demo-carrier-b' AND subject = 'isac-members' AND json_extract(detail, '$.via') = ?`, via).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("no channel.read of isac-members by carrier-b/demo-carrier-b via %s in the audit log", via)
		}
	}
	auditIntact(t, dir)

	// Signed out: to the sign-in page.
	anon := newBrowser(t, h.base)
	for _, p := range []string{"/feeds", "/feeds/public", "/feeds/isac-members/export"} {
		if status, hdr, _ := anon.get(p); status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
			t.Errorf("GET %s signed out: %d %s", p, status, hdr.Get("Location"))
		}
	}
	// English too.
	if status, _, body := carrierB.get("/feeds/isac-members?lang=en"); status != 200 || !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Newest first") {
		t.Errorf("English feed page: %d", status)
	}
}
