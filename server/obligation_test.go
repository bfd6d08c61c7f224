package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

func obligationsOf(body map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	list, _ := body["obligations"].([]any)
	for _, o := range list {
		m := o.(map[string]any)
		out[m["kind"].(string)] = m
	}
	return out
}

func TestObligationsFromIntakeToOverdue(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	f.clock.Set(time.Date(2026, 7, 10, 2, 0, 0, 0, time.UTC))
	carrierA, carrierB, mic := f.token("carrier-a", "carrier"), f.token("carrier-b", "carrier"), f.token("mic", "regulator")
	bundle := readFixture(t, "outage.json")

	status, _, body := f.do("POST", "/api/v1/submissions", carrierA, "application/json", bundle)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	incs := body["incidents"].([]any)
	if len(incs) != 1 {
		t.Fatalf("incidents = %v, want one classified incident", incs)
	}
	inc := incs[0].(map[string]any)
	if inc["classification"] != "serious" || inc["organization"] != "carrier-a" || inc["provisional"] != false {
		t.Errorf("classification = %v", inc)
	}
	obls := obligationsOf(body)
	detailed := obls["mic-serious-detailed-report"]
	if detailed == nil || detailed["due"] != "2026-08-10" || detailed["due_raw"] != "2026-08-09" || detailed["status"] != "open" {
		t.Fatalf("detailed report obligation = %v", detailed)
	}
	if len(obls) != 3 || obls["mic-serious-first-report"] == nil || obls["mic-quarterly-report"]["due"] != "2026-11-30" {
		t.Errorf("obligations = %v", obls)
	}
	detailedID := detailed["id"].(string)

	// Who sees what.
	list := func(tok, query string) (int, map[string]map[string]any) {
		status, _, body := f.do("GET", "/api/v1/obligations"+query, tok, "", nil)
		return status, obligationsOf(body)
	}
	if s, o := list(carrierA, ""); s != 200 || len(o) != 3 {
		t.Errorf("carrier-a lists %d obligations (%d), want its 3", len(o), s)
	}
	if s, o := list(carrierB, ""); s != 200 || len(o) != 0 {
		t.Errorf("carrier-b lists %d obligations (%d), want none", len(o), s)
	}
	if s, _ := list(carrierB, "?organization=carrier-a"); s != http.StatusForbidden {
		t.Errorf("carrier-b asking for carrier-a's list: %d, want 403", s)
	}
	if s, o := list(mic, "?organization=carrier-a&status=open"); s != 200 || len(o) != 3 {
		t.Errorf("regulator lists %d open obligations of carrier-a (%d), want 3", len(o), s)
	}
	if s, _ := list(mic, "?status=late"); s != http.StatusBadRequest {
		t.Errorf("bad status filter: %d, want 400", s)
	}

	// The overdue sweep flips only past legal deadlines (the whole due day counts, Japan time).
	sweeper := &sharing.Obligations{Store: f.db, Now: f.clock.Now}
	f.clock.Set(time.Date(2026, 8, 10, 14, 59, 0, 0, time.UTC)) // 23:59 JST on the due day
	if n, err := sweeper.SweepOverdue(ctx); err != nil || n != 0 {
		t.Fatalf("sweep on the due day flipped %d (%v), want 0", n, err)
	}
	f.clock.Set(time.Date(2026, 8, 10, 15, 0, 0, 0, time.UTC)) // 00:00 JST the day after
	if n, err := sweeper.SweepOverdue(ctx); err != nil || n != 1 {
		t.Fatalf("sweep after the due day flipped %d (%v), want 1", n, err)
	}
	if _, o := list(carrierA, "?status=overdue"); o["mic-serious-detailed-report"] == nil {
		t.Errorf("detailed report not overdue: %v", o)
	}

	// Marking met: the owner with a reference; others do not see it.
	met := func(tok, id, body string) (int, map[string]any) {
		req := httptest.NewRequest("POST", "/api/v1/obligations/"+id+"/met", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := f.srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	if s, _ := met(carrierB, detailedID, `{"reference":"X"}`); s != http.StatusNotFound {
		t.Errorf("carrier-b marking carrier-a's obligation: %d, want 404", s)
	}
	if s, _ := met(carrierA, detailedID, `{}`); s != http.StatusBadRequest {
		t.Errorf("met without a reference: %d, want 400", s)
	}
	if s, _ := met(carrierA, "obligation--nope", `{"reference":"X"}`); s != http.StatusNotFound {
		t.Errorf("unknown obligation: %d, want 404", s)
	}
	s, o := met(carrierA, detailedID, `{"reference":"総基安第123号"}`)
	if s != 200 || o["status"] != "met" || o["met_reference"] != "総基安第123号" {
		t.Fatalf("met: %d %v", s, o)
	}
	if s, _ := met(carrierA, detailedID, `{"reference":"again"}`); s != http.StatusConflict {
		t.Errorf("met twice: %d, want 409", s)
	}

	// A follow-up version (第2報) re-classifies; the met obligation stays met and nothing is lost.
	follow := bytes.ReplaceAll(bundle, []byte(`"modified": "2026-07-10T01:10:00.000Z",
      "name": "Voice core outage in Kanto"`), []byte(`"modified": "2026-07-11T01:00:00.000Z",
      "name": "Voice core outage in Kanto"`))
	follow = bytes.Replace(follow, []byte(`"users": 30000}`), []byte(`"users": 25000}`), 1)
	status, _, body = f.do("POST", "/api/v1/submissions", carrierA, "application/json", follow)
	if status != http.StatusCreated {
		t.Fatalf("follow-up: %d %v", status, body)
	}
	after := obligationsOf(body)
	if after["mic-serious-detailed-report"]["status"] != "met" || after["mic-serious-first-report"] == nil {
		t.Errorf("after a downgrading follow-up, obligations = %v; met must stay met and none may vanish", after)
	}

	// Every step is in the audit log, and the chain holds.
	n, brk, err := f.db.VerifyAudit(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit: %v %v", brk, err)
	}
	if n < 6 { // intake+classification ×2, overdue, met
		t.Errorf("audit has %d entries", n)
	}
}

func TestRegulatorReports(t *testing.T) {
	f := newFixture(t, 0)
	f.clock.Set(time.Date(2026, 7, 10, 2, 0, 0, 0, time.UTC))
	carrierA, carrierB, mic := f.token("carrier-a", "carrier"), f.token("carrier-b", "carrier"), f.token("mic", "regulator")
	if status, _, body := f.do("POST", "/api/v1/submissions", carrierA, "application/json", readFixture(t, "outage.json")); status != 201 {
		t.Fatalf("submit: %d %v", status, body)
	}
	const inc = "incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10"
	status, _, rep := f.do("GET", "/api/v1/reports/detailed/"+inc, mic, "", nil)
	if status != 200 || rep["form"] != "施行規則様式第50の3" || rep["incident_id"] != inc {
		t.Fatalf("detailed report for the regulator: %d %v", status, rep)
	}
	if status, _, _ := f.do("GET", "/api/v1/reports/detailed/"+inc, carrierA, "", nil); status != 200 {
		t.Errorf("detailed report for the submitter: %d", status)
	}
	if status, _, _ := f.do("GET", "/api/v1/reports/detailed/"+inc, carrierB, "", nil); status != 404 {
		t.Errorf("detailed report for another carrier: %d, want 404", status)
	}
	if status, _, _ := f.do("GET", "/api/v1/reports/detailed/indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", mic, "", nil); status != 404 {
		t.Errorf("detailed report of an indicator: %d, want 404", status)
	}

	status, _, q := f.do("GET", "/api/v1/reports/quarterly?period=FY2026Q2&organization=carrier-a", mic, "", nil)
	if status != 200 || q["period"] != "FY2026Q2" || len(q["rows"].([]any)) != 1 || q["due"] != "2026-11-30" {
		t.Fatalf("quarterly file: %d %v", status, q)
	}
	if status, _, q := f.do("GET", "/api/v1/reports/quarterly?period=FY2026Q1", carrierA, "", nil); status != 200 || len(q["rows"].([]any)) != 0 {
		t.Errorf("another quarter: %d %v, want no rows", status, q)
	}
	req := httptest.NewRequest("GET", "/api/v1/reports/quarterly?period=FY2026Q2&format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+carrierA)
	resp, err := f.srv.App().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !bytes.Contains(csv, []byte(inc)) {
		t.Errorf("quarterly CSV: %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), csv)
	}
	if status, _, _ := f.do("GET", "/api/v1/reports/quarterly?period=FY2026Q2&organization=carrier-a", carrierB, "", nil); status != 403 {
		t.Errorf("another carrier's quarterly file: %d, want 403", status)
	}
	if status, _, _ := f.do("GET", "/api/v1/reports/quarterly?period=2026-Q2", mic, "", nil); status != 400 {
		t.Errorf("bad period: %d, want 400", status)
	}
}

func TestObligationPastDueAtIntakeIsOverdue(t *testing.T) {
	f := newFixture(t, 0)
	f.clock.Set(time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)) // the July outage is reported late
	status, _, body := f.do("POST", "/api/v1/submissions", f.token("carrier-a", "carrier"), "application/json", readFixture(t, "outage.json"))
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, body)
	}
	obls := obligationsOf(body)
	if obls["mic-serious-detailed-report"]["status"] != "overdue" || obls["mic-quarterly-report"]["status"] != "open" {
		t.Errorf("detailed report %v, quarterly %v: want overdue and open", obls["mic-serious-detailed-report"]["status"], obls["mic-quarterly-report"]["status"])
	}
	inc := body["incidents"].([]any)[0].(map[string]any)
	for _, o := range inc["obligations"].([]any) {
		if om := o.(map[string]any); om["kind"] == "mic-serious-detailed-report" && om["status"] != "overdue" {
			t.Errorf("the classification element disagrees: %v", om)
		}
	}
}
