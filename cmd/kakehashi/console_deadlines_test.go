package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// timedIncident is an emergency-voice outage of org: users affected from
// occurred for dur (30,000 for an hour is a serious accident; 29,999 for
// three hours a quarterly one), classified by intake like any submission.
func timedIncident(org, name string, occurred time.Time, dur time.Duration, users int) map[string]any {
	const ts = "2006-01-02T15:04:05.000Z"
	modified := occurred.Add(dur + 10*time.Minute).UTC()
	if now := time.Now().UTC(); modified.After(now) {
		modified = now.Add(-time.Second)
	}
	return map[string]any{
		"type": "incident", "spec_version": "2.1", "id": "incident--" + uuid.NewString(),
		"created": modified.Format(ts), "modified": modified.Format(ts),
		"name": name, "created_by_ref": demoIdentity[org],
		"object_marking_refs": []any{stix.MarkingAmber},
		"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{
			"extension_type": "property-extension", "report_kind": "service-outage",
			"occurred_at": occurred.UTC().Format(ts), "recovered_at": occurred.Add(dur).UTC().Format(ts), "failed_equipment": "core",
			"services": []any{map[string]any{"service_class": "emergency-voice", "impact": "stop", "affected_users": users}},
		}},
	}
}

// submitIncident submits one incident through the API and returns its id.
func submitIncident(t *testing.T, base, tok string, inc map[string]any) string {
	t.Helper()
	status, body := post(t, base, tok, bundleOf(inc))
	if status != http.StatusCreated {
		t.Fatalf("submit %s: %d %v", inc["name"], status, body)
	}
	return inc["id"].(string)
}

// apiObligation is an obligation as GET /api/v1/obligations lists it.
type apiObligation struct {
	ID           string  `json:"id"`
	IncidentID   string  `json:"incident_id"`
	Organization string  `json:"organization"`
	Kind         string  `json:"kind"`
	Due          *string `json:"due"`
	Status       string  `json:"status"`
	MetReference string  `json:"met_reference"`
}

func apiObligations(t *testing.T, base, tok string) []apiObligation {
	t.Helper()
	status, raw := get(t, base+"/api/v1/obligations", tok)
	if status != 200 {
		t.Fatalf("API obligations: %d %s", status, raw)
	}
	var out struct {
		Obligations []apiObligation `json:"obligations"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out.Obligations
}

func obligationOf(t *testing.T, list []apiObligation, incident, kind string) apiObligation {
	t.Helper()
	for _, o := range list {
		if o.IncidentID == incident && o.Kind == kind {
			return o
		}
	}
	t.Fatalf("no %s obligation of %s in %+v", kind, incident, list)
	return apiObligation{}
}

// boardRow is one obligation element of /obligations.
type boardRow struct{ ID, Kind, Due, Status, Organization string }

var boardRowPattern = regexp.MustCompile(`data-id="([^"]*)" data-kind="([^"]*)" data-due="([^"]*)" data-status="([^"]*)" data-organization="([^"]*)"`)

func boardRows(body string) []boardRow {
	var out []boardRow
	for _, m := range boardRowPattern.FindAllStringSubmatch(body, -1) {
		out = append(out, boardRow{ID: m[1], Kind: m[2], Due: m[3], Status: m[4], Organization: m[5]})
	}
	return out
}

func TestConsoleDeadlines(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	now := time.Now()

	// carrier-a: a serious accident of January 2025 (every dated deadline
	// long past) and one of today; carrier-b: a serious accident of today
	// and a quarterly one (29,999 users for 3 h).
	oldA := submitIncident(t, h.base, tokens["carrier-a"], timedIncident("carrier-a", "Sakura old outage", time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC), time.Hour, 30000))
	newA := submitIncident(t, h.base, tokens["carrier-a"], timedIncident("carrier-a", "Sakura new outage", now.Add(-3*time.Hour), time.Hour, 30000))
	seriousB := submitIncident(t, h.base, tokens["carrier-b"], timedIncident("carrier-b", "Kaede secret outage", now.Add(-4*time.Hour), time.Hour, 30000))
	quarterlyB := submitIncident(t, h.base, tokens["carrier-b"], timedIncident("carrier-b", "Kaede long outage", now.Add(-5*time.Hour), 3*time.Hour, 29999))
	oblA := apiObligations(t, h.base, tokens["carrier-a"])
	oblB := apiObligations(t, h.base, tokens["carrier-b"])

	t.Run("signed out", func(t *testing.T) {
		anon := newBrowser(t, h.base)
		for _, p := range []string{"/obligations", "/obligations/quarterly?period=FY2024Q4", "/obligations/detailed/" + oldA} {
			if status, hdr, _ := anon.get(p); status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/login") {
				t.Errorf("GET %s signed out: %d %s", p, status, hdr.Get("Location"))
			}
		}
	})

	a := signIn(t, h.base, dir, "carrier-a")
	t.Run("a carrier sees its own, newest first, with countdowns", func(t *testing.T) {
		status, _, body := a.get("/obligations?lang=en")
		if status != 200 {
			t.Fatalf("GET /obligations: %d\n%.800s", status, body)
		}
		rows := boardRows(body)
		if len(rows) != len(oblA) || len(rows) == 0 {
			t.Fatalf("carrier-a sees %d obligations, the API lists %d:\n%+v", len(rows), len(oblA), rows)
		}
		for _, r := range rows {
			if r.Organization != "carrier-a" {
				t.Errorf("carrier-a's board shows %+v", r)
			}
		}
		for _, leak := range []string{"Kaede", "carrier-b", seriousB, quarterlyB, oblB[0].ID} {
			if strings.Contains(body, leak) {
				t.Errorf("carrier-a's board contains %q", leak)
			}
		}
		// Newest first: today's incident before January 2025's.
		first := obligationOf(t, oblA, newA, "mic-serious-first-report").ID
		old := obligationOf(t, oblA, oldA, "mic-serious-first-report").ID
		if strings.Index(body, `data-id="`+first+`"`) > strings.Index(body, `data-id="`+old+`"`) {
			t.Error("the older incident's obligations come first")
		}
		// January 2025's detailed report is overdue (shown so even before the
		// sweep records it); today's has 29–30 days left.
		detOld := obligationOf(t, oblA, oldA, "mic-serious-detailed-report")
		detNew := obligationOf(t, oblA, newA, "mic-serious-detailed-report")
		for _, r := range rows {
			switch r.ID {
			case detOld.ID:
				if r.Status != "overdue" || r.Due != *detOld.Due {
					t.Errorf("old detailed report: %+v, want overdue due %s", r, *detOld.Due)
				}
			case detNew.ID:
				if r.Status != "open" || r.Due != *detNew.Due {
					t.Errorf("new detailed report: %+v", r)
				}
			}
		}
		if !regexp.MustCompile(`\d+ days overdue`).MatchString(body) || !regexp.MustCompile(`\d+ days left`).MatchString(body) {
			t.Error("no countdown ('N days left' / 'N days overdue') on the board")
		}
		if !strings.Contains(body, "様式第50の3") || !strings.Contains(body, "重大な事故") {
			t.Error("statutory terms are not in Japanese on the English page")
		}
		// Asking for another carrier's list is refused.
		if status, _, _ := a.get("/obligations?organization=carrier-b"); status != http.StatusForbidden {
			t.Errorf("carrier-a asking for carrier-b's obligations: %d, want 403", status)
		}
	})

	t.Run("mark met: another carrier's obligation is not found, nothing changes", func(t *testing.T) {
		target := obligationOf(t, oblB, seriousB, "mic-serious-first-report")
		a.get("/obligations")
		status, _, body := a.post("/obligations/"+target.ID+"/met", url.Values{"reference": {"FORGED-1"}})
		if status != http.StatusNotFound || strings.Contains(body, "Kaede") {
			t.Fatalf("carrier-a marking carrier-b's obligation met: %d\n%.400s", status, body)
		}
		// The same answer as an id that does not exist at all.
		status2, _, _ := a.post("/obligations/obligation--00000000000000000000000000000000/met", url.Values{"reference": {"FORGED-1"}})
		if status2 != status {
			t.Errorf("unknown id answers %d, another carrier's %d", status2, status)
		}
		after := obligationOf(t, apiObligations(t, h.base, tokens["carrier-b"]), seriousB, "mic-serious-first-report")
		if after.Status != "open" || after.MetReference != "" {
			t.Fatalf("carrier-b's obligation changed: %+v", after)
		}
	})

	t.Run("mark met: errors by the field, then the reference and the person recorded", func(t *testing.T) {
		target := obligationOf(t, oblA, newA, "mic-serious-first-report")
		a.get("/obligations?lang=en")
		status, _, body := a.post("/obligations/"+target.ID+"/met", url.Values{"reference": {"   "}, "back": {"status=open"}})
		if status != http.StatusBadRequest {
			t.Fatalf("empty reference: %d\n%.400s", status, body)
		}
		field := regexp.MustCompile(`id="ref-` + regexp.QuoteMeta(target.ID) + `"[^>]*aria-invalid="true" aria-describedby="err-` + regexp.QuoteMeta(target.ID) + `"`)
		if !field.MatchString(body) || !strings.Contains(body, `id="err-`+target.ID+`"`) || !strings.Contains(body, "Enter the reference of the filed report") {
			t.Fatalf("the error is not next to the field:\n%s", body)
		}
		if !strings.Contains(body, `href="/obligations?lang=ja"`) {
			t.Error("the language switch of the re-rendered board does not lead back to /obligations")
		}
		status, hdr, _ := a.post("/obligations/"+target.ID+"/met", url.Values{"reference": {"MIC-2026-0042"}, "back": {"status=open&evil=1"}})
		if status != http.StatusSeeOther || hdr.Get("Location") != "/obligations?done=met&status=open" {
			t.Fatalf("mark met: %d %s", status, hdr.Get("Location"))
		}
		got := obligationOf(t, apiObligations(t, h.base, tokens["carrier-a"]), newA, "mic-serious-first-report")
		if got.Status != "met" || got.MetReference != "MIC-2026-0042" {
			t.Fatalf("after mark met the API shows %+v", got)
		}
		_, _, body = a.get("/obligations")
		if !strings.Contains(body, "MIC-2026-0042") {
			t.Error("the board does not show the reference")
		}
		// Twice is a conflict shown by the field.
		if status, _, _ := a.post("/obligations/"+target.ID+"/met", url.Values{"reference": {"MIC-2026-0043"}}); status != http.StatusConflict {
			t.Errorf("met twice: %d, want 409", status)
		}
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, dbFile)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var actor, detail string
		if err := db.QueryRow(`SELECT actor, detail FROM audit_log WHERE action = 'obligation.met' AND subject = ?`, target.ID).Scan(&actor, &detail); err != nil {
			t.Fatalf("audit of mark met: %v", err)
		}
		if actor != "carrier-a/demo-carrier-a" || !strings.Contains(detail, "MIC-2026-0042") {
			t.Errorf("audit: actor %q detail %s", actor, detail)
		}
	})

	mic := signIn(t, h.base, dir, "mic")
	t.Run("the regulator sees every carrier, overdue first, and filters", func(t *testing.T) {
		status, _, body := mic.get("/obligations")
		if status != 200 {
			t.Fatalf("regulator board: %d", status)
		}
		rows := boardRows(body)
		orgs := map[string]bool{}
		seenOther := false
		for _, r := range rows {
			orgs[r.Organization] = true
			if r.Status != "overdue" {
				seenOther = true
			} else if seenOther {
				t.Errorf("overdue %+v after a non-overdue row", r)
			}
		}
		if !orgs["carrier-a"] || !orgs["carrier-b"] || len(rows) != len(oblA)+len(oblB) {
			t.Fatalf("regulator sees %d rows of %v, want %d of carrier-a and carrier-b", len(rows), orgs, len(oblA)+len(oblB))
		}
		if len(rows) == 0 || rows[0].Status != "overdue" {
			t.Fatalf("first row %+v is not overdue", rows[0])
		}
		check := func(query string, want func(boardRow) bool, wantN int) {
			t.Helper()
			status, _, body := mic.get("/obligations?" + query)
			if status != 200 {
				t.Fatalf("filter %s: %d", query, status)
			}
			rows := boardRows(body)
			if len(rows) != wantN {
				t.Errorf("filter %s: %d rows, want %d: %+v", query, len(rows), wantN, rows)
			}
			for _, r := range rows {
				if !want(r) {
					t.Errorf("filter %s shows %+v", query, r)
				}
			}
		}
		count := func(list []apiObligation, keep func(apiObligation) bool) int {
			n := 0
			for _, o := range list {
				if keep(o) {
					n++
				}
			}
			return n
		}
		check("organization=carrier-b", func(r boardRow) bool { return r.Organization == "carrier-b" }, len(oblB))
		check("status=overdue", func(r boardRow) bool { return r.Status == "overdue" && r.Organization == "carrier-a" },
			count(oblA, func(o apiObligation) bool { return o.IncidentID == oldA && o.Due != nil }))
		check("status=met", func(r boardRow) bool { return r.Status == "met" }, 1)
		// class: carrier-b's quarterly accident only.
		check("class=quarterly", func(r boardRow) bool { return r.Organization == "carrier-b" },
			count(oblB, func(o apiObligation) bool { return o.IncidentID == quarterlyB }))
		// period: January 2025 is FY2024Q4; only carrier-a's old accident.
		check("period=FY2024Q4", func(r boardRow) bool { return r.Organization == "carrier-a" },
			count(oblA, func(o apiObligation) bool { return o.IncidentID == oldA }))
		check("period=FY2024Q4&organization=carrier-b", func(boardRow) bool { return false }, 0)
		for _, bad := range []string{"class=bogus", "period=2025", "status=late"} {
			if status, _, _ := mic.get("/obligations?" + bad); status != http.StatusBadRequest {
				t.Errorf("filter %s: %d, want 400", bad, status)
			}
		}
	})

	t.Run("a viewer may not mark met", func(t *testing.T) {
		target := obligationOf(t, oblA, oldA, "mic-serious-detailed-report")
		_, _, body := mic.get("/obligations")
		if strings.Contains(body, `action="/obligations/`+target.ID+`/met"`) {
			t.Error("the viewer is offered the met form")
		}
		status, _, _ := mic.post("/obligations/"+target.ID+"/met", url.Values{"reference": {"MIC-VIEW"}})
		if status != http.StatusForbidden {
			t.Fatalf("viewer marking met: %d, want 403", status)
		}
		if got := obligationOf(t, apiObligations(t, h.base, tokens["carrier-a"]), oldA, "mic-serious-detailed-report"); got.MetReference != "" {
			t.Fatalf("the viewer's attempt changed %+v", got)
		}
	})

	t.Run("downloads match the API", func(t *testing.T) {
		// 様式第50の3: JSON equal to the API's, CSV with the same values.
		_, apiRaw := get(t, h.base+"/api/v1/reports/detailed/"+newA, tokens["carrier-a"])
		status, hdr, body := a.get("/obligations/detailed/" + newA + "?format=json")
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
			t.Fatalf("detailed JSON: %d %s", status, hdr.Get("Content-Type"))
		}
		var fromAPI, fromConsole map[string]any
		if err := json.Unmarshal(apiRaw, &fromAPI); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(body), &fromConsole); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromAPI, fromConsole) {
			t.Errorf("detailed JSON differs from the API's:\n%s\n%s", apiRaw, body)
		}
		status, hdr, body = a.get("/obligations/detailed/" + newA + "?format=csv")
		if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
			t.Fatalf("detailed CSV: %d %s", status, hdr.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("detailed CSV does not parse: %v", err)
		}
		values := map[string]string{}
		for _, r := range recs[1:] {
			values[r[0]] = r[2]
		}
		occurred := fromAPI["occurred_at"].(map[string]any)["value"]
		if values["occurred_at"] != occurred || values["incident_id"] != newA || values["form"] != fromAPI["form"] || values["due"] != fromAPI["due"] {
			t.Errorf("detailed CSV values %v differ from the API's %v", values, fromAPI)
		}
		status, _, body = a.get("/obligations/detailed/" + newA)
		jstOccurred := ""
		if ts, err := stix.ParseTimestamp(occurred.(string)); err == nil {
			jstOccurred = ts.In(time.FixedZone("JST", 9*3600)).Format("2006-01-02 15:04:05") + " JST"
		}
		if status != 200 || jstOccurred == "" || !strings.Contains(body, jstOccurred) || !strings.Contains(body, "様式第50の3") || !strings.Contains(body, "発生日時") || !strings.Contains(body, "/assets/obligations.css") {
			t.Errorf("printable detailed page: %d\n%.600s", status, body)
		}
		// Another carrier's accident does not exist for carrier-a.
		b := signIn(t, h.base, dir, "carrier-b")
		if status, _, body := b.get("/obligations/detailed/" + newA + "?format=json"); status != http.StatusNotFound || strings.Contains(body, "Sakura") {
			t.Errorf("carrier-b reading carrier-a's detailed report: %d", status)
		}

		// 様式第27: JSON and CSV equal to the API's.
		period := "FY2024Q4"
		_, apiJSON := get(t, h.base+"/api/v1/reports/quarterly?period="+period, tokens["carrier-a"])
		_, _, body = a.get("/obligations/quarterly?period=" + period + "&format=json")
		var qa, qc map[string]any
		if err := json.Unmarshal(apiJSON, &qa); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(body), &qc); err != nil {
			t.Fatalf("quarterly JSON: %v\n%s", err, body)
		}
		if !reflect.DeepEqual(qa, qc) || len(qa["rows"].([]any)) != 1 {
			t.Errorf("quarterly JSON differs from the API's or lacks the accident:\n%s\n%s", apiJSON, body)
		}
		_, apiCSV := get(t, h.base+"/api/v1/reports/quarterly?period="+period+"&format=csv", tokens["carrier-a"])
		_, _, body = a.get("/obligations/quarterly?period=" + period + "&format=csv")
		if body != string(apiCSV) {
			t.Errorf("quarterly CSV differs from the API's:\n%s\n%s", apiCSV, body)
		}
		if recs, err := csv.NewReader(strings.NewReader(body)).ReadAll(); err != nil || len(recs) != 2 || recs[1][0] != oldA {
			t.Errorf("quarterly CSV: %v %v", recs, err)
		}
		status, _, body = a.get("/obligations/quarterly?period=" + period)
		if status != 200 || !strings.Contains(body, "様式第27") || !strings.Contains(body, oldA) {
			t.Errorf("printable quarterly page: %d\n%.600s", status, body)
		}
		if status, _, _ := a.get("/obligations/quarterly?period=" + period + "&organization=carrier-b"); status != http.StatusForbidden {
			t.Errorf("carrier-a reading carrier-b's quarterly file: %d, want 403", status)
		}
		if status, _, _ := a.get("/obligations/quarterly?period=2025"); status != http.StatusBadRequest {
			t.Errorf("bad period: %d, want 400", status)
		}
		// An organization without obligations (the ISAC) reads none of it.
		isac := signIn(t, h.base, dir, "ict-isac")
		for path, want := range map[string]int{
			"/obligations": http.StatusForbidden,
			"/obligations/detailed/" + newA + "?format=json":                      http.StatusNotFound,
			"/obligations/quarterly?period=" + period + "&organization=carrier-a": http.StatusForbidden,
		} {
			if status, _, body := isac.get(path); status != want || strings.Contains(body, "Sakura") || strings.Contains(body, newA+`"`) {
				t.Errorf("ict-isac GET %s: %d, want %d", path, status, want)
			}
		}
		// The regulator reads any carrier's file.
		_, _, body = mic.get("/obligations/quarterly?period=" + period + "&organization=carrier-a&format=csv")
		if body != string(apiCSV) {
			t.Errorf("the regulator's quarterly CSV of carrier-a differs:\n%s", body)
		}
	})
}
