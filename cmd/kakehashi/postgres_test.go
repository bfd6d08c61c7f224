package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
)

// secondHubDir makes a data directory for another hub of the same
// deployment: the first one's registry, keys and pseudonym key (so that
// tokens, signatures and TAXII next tokens are good on both) and its demo
// tokens if it has any, nothing else.
func secondHubDir(t *testing.T, first string) string {
	t.Helper()
	dir := t.TempDir()
	if err := copyHubFiles(first, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestTwoHubsOverPostgres: two hubs, each with its own data directory
// holding the same registry and keys, serve one PostgreSQL database. A
// submission on hub A is readable at once through hub B's API and TAXII, and
// a TAXII next token made by A pages on B (issue #14).
func TestTwoHubsOverPostgres(t *testing.T) {
	db := pgtest.URL(t)
	dirA := t.TempDir()
	a := startHub(t, "--demo", "--data", dirA, "--database", db)
	defer a.stop(t)
	dirB := secondHubDir(t, dirA)
	b := startHub(t, "--demo", "--data", dirB, "--database", db)
	defer b.stop(t)
	if _, err := os.Stat(filepath.Join(dirA, dbFile)); err == nil {
		t.Errorf("hub A made %s although it uses PostgreSQL", dbFile)
	}
	tokens := readTokens(t, dirA)
	// One leader: A, which started first, runs the sweep, statistics and
	// checkpoints; B waits for the lead.
	if !strings.Contains(a.stderr.String(), "now leads") || strings.Contains(b.stderr.String(), "now leads") {
		t.Errorf("want hub A alone to lead; A:\n%s\nB:\n%s", a.stderr, b.stderr)
	}

	bundle, err := os.ReadFile("testdata/outage.json")
	if err != nil {
		t.Fatal(err)
	}
	status, body := request(t, "POST", a.base+"/api/v1/submissions", tokens["carrier-a"], bundle)
	if status != http.StatusCreated {
		t.Fatalf("submit on A: %d %v", status, body)
	}
	id := body["submission_id"].(string)
	if status, got := request(t, "GET", b.base+"/api/v1/submissions/"+id, tokens["carrier-a"], nil); status != http.StatusOK {
		t.Fatalf("read on B: %d %v", status, got)
	}
	if status, _ := request(t, "GET", b.base+"/api/v1/submissions/"+id, tokens["carrier-b"], nil); status != http.StatusNotFound {
		t.Errorf("another carrier reads the submission on B: %d, want 404", status)
	}

	// TAXII: 25 indicators posted to A's intake collection, read through B.
	writer := &taxiiClient{t: t, auth: "Bearer " + tokens["carrier-a"]}
	if ans := writer.do("POST", writer.collectionURL(a.base, "intake")+"objects/", greenIndicators(0, 25)); ans.status != http.StatusAccepted || ans.body["success_count"] != 25.0 {
		t.Fatalf("TAXII POST on A: %d %.300s", ans.status, ans.raw)
	}
	// First the indicator of testdata/outage.json, submitted through A's API.
	want := []string{"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"}
	for k := range 25 {
		want = append(want, fmt.Sprintf("indicator--%08x-1111-4000-8000-%012x", k, k))
	}
	reader := &taxiiClient{t: t, auth: "Bearer " + tokens["ict-isac"]}
	colB := reader.collectionURL(b.base, "isac-members")
	if got, _ := reader.walk(colB, "limit=10&match[type]=indicator"); !slices.Equal(got, want) {
		t.Errorf("B's isac-members: %d ids %v, want the 26 in order", len(got), got)
	}
	// A next token from A, used on B, and back.
	colA := reader.collectionURL(a.base, "isac-members")
	first := reader.get(colA + "objects/?limit=10&match[type]=indicator")
	next, _ := first.body["next"].(string)
	if next == "" || first.body["more"] != true {
		t.Fatalf("first page on A has no next: %.300s", first.raw)
	}
	var got []string
	for _, o := range first.body["objects"].([]any) {
		got = append(got, o.(map[string]any)["id"].(string))
	}
	for i := 0; next != ""; i++ {
		col := colB
		if i%2 == 1 {
			col = colA
		}
		page := reader.get(col + "objects/?limit=10&match[type]=indicator&next=" + url.QueryEscape(next))
		for _, o := range page.body["objects"].([]any) {
			got = append(got, o.(map[string]any)["id"].(string))
		}
		next, _ = page.body["next"].(string)
		if page.body["more"] != true {
			next = ""
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paging from A to B with next: %d ids %v, want the 26 in order", len(got), got)
	}

	// Commands on the hub's data take --database too.
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"audit", "verify", "--data", dirB, "--database", db}, e); code != exitOK {
		t.Errorf("audit verify --database: exit %d\n%s%s", code, out, errb)
	}
	e, _, errb = testEnv("")
	e.getenv = func(k string) string {
		if k == "KAKEHASHI_DATABASE_URL" {
			return db
		}
		return ""
	}
	if code := run(context.Background(), []string{"backup", "--data", dirB, "--out", filepath.Join(t.TempDir(), "b.db")}, e); code == exitOK || !strings.Contains(errb.String(), "pg_dump") {
		t.Errorf("backup on PostgreSQL (KAKEHASHI_DATABASE_URL): exit %d, %q; want an error naming pg_dump", code, errb)
	}
}
