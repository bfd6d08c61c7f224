package main

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

// TestConsoleStatistics: /statistics shows, to anyone, the quarterly
// figures the public channel carries — small counts as "<3", never the
// real number — and /statistics.csv the same figures.
func TestConsoleStatistics(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	tokens := readTokens(t, dir)
	occurred := time.Now().Add(-6 * time.Hour)
	period := reporting.PeriodOf(occurred, 3).String()
	// Two serious accidents (one reported as a cyber attack) and three
	// quarterly ones: serious "<3", quarterly 3, cyber-attack "<3",
	// service-outage 4, 5 in all.
	serious := []map[string]any{
		timedIncident("carrier-a", "Sakura outage", occurred, time.Hour, 30000),
		timedIncident("carrier-b", "Kaede outage", occurred, time.Hour, 30000),
	}
	ext := serious[1]["extensions"].(map[string]any)
	for _, v := range ext {
		v.(map[string]any)["report_kind"] = "cyber-attack"
		v.(map[string]any)["cyber"] = map[string]any{"attack_type": "ddos"}
	}
	for _, inc := range serious {
		org := "carrier-a"
		if inc["name"] == "Kaede outage" {
			org = "carrier-b"
		}
		submitIncident(t, h.base, tokens[org], inc)
	}
	for _, org := range []string{"carrier-a", "carrier-b", "carrier-c"} {
		submitIncident(t, h.base, tokens[org], timedIncident(org, "quarterly "+org, occurred, 3*time.Hour, 29999))
	}
	// serve publishes the statistics before it takes requests.
	h.stop(t)
	h = startHub(t, "--demo", "--data", dir)
	defer h.stop(t)

	anon := newBrowser(t, h.base)
	status, hdr, page := anon.get("/statistics?lang=en")
	if status != 200 {
		t.Fatalf("GET /statistics signed out: %d %s\n%.400s", status, hdr.Get("Location"), page)
	}
	section := regexp.MustCompile(`(?s)<section class="stat-period" data-period="` + period + `".*?</section>`).FindString(page)
	if section == "" {
		t.Fatalf("no section for %s:\n%s", period, page)
	}
	for _, want := range []string{`<svg class="chart"`, `role="img"`, `<title id="chart-`, `<desc id="chart-`, `<caption>`} {
		if !strings.Contains(section, want) {
			t.Errorf("the %s section lacks %s", period, want)
		}
	}
	cell := func(category string) string {
		m := regexp.MustCompile(`<tr data-category="` + category + `"><th scope="row">[^<]*</th><td>([^<]*)</td></tr>`).FindStringSubmatch(section)
		if m == nil {
			t.Fatalf("no table row for %s", category)
		}
		return m[1]
	}
	for category, want := range map[string]string{"serious": "&lt;3", "quarterly": "3", "cyber-attack": "&lt;3", "service-outage": "4", "exempt": "0"} {
		if got := cell(category); got != want {
			t.Errorf("%s: table shows %q, want %q", category, got, want)
		}
	}
	if !strings.Contains(section, `<strong class="stat-total">5</strong>`) {
		t.Error("the total is not 5")
	}
	// No real small number anywhere: not in a table cell, a chart's text,
	// a bar's data or its tooltip.
	for _, re := range []string{`<td>([^<]*)</td>`, `<text [^>]*>([^<]*)</text>`, `data-value="([^"]*)"`, `<title>[^<:]*: ([^<]*)</title>`, `<strong class="stat-total">([^<]*)</strong>`} {
		for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(page, -1) {
			if v := strings.TrimSpace(m[1]); v == "1" || v == "2" {
				t.Errorf("a real small count %q appears in the page (%s)", v, m[0])
			}
		}
	}
	if !strings.Contains(section, `data-category="serious" data-value="&lt;3"`) {
		t.Error("the serious bar is not drawn as <3")
	}

	// The CSV holds the same figures, "<3" as published, nothing else.
	status, hdr, body := anon.get("/statistics.csv")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET /statistics.csv: %d %s", status, hdr.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("statistics CSV does not parse: %v", err)
	}
	if strings.Join(recs[0], ",") != "period,dimension,category,count" {
		t.Fatalf("header %v", recs[0])
	}
	fromCSV := map[string]string{}
	for _, r := range recs[1:] {
		if r[3] == "1" || r[3] == "2" {
			t.Errorf("CSV shows a real small count: %v", r)
		}
		if r[0] == period {
			fromCSV[r[1]+"/"+r[2]] = r[3]
		}
	}
	// ... and they are the public channel's, as anyone can export them.
	status, raw := get(t, h.base+"/api/v1/exports/public", "")
	if status != 200 {
		t.Fatalf("public export: %d", status)
	}
	var bundle struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		t.Fatal(err)
	}
	var published map[string]any
	for _, o := range bundle.Objects {
		if st, ok := o["x_kakehashi_statistics"].(map[string]any); ok && st["period"] == period {
			published = st
		}
	}
	if published == nil {
		t.Fatalf("the public export has no statistics of %s", period)
	}
	want := map[string]string{"total/incidents": published["incidents"].(string)}
	for k, v := range published["by_classification"].(map[string]any) {
		want["classification/"+k] = v.(string)
	}
	for k, v := range published["by_report_kind"].(map[string]any) {
		want["report_kind/"+k] = v.(string)
	}
	if len(want) != len(fromCSV) {
		t.Errorf("CSV has %d figures of %s, the public export %d", len(fromCSV), period, len(want))
	}
	for k, v := range want {
		if fromCSV[k] != v {
			t.Errorf("CSV %s = %q, the public export says %q", k, fromCSV[k], v)
		}
	}
	if fromCSV["classification/serious"] != "<3" || fromCSV["classification/quarterly"] != "3" {
		t.Errorf("CSV figures %v", fromCSV)
	}

	// Nothing on the page names a carrier or an accident.
	for _, leak := range []string{"Sakura", "Kaede", "carrier-", "incident--"} {
		if strings.Contains(page, leak) || strings.Contains(body, leak) {
			t.Errorf("the public statistics contain %q", leak)
		}
	}
	// Signed in it is the same page, in the console's frame.
	a := signIn(t, h.base, dir, "carrier-a")
	if status, _, page := a.get("/statistics"); status != 200 || !strings.Contains(page, `data-period="`+period+`"`) || !strings.Contains(page, `aria-current="page"`) {
		t.Errorf("signed in: %d", status)
	}
	// Japanese by default: statutory class names as the regulation writes them.
	if _, _, page := newBrowser(t, h.base).get("/statistics"); !strings.Contains(page, `<html lang="ja">`) || !strings.Contains(page, "重大な事故") {
		t.Error("the Japanese page lacks 重大な事故")
	}
}
