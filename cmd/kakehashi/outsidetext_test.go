package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// sendOutsideText sends what a client controls and the hub records: a Basic
// username with NUL, a control character and invalid UTF-8 (audited as the
// failed credential), and a TAXII POST whose object id holds a NUL (kept in
// the status resource). PostgreSQL's text and jsonb refuse those bytes; the
// hub must record them in a form both stores keep. It returns the status id.
func sendOutsideText(t *testing.T, base, token string) string {
	t.Helper()
	req, err := http.NewRequest("GET", base+"/api/v1/submissions", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("ev\x00il\x1b\xff\xfe"+strings.Repeat("あ", 30), "pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Basic with NUL and invalid UTF-8: %d, want 401", resp.StatusCode)
	}
	writer := &taxiiClient{t: t, auth: "Bearer " + token}
	body := bytes.Replace(greenIndicators(900, 2), []byte(`"indicator--00000384`), []byte(`"indicator--\u0000bad`), 1)
	a := writer.do("POST", writer.collectionURL(base, "intake")+"objects/", body)
	if a.status != http.StatusAccepted {
		t.Fatalf("TAXII POST with a NUL in an id: %d %s", a.status, a.raw)
	}
	id, _ := a.body["id"].(string)
	if got := writer.get(base + "/taxii2/hub/status/" + id + "/"); bytes.Contains(got.raw, []byte(`\u0000`)) {
		t.Fatalf("status of that POST: %d %s", got.status, got.raw)
	}
	return id
}

// TestOutsideTextOnPostgres: on PostgreSQL the failed sign-in is answered
// 401 and audited, and the TAXII status is kept (review finding: they were
// a 500 and an unaudited failure, and a refused status).
func TestOutsideTextOnPostgres(t *testing.T) {
	pg := pgtest.URL(t)
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir, "--database", pg)
	sendOutsideText(t, h.base, readTokens(t, dir)["carrier-a"])
	h.stop(t)

	db, err := postgres.Open(context.Background(), pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	events, err := db.FindAuditEvents(context.Background(), []string{sharing.AuditAuthFailed})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range events {
		if strings.HasPrefix(ev.Subject, "ev\uFFFDil\uFFFD") {
			found = true
			if len(ev.Subject) > 64 || !strings.HasSuffix(ev.Subject, "あ") {
				t.Errorf("subject %q: want at most 64 bytes, cut between characters", ev.Subject)
			}
		}
	}
	if !found {
		t.Errorf("the failed sign-in was not audited: %+v", events)
	}
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"audit", "verify", "--data", dir, "--database", pg}, e); code != exitOK {
		t.Fatalf("audit verify: %d %s %s", code, out, errb)
	}
}
