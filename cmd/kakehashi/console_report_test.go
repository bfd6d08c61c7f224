package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// jstLocal formats t as a datetime-local value in Japan time.
func jstLocal(t time.Time) string {
	return t.In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04")
}

// seriousVoiceForm is a serious emergency-voice outage with a two-step
// user profile: 40,000 users for 1h10m, then 10,000 for 1h50m. D(30000) =
// 1h10m ≥ 1h, so row A of REPORTING 2.3 makes it serious.
func seriousVoiceForm(start time.Time) url.Values {
	return url.Values{
		"name":                       {"Voice core outage in Kanto"},
		"description":                {"The voice core failed after a software update."},
		"report_kind":                {"service-outage"},
		"occurred_at":                {jstLocal(start)},
		"aware_at":                   {jstLocal(start.Add(5 * time.Minute))},
		"recovered_at":               {jstLocal(start.Add(3 * time.Hour))},
		"cause":                      {"telecom-equipment-failure"},
		"failed_equipment":           {"core"},
		"services.0.service_class":   {"emergency-voice"},
		"services.0.impact":          {"stop"},
		"services.0.affected_users":  {"40000"},
		"services.0.profile.0.start": {jstLocal(start)},
		"services.0.profile.0.end":   {jstLocal(start.Add(70 * time.Minute))},
		"services.0.profile.0.users": {"40000"},
		"services.0.profile.1.start": {jstLocal(start.Add(70 * time.Minute))},
		"services.0.profile.1.end":   {jstLocal(start.Add(3 * time.Hour))},
		"services.0.profile.1.users": {"10,000"},
		"tlp":                        {"amber"},
	}
}

var (
	obligationRow = regexp.MustCompile(`class="obligation" data-kind="([^"]+)" data-due="([^"]*)" data-status="([^"]+)"`)
	channelRow    = regexp.MustCompile(`data-channel="([^"]+)" data-status="([^"]+)"`)
)

// obligationsOf lists "kind due status" of every obligation element of a page.
func obligationsOf(body string) []string {
	var out []string
	for _, m := range obligationRow.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+" "+m[2]+" "+m[3])
	}
	sort.Strings(out)
	return out
}

// expectedObligations classifies the incident with the reporting package
// directly, as `kakehashi classify` does, for the organization's facts.
func expectedObligations(t *testing.T, dir, org string, start time.Time) []string {
	t.Helper()
	reg, err := sharing.LoadRegistry(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := reg.FindOrganizationByID(org)
	if err != nil {
		t.Fatal(err)
	}
	f := seriousVoiceForm(start)
	parse := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02T15:04", s, time.FixedZone("JST", 9*3600))
		if err != nil {
			t.Fatal(err)
		}
		return v.UTC()
	}
	users := func(n int64) *int64 { return &n }
	d := sharing.Draft{Name: f.Get("name"), ReportKind: "service-outage", Cause: "telecom-equipment-failure", FailedEquipment: "core",
		OccurredAt: parse(f.Get("occurred_at")), AwareAt: parse(f.Get("aware_at")), RecoveredAt: parse(f.Get("recovered_at")),
		Services: []sharing.DraftService{{ServiceClass: "emergency-voice", Impact: "stop", AffectedUsers: users(40000), Profile: []sharing.DraftStep{
			{Start: parse(f.Get("services.0.profile.0.start")), End: parse(f.Get("services.0.profile.0.end")), Users: users(40000)},
			{Start: parse(f.Get("services.0.profile.1.start")), End: parse(f.Get("services.0.profile.1.end")), Users: users(10000)}}}}}
	built, err := d.Build(o, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(built.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "bundle.json")
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	e, stdout, stderr := testEnv("")
	if code := run(context.Background(), []string{"classify", "--registry", filepath.Join(dir, "registry.yaml"), "--org", org, file}, e); code != exitOK {
		t.Fatalf("classify: %d %s %s", code, stdout, stderr)
	}
	var rs reporting.ResultSet
	if err := json.Unmarshal(stdout.Bytes(), &rs); err != nil || len(rs.Incidents) != 1 {
		t.Fatalf("classify output: %v %s", err, stdout)
	}
	if rs.Incidents[0].Classification != reporting.Serious {
		t.Fatalf("kakehashi classify says %s, want serious", rs.Incidents[0].Classification)
	}
	var out []string
	for _, ob := range rs.Incidents[0].Obligations {
		due := ""
		if ob.Due != nil {
			due = ob.Due.String()
		}
		out = append(out, fmt.Sprintf("%s %s %s", ob.Kind, due, ob.Status))
	}
	sort.Strings(out)
	return out
}

// rowCounts counts the rows of every table of the hub's database.
func rowCounts(t *testing.T, dir string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, dbFile)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	out := map[string]int{}
	for _, n := range names {
		var c int
		if err := db.QueryRow(`SELECT COUNT(*) FROM "` + n + `"`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

// submitReport posts the form and returns the submission path it redirects to.
func submitReport(t *testing.T, b *browser, form url.Values) string {
	t.Helper()
	b.get("/reports/new")
	form.Set("action", "submit")
	status, h, body := b.post("/reports", form)
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/submissions/") {
		t.Fatalf("submit: %d %s\n%.3000s", status, h.Get("Location"), body)
	}
	return h.Get("Location")
}

func TestConsoleReport(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	start := time.Now().Add(-6 * time.Hour).Truncate(time.Minute)

	a := signIn(t, h.base, dir, "carrier-a")
	status, _, body := a.get("/reports/new")
	if status != http.StatusOK {
		t.Fatalf("GET /reports/new: %d", status)
	}
	for _, name := range []string{"name", "description", "report_kind", "occurred_at", "aware_at", "recovered_at", "cause", "failed_equipment",
		"services.0.service_class", "services.0.impact", "services.0.affected_users", "services.1.service_class",
		"services.0.profile.0.start", "services.0.profile.2.users", "services.1.profile.2.end", "tlp", "share_with", "designs"} {
		if !strings.Contains(body, `name="`+name+`"`) {
			t.Errorf("the form has no field %s", name)
		}
	}
	for _, want := range []string{`id="submit-report"`, `type="datetime-local"`, `value="emergency-voice"`, `value="carrier-b"`, `発生日時`, `停止帯域`} {
		if !strings.Contains(body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(body, `value="carrier-a"`) {
		t.Error("share_with offers the caller itself")
	}
	want := expectedObligations(t, dir, "carrier-a", start)

	t.Run("live check classifies and stores nothing", func(t *testing.T) {
		a.get("/reports/new")
		before := rowCounts(t, dir)
		form := seriousVoiceForm(start)
		req, _ := http.NewRequest(http.MethodPost, h.base+"/reports/check", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", h.base)
		req.Header.Set("X-CSRF-Token", a.csrf)
		resp, err := a.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		resp.Body.Close()
		frag := buf.String()
		if resp.StatusCode != http.StatusOK || strings.Contains(frag, "<html") {
			t.Fatalf("check: %d, want a fragment\n%.2000s", resp.StatusCode, frag)
		}
		if !strings.Contains(frag, `data-class="serious"`) {
			t.Errorf("check did not classify serious:\n%.3000s", frag)
		}
		if got := obligationsOf(frag); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("check obligations:\n%s\nwant (kakehashi classify):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(frag, "serious/emergency-voice") {
			t.Errorf("the triggering rule is not shown:\n%.3000s", frag)
		}
		// the no-script path: "check" re-renders the whole form with the same fragment
		form.Set("action", "check")
		status, _, page := a.post("/reports", form)
		if status != http.StatusOK || !strings.Contains(page, `data-class="serious"`) || !strings.Contains(page, `id="submit-report"`) {
			t.Errorf("check without script: %d\n%.1000s", status, page)
		}
		if after := rowCounts(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("the dry run stored something:\nbefore %v\nafter  %v", before, after)
		}
		// without the CSRF token the check is refused
		req, _ = http.NewRequest(http.MethodPost, h.base+"/reports/check", strings.NewReader(seriousVoiceForm(start).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err = a.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("check without CSRF token: %d, want 400", resp.StatusCode)
		}
	})

	t.Run("errors next to their fields", func(t *testing.T) {
		form := seriousVoiceForm(start)
		form.Set("occurred_at", "yesterday")
		form.Set("services.0.profile.1.users", "many")
		form.Set("services.1.impact", "stop") // a second service without its class
		form.Set("aware_at", jstLocal(time.Now().Add(72*time.Hour)))
		form.Del("name")
		a.get("/reports/new")
		before := rowCounts(t, dir)
		form.Set("action", "submit")
		status, _, body := a.post("/reports", form)
		if status != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %d, want 422\n%.2000s", status, body)
		}
		for field, text := range map[string]string{
			"occurred_at":                "2026-07-10T09:00",
			"services.0.profile.1.users": "0",
			"services.1.service_class":   "required",
			"aware_at":                   "plausible range",
			"name":                       "required",
		} {
			re := regexp.MustCompile(`(?s)name="` + regexp.QuoteMeta(field) + `"[^>]*>(?:\s*</select>)?\s*(?:<option[^>]*>[^<]*</option>\s*)*(?:</select>)?\s*<p class="field-error" data-field-msg="` + regexp.QuoteMeta(field) + `">([^<]*)</p>`)
			m := re.FindStringSubmatch(body)
			if m == nil {
				t.Errorf("no error next to %s", field)
				continue
			}
			if !strings.Contains(m[1], text) {
				t.Errorf("error next to %s = %q, want it to mention %q", field, m[1], text)
			}
		}
		if after := rowCounts(t, dir); fmt.Sprint(after["submissions"]) != fmt.Sprint(before["submissions"]) {
			t.Error("a refused form stored a submission")
		}
	})

	// The first report, held for review so that a copy waits for release.
	form := seriousVoiceForm(start)
	form.Set("hold_for_review", "on")
	form.Add("share_with", "carrier-b")
	loc := submitReport(t, a, form)
	subID := strings.TrimPrefix(loc, "/submissions/")

	t.Run("submission page", func(t *testing.T) {
		status, _, body := a.get(loc)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d", loc, status)
		}
		if got := obligationsOf(body); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("submission obligations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		chans := channelRow.FindAllStringSubmatch(body, -1)
		if len(chans) == 0 {
			t.Fatalf("no channels:\n%.3000s", body)
		}
		held := ""
		for _, m := range chans {
			if m[2] == "held" {
				held = m[1]
			}
		}
		if held == "" {
			t.Fatalf("no held copy: %v", chans)
		}
		if !strings.Contains(body, `action="/submissions/`+subID+`/release"`) {
			t.Error("no release button for the held copy")
		}
		status, _, prev := a.get("/submissions/" + subID + "/preview/" + held)
		if status != http.StatusOK || !strings.Contains(prev, `data-type="incident"`) || !strings.Contains(prev, `data-status="held"`) {
			t.Errorf("preview of %s: %d\n%.2000s", held, status, prev)
		}

		// another carrier sees nothing of it
		b := signIn(t, h.base, dir, "carrier-b")
		for _, p := range []string{loc, loc + "/preview/" + held, loc + "/preview/accident-reports", "/reports/new?from=" + subID} {
			if status, _, body := b.get(p); status != http.StatusNotFound || strings.Contains(body, "Voice core outage") {
				t.Errorf("carrier-b GET %s: %d", p, status)
			}
		}
		b.get("/")
		if status, _, _ := b.post(loc+"/release", nil); status != http.StatusNotFound {
			t.Errorf("carrier-b release: %d, want 404", status)
		}
		if _, _, body := a.get(loc); !strings.Contains(body, `data-status="held"`) {
			t.Error("carrier-b's release attempt changed the copy")
		}

		a.get(loc)
		status, hd, _ := a.post(loc+"/release", nil)
		if status != http.StatusSeeOther || !strings.HasPrefix(hd.Get("Location"), loc) {
			t.Fatalf("release: %d %s", status, hd.Get("Location"))
		}
		_, _, body = a.get(hd.Get("Location"))
		for _, m := range channelRow.FindAllStringSubmatch(body, -1) {
			if m[1] == held && m[2] != "released" {
				t.Errorf("after release %s is %s", held, m[2])
			}
		}
	})

	t.Run("follow-up", func(t *testing.T) {
		status, _, body := a.get("/reports/new?from=" + subID)
		if status != http.StatusOK {
			t.Fatalf("follow-up form: %d", status)
		}
		m := regexp.MustCompile(`name="incident_id" value="(incident--[^"]+)"`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, `value="Voice core outage in Kanto"`) || !strings.Contains(body, `value="`+jstLocal(start)+`"`) {
			t.Fatalf("the follow-up form is not pre-filled:\n%.3000s", body)
		}
		incident := m[1]
		created := regexp.MustCompile(`name="created" value="([^"]+)"`).FindStringSubmatch(body)
		// 第2報: recovered later, more users in the second step
		f2 := seriousVoiceForm(start)
		f2.Set("incident_id", incident)
		f2.Set("created", created[1])
		f2.Set("recovered_at", jstLocal(start.Add(4*time.Hour)))
		f2.Set("services.0.profile.1.end", jstLocal(start.Add(4*time.Hour)))
		f2.Set("services.0.profile.1.users", "12000")
		time.Sleep(5 * time.Millisecond) // a later modified
		loc2 := submitReport(t, a, f2)
		if loc2 == loc {
			t.Fatal("the follow-up returned the first submission")
		}
		_, _, body = a.get(loc2)
		for _, field := range []string{"recovered_at", "services.0.profile.1.end", "services.0.profile.1.users"} {
			if !strings.Contains(body, `data-field="`+field+`"`) {
				t.Errorf("the diff does not show %s:\n%.4000s", field, body)
			}
		}
		if strings.Contains(body, `data-field="occurred_at"`) {
			t.Error("the diff shows an unchanged field")
		}
		if !strings.Contains(body, `data-incident="`+incident+`"`) {
			t.Error("the follow-up is not the same incident")
		}
		if got := obligationsOf(body); len(got) != len(want) {
			t.Errorf("follow-up obligations %v, want %v", got, want)
		}
	})

	t.Run("designs are uploaded and sealed", func(t *testing.T) {
		a.get("/reports/new")
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		form := seriousVoiceForm(start.Add(-time.Hour))
		form.Set("name", "Outage with a design")
		form.Set("action", "submit")
		form.Set("csrf", a.csrf)
		for k, vs := range form {
			for _, v := range vs {
				mw.WriteField(k, v)
			}
		}
		fw, err := mw.CreateFormFile("designs", "core-design.pdf")
		if err != nil {
			t.Fatal(err)
		}
		plain := "%PDF-1.7 secret core topology"
		fw.Write([]byte(plain))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, h.base+"/reports", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", h.base)
		resp, err := a.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit with a design: %d", resp.StatusCode)
		}
		loc := resp.Header.Get("Location")
		status, _, body := a.get(loc + "/preview/accident-reports")
		if status != http.StatusOK || !strings.Contains(body, `data-type="artifact"`) || !strings.Contains(body, "application/pgp-encrypted") {
			t.Fatalf("the regulator's copy has no sealed design: %d\n%.3000s", status, body)
		}
		if strings.Contains(body, base64.StdEncoding.EncodeToString([]byte(plain))) {
			t.Error("the design is stored in the clear")
		}
	})

	t.Run("a viewer cannot report", func(t *testing.T) {
		pw := filepath.Join(t.TempDir(), "pw")
		if err := os.WriteFile(pw, []byte("viewer-password-123\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		e, _, errb := testEnv("")
		if code := run(context.Background(), []string{"user", "add", "--data", dir, "--org", "carrier-a", "--role", "viewer", "--password-file", pw, "a-viewer"}, e); code != exitOK {
			t.Fatalf("user add: %d %s", code, errb)
		}
		v := newBrowser(t, h.base)
		v.get("/login")
		if status, _, _ := v.post("/login", url.Values{"username": {"a-viewer"}, "password": {"viewer-password-123"}}); status != http.StatusSeeOther {
			t.Fatalf("viewer sign-in: %d", status)
		}
		if status, _, _ := v.get("/reports/new"); status != http.StatusForbidden {
			t.Errorf("viewer GET /reports/new: %d, want 403", status)
		}
		v.get("/")
		before := rowCounts(t, dir)
		form := seriousVoiceForm(start)
		form.Set("name", "viewer's report")
		form.Set("action", "submit")
		if status, _, _ := v.post("/reports", form); status != http.StatusForbidden {
			t.Errorf("viewer POST /reports: %d, want 403", status)
		}
		if status, _, _ := v.post("/reports/check", seriousVoiceForm(start)); status != http.StatusForbidden {
			t.Errorf("viewer POST /reports/check: %d, want 403", status)
		}
		if status, _, _ := v.get(loc); status != http.StatusOK {
			t.Errorf("a viewer of the same carrier reads its submission: %d", status)
		}
		if status, _, _ := v.post(loc+"/release", nil); status != http.StatusForbidden {
			t.Errorf("viewer release: %d, want 403", status)
		}
		if after := rowCounts(t, dir); after["submissions"] != before["submissions"] {
			t.Error("a viewer stored a submission")
		}
	})
}

// TestConsoleReportBundle submits a pasted bundle: a refused one shows each
// violation with its pointer, an accepted one with SHOULD-level findings
// shows them as warnings with their pointers on the submission page (#17).
func TestConsoleReportBundle(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	a := signIn(t, h.base, dir, "carrier-a")
	if status, _, body := a.get("/reports/bundle?lang=en"); status != http.StatusOK || !strings.Contains(body, `name="bundle"`) {
		t.Fatalf("GET /reports/bundle: %d\n%.400s", status, body)
	}
	const indicator = `{"type":"indicator","spec_version":"2.1","id":"indicator--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
	  "created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	  "pattern_type":"stix","pattern":"[ipv4-addr:value = '198.51.100.7']","valid_from":"2026-07-10T00:00:00Z",
	  "indicator_types":["Malicious Activity"], "object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}`
	bundle := `{"type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","objects":[` + indicator + `]}`

	// Refused: a bad timestamp, with its pointer.
	bad := strings.Replace(bundle, `"created":"2026-07-10T01:10:00.000Z"`, `"created":"2026-13-10T01:10:00.000Z"`, 1)
	status, _, body := a.post("/reports/bundle", url.Values{"bundle": {bad}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "/objects/0/created") {
		t.Fatalf("refused bundle: %d\n%.800s", status, body)
	}
	status, hdr, _ := a.post("/reports/bundle", url.Values{"bundle": {bundle}})
	if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/submissions/") {
		t.Fatalf("accepted bundle: %d %s", status, hdr.Get("Location"))
	}
	status, _, body = a.get(hdr.Get("Location"))
	if status != http.StatusOK || !strings.Contains(body, `data-path="/objects/0/indicator_types/0"`) || !strings.Contains(body, "malicious-activity") {
		t.Fatalf("the submission page does not show the warning with its pointer: %d\n%.2000s", status, body)
	}
	// Another carrier's person cannot read it, warnings included.
	b := signIn(t, h.base, dir, "carrier-b")
	if status, _, body := b.get(hdr.Get("Location")); status != http.StatusNotFound || strings.Contains(body, "indicator_types") {
		t.Fatalf("carrier-b reads carrier-a's submission: %d", status)
	}
}
