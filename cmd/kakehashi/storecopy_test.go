package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/store/postgres"
	"github.com/kakehashi-hub/kakehashi/store/postgres/pgtest"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
	"github.com/kakehashi-hub/kakehashi/store/transfer"
)

// sourceHub is a SQLite hub with real traffic, stopped: what `store copy`
// moves.
type sourceHub struct {
	dir         string
	submissions []string
	jti         string // a revoked token
	session     string
	event       string
	status      string // a TAXII status
	// A TAXII page read while the hub served: its next token and the
	// page that follows it.
	taxiiNext string
	taxiiPage []string
}

// makeSourceHub runs the demo hub and sends it real traffic: submissions
// held and released, held and left, a follow-up that revokes, a TAXII
// envelope (a status), an obligation marked met, an uploaded OpenPGP key, a
// user, an API key and a revoked token; then a session and a sector event
// through the store.
func makeSourceHub(t *testing.T) sourceHub {
	t.Helper()
	src := sourceHub{dir: t.TempDir()}
	h := startHub(t, "--demo", "--data", src.dir)
	tokens := readTokens(t, src.dir)
	mixed, _ := os.ReadFile("testdata/mixed.json")
	outageJSON, _ := os.ReadFile("testdata/outage.json")
	quake, _ := os.ReadFile("testdata/quake.json")
	submit := func(tok string, body []byte) string {
		t.Helper()
		status, resp := request(t, "POST", h.base+"/api/v1/submissions", tok, body)
		if status != http.StatusCreated {
			t.Fatalf("submit: %d %v", status, resp)
		}
		id := resp["submission_id"].(string)
		src.submissions = append(src.submissions, id)
		return id
	}
	held := submit(tokens["carrier-a"], []byte(`{"bundle":`+string(mixed)+`,"hold_for_review":true}`))
	if status, rel := request(t, "POST", h.base+"/api/v1/submissions/"+held+"/release", tokens["carrier-a"], nil); status != http.StatusOK {
		t.Fatalf("release: %d %v", status, rel)
	}
	submit(tokens["carrier-a"], followUpBundle(t, mixed)) // revokes the re-marked indicator
	submit(tokens["carrier-a"], []byte(`{"bundle":`+string(outageJSON)+`,"hold_for_review":true}`))
	submit(tokens["carrier-a"], quake)

	writer := &taxiiClient{t: t, auth: "Bearer " + tokens["carrier-a"]}
	a := writer.do("POST", writer.collectionURL(h.base, "intake")+"objects/", greenIndicators(0, 30))
	if a.status != http.StatusAccepted {
		t.Fatalf("TAXII POST: %d %s", a.status, a.raw)
	}
	src.status = a.body["id"].(string)
	reader := &taxiiClient{t: t, auth: "Bearer " + tokens["carrier-b"]}
	col := reader.collectionURL(h.base, "isac-members")
	first := reader.get(col + "objects/?limit=3")
	src.taxiiNext, _ = first.body["next"].(string)
	if src.taxiiNext == "" {
		t.Fatalf("isac-members has one page only: %s", first.raw)
	}
	src.taxiiPage = taxiiIDs(reader.get(col + "objects/?limit=3&next=" + src.taxiiNext))
	sendOutsideText(t, h.base, tokens["carrier-a"]) // bytes SQLite keeps and PostgreSQL refuses

	status, list := request(t, "GET", h.base+"/api/v1/obligations", tokens["carrier-a"], nil)
	obls, _ := list["obligations"].([]any)
	if status != http.StatusOK || len(obls) == 0 {
		t.Fatalf("obligations: %d %v", status, list)
	}
	oid := obls[0].(map[string]any)["id"].(string)
	if status, met := request(t, "POST", h.base+"/api/v1/obligations/"+oid+"/met", tokens["carrier-a"], []byte(`{"reference":"MIC-2026-0001"}`)); status != http.StatusOK {
		t.Fatalf("met: %d %v", status, met)
	}
	secret, _ := os.ReadFile(filepath.Join(src.dir, demoKeysDir, "carrier-a.asc"))
	sk, err := pgp.ParseSecretKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := request(t, "PUT", h.base+"/api/v1/organizations/carrier-a/pgp-key", tokens["carrier-a"], []byte(sk.Public().Armored())); status != http.StatusOK {
		t.Fatalf("upload key: %d %v", status, body)
	}
	h.stop(t)

	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("operator-password-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"user", "add", "--data", src.dir, "--org", "carrier-a", "--role", "viewer", "--password-file", pw, "a-viewer"},
		{"token", "issue", "--basic", "--org", "carrier-b", "--data", src.dir},
		{"token", "issue", "--org", "carrier-c", "--data", src.dir},
	} {
		e, _, errb := testEnv("")
		if code := run(context.Background(), args, e); code != exitOK {
			t.Fatalf("%v: %d %s", args, code, errb)
		}
		if args[1] == "issue" && args[2] == "--org" {
			src.jti = strings.Fields(errb.String())[2] // "issued token JTI for …"
		}
	}
	e, _, errb := testEnv("")
	if code := run(context.Background(), []string{"token", "revoke", "--data", src.dir, src.jti}, e); code != exitOK {
		t.Fatalf("token revoke: %d %s", code, errb)
	}

	db, err := sqlite.Open(context.Background(), filepath.Join(src.dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	src.session = "session-hash-1"
	if err := db.CreateSession(ctx, sharing.Session{ID: src.session, Username: "a-viewer", Organization: "carrier-a", CSRF: "csrf-1",
		CreatedAt: now, LastSeen: now}, sharing.AuditEvent{Actor: "a-viewer", Action: sharing.AuditSignIn, Subject: "a-viewer"}); err != nil {
		t.Fatal(err)
	}
	src.event = "event-1"
	if err := db.SaveEvent(ctx, outage.Event{ID: src.event, Status: outage.StatusOpen, OpenedAt: now, UpdatedAt: now,
		Organizations: []string{"carrier-a"}, Regions: []string{"13"}, SignalCount: 2}); err != nil {
		t.Fatal(err)
	}
	return src
}

func taxiiIDs(a taxiiAnswer) []string {
	var ids []string
	objs, _ := a.body["objects"].([]any)
	for _, o := range objs {
		ids = append(ids, o.(map[string]any)["id"].(string))
	}
	return ids
}

// TestStoreCopyToPostgres moves a SQLite hub with real traffic to
// PostgreSQL through the command: the target's audit log verifies (by the
// command and by `audit verify`), everything reads back equal through the
// store interfaces, TAXII pages are the same and a next token made by the
// SQLite hub pages on a hub serving the copy, and a second copy into the
// same database is refused. The hub serving the copy writes the data
// directory's checkpoint file from then on: the SQLite file is left behind.
func TestStoreCopyToPostgres(t *testing.T) {
	pg := pgtest.URL(t)
	src := makeSourceHub(t)
	ctx := context.Background()

	e, out, errb := testEnv("")
	if code := run(ctx, []string{"store", "copy", "--from", src.dir, "--to", pg}, e); code != exitOK {
		t.Fatalf("store copy: %d\n%s\n%s", code, out, errb)
	}
	for _, want := range []string{"source audit log intact", "target audit log intact", "records in", "channel entries", "audit checkpoints"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(errb.String(), "\r") {
		t.Errorf("progress drawn although stderr is not a terminal: %q", errb)
	}
	t.Logf("store copy:\n%s", out)
	var submissions int
	if _, err := fmt.Sscanf(out.String()[strings.Index(out.String(), "  submissions"):], "  submissions %d", &submissions); err != nil || submissions < len(src.submissions) {
		t.Fatalf("summary: %d submissions (%v)", submissions, err)
	}

	e, out, errb = testEnv("")
	if code := run(ctx, []string{"store", "copy", "--from", src.dir, "--to", pg}, e); code != exitInvalid ||
		!strings.Contains(errb.String(), fmt.Sprintf("target database already holds a hub (%d submissions", submissions)) ||
		!strings.Contains(errb.String(), "copy only into an empty database") {
		t.Errorf("second copy: %d\n%s\n%s", code, out, errb)
	}

	e, vout, verrb := testEnv("")
	if code := run(ctx, []string{"audit", "verify", "--data", src.dir, "--database", pg}, e); code != exitOK {
		t.Fatalf("audit verify on the target: %d %s %s", code, vout, verrb)
	}

	lite, err := sqlite.Open(ctx, filepath.Join(src.dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pgdb, err := postgres.Open(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer pgdb.Close()
	compareHubs(t, src, lite, pgdb)

	// The next token the SQLite hub made pages on a hub serving the copy.
	h := startHub(t, "--data", src.dir, "--database", pg)
	reader := &taxiiClient{t: t, auth: "Bearer " + readTokens(t, src.dir)["carrier-b"]}
	col := reader.collectionURL(h.base, "isac-members")
	if got := taxiiIDs(reader.get(col + "objects/?limit=3&next=" + src.taxiiNext)); !cmp.Equal(got, src.taxiiPage) {
		t.Errorf("the page after the SQLite hub's next token, on PostgreSQL: %v, want %v", got, src.taxiiPage)
	}
	// The hub carries on: new entries take ids and positions after the
	// copied ones (the identities and the TAXII clock moved on).
	writer := &taxiiClient{t: t, auth: "Bearer " + readTokens(t, src.dir)["carrier-a"]}
	if a := writer.do("POST", writer.collectionURL(h.base, "intake")+"objects/", greenIndicators(1000, 5)); a.status != http.StatusAccepted || a.body["success_count"] != 5.0 {
		t.Fatalf("TAXII POST on the copy: %d %s", a.status, a.raw)
	}
	ids, _ := reader.walk(col, "limit=7")
	if len(ids) < 5 || !cmp.Equal(ids[len(ids)-5:], []string{
		"indicator--000003e8-1111-4000-8000-0000000003e8", "indicator--000003e9-1111-4000-8000-0000000003e9",
		"indicator--000003ea-1111-4000-8000-0000000003ea", "indicator--000003eb-1111-4000-8000-0000000003eb",
		"indicator--000003ec-1111-4000-8000-0000000003ec"}) {
		t.Errorf("isac-members on the copy does not end with the indicators submitted after the move: %v", ids)
	}
	h.stop(t)

}

// equal reports a difference between what the two stores answer.
func equal[T any](t *testing.T, what string, a, b T, errA, errB error) {
	t.Helper()
	if errA != nil || errB != nil {
		t.Errorf("%s: sqlite %v, postgres %v", what, errA, errB)
		return
	}
	// PostgreSQL keeps microseconds (timestamptz); SQLite keeps the
	// nanoseconds of the times inside an obligation's JSON.
	if d := cmp.Diff(a, b, cmpopts.EquateEmpty(), cmpopts.EquateApproxTime(time.Microsecond)); d != "" {
		t.Errorf("%s differs (-sqlite +postgres):\n%s", what, d)
	}
}

// compareHubs reads everything back through the store interfaces of both.
func compareHubs(t *testing.T, src sourceHub, lite *sqlite.DB, pg *postgres.DB) {
	t.Helper()
	ctx := context.Background()
	for _, id := range src.submissions {
		a, errA := lite.FindSubmissionByID(ctx, id)
		b, errB := pg.FindSubmissionByID(ctx, id)
		equal(t, "submission "+id, a, b, errA, errB)
		ca, errA := lite.FindCopies(ctx, id)
		cb, errB := pg.FindCopies(ctx, id)
		equal(t, "copies of "+id, ca, cb, errA, errB)
		if len(ca) == 0 {
			t.Errorf("submission %s has no copies", id)
		}
	}
	ca, errA := lite.FindClassifications(ctx, "")
	cb, errB := pg.FindClassifications(ctx, "")
	equal(t, "classifications", ca, cb, errA, errB)
	oa, errA := lite.FindObligations(ctx, reporting.ObligationFilter{})
	ob, errB := pg.FindObligations(ctx, reporting.ObligationFilter{})
	equal(t, "obligations", oa, ob, errA, errB)
	met := 0
	for _, o := range oa {
		if o.Status == reporting.StatusMet {
			met++
		}
	}
	if met != 1 || len(oa) < 2 {
		t.Errorf("%d obligations, %d met; want several, one met", len(oa), met)
	}
	wa, errA := lite.FindWithheldCopies(ctx, 100)
	wb, errB := pg.FindWithheldCopies(ctx, 100)
	equal(t, "withheld copies", wa, wb, errA, errB)
	ha, errA := lite.FindHeldCopies(ctx, 100)
	hb, errB := pg.FindHeldCopies(ctx, 100)
	equal(t, "held copies", ha, hb, errA, errB)
	if len(ha) == 0 {
		t.Error("no copy held")
	}
	for _, org := range []string{"carrier-a", "carrier-b", "carrier-c", "mic", "nisc", "ict-isac", "finance-isac"} {
		ka, errA := lite.FindOrganizationKey(ctx, org)
		kb, errB := pg.FindOrganizationKey(ctx, org)
		if org != "carrier-a" && errA != nil && errB != nil {
			errA, errB = nil, nil // none uploaded, on both
		}
		equal(t, "uploaded key of "+org, ka, kb, errA, errB)
		kca, errA := lite.FindKeyChanges(ctx, org)
		kcb, errB := pg.FindKeyChanges(ctx, org)
		equal(t, "key changes of "+org, kca, kcb, errA, errB)
		aa, errA := lite.FindAPIKeys(ctx, org)
		ab, errB := pg.FindAPIKeys(ctx, org)
		equal(t, "api keys of "+org, aa, ab, errA, errB)
		for _, ch := range append(sharing.Channels, sharing.ChannelIntake) {
			compareTAXII(t, lite, pg, ch, org)
			ea, errA := lite.FindChannelEntries(ctx, sharing.ChannelFilter{Channel: ch, Reader: org})
			eb, errB := pg.FindChannelEntries(ctx, sharing.ChannelFilter{Channel: ch, Reader: org})
			equal(t, fmt.Sprintf("channel %s for %s", ch, org), ea, eb, errA, errB)
		}
	}
	ua, errA := lite.FindUsers(ctx, "")
	ub, errB := pg.FindUsers(ctx, "")
	equal(t, "users", ua, ub, errA, errB)
	if len(ua) == 0 {
		t.Error("no users")
	}
	sa, errA := lite.FindSessionByID(ctx, src.session)
	sb, errB := pg.FindSessionByID(ctx, src.session)
	equal(t, "session", sa, sb, errA, errB)
	ra, errA := lite.IsTokenRevoked(ctx, src.jti)
	rb, errB := pg.IsTokenRevoked(ctx, src.jti)
	equal(t, "revoked token", ra, rb, errA, errB)
	if !ra {
		t.Error("the revoked token is not revoked")
	}
	ta, errA := lite.FindTAXIIStatusByID(ctx, src.status)
	tb, errB := pg.FindTAXIIStatusByID(ctx, src.status)
	equal(t, "taxii status", ta, tb, errA, errB)
	va, errA := lite.FindEventByID(ctx, src.event)
	vb, errB := pg.FindEventByID(ctx, src.event)
	equal(t, "sector event", va, vb, errA, errB)
	pa, errA := lite.FindAuditPage(ctx, 0, 1000)
	pb, errB := pg.FindAuditPage(ctx, 0, 1000)
	equal(t, "audit log", pa, pb, errA, errB)
	xa, errA := lite.FindAuditCheckpoints(ctx)
	xb, errB := pg.FindAuditCheckpoints(ctx)
	equal(t, "audit checkpoints", xa, xb, errA, errB)
	if len(xa) == 0 {
		t.Error("no stored audit checkpoints")
	}
}

// compareTAXII pages a collection three entries at a time on both stores.
func compareTAXII(t *testing.T, lite *sqlite.DB, pg *postgres.DB, ch sharing.Channel, reader string) {
	t.Helper()
	q := sharing.TAXIIQuery{Collection: ch, Reader: reader, Limit: 3, WithJSON: true}
	for page := 0; ; page++ {
		a, moreA, errA := lite.FindTAXIIEntries(context.Background(), q)
		b, moreB, errB := pg.FindTAXIIEntries(context.Background(), q)
		equal(t, fmt.Sprintf("taxii %s for %s, page %d", ch, reader, page), a, b, errA, errB)
		if moreA != moreB {
			t.Errorf("taxii %s for %s, page %d: more %v on sqlite, %v on postgres", ch, reader, page, moreA, moreB)
		}
		if !moreA || len(a) == 0 || t.Failed() {
			return
		}
		last := a[len(a)-1]
		q.After = &sharing.Cursor{DateAdded: last.DateAdded, Seq: last.Seq}
	}
}

// smallHub is a stopped demo hub with one submission of carrier-a.
func smallHub(t *testing.T) (dir, submission string) {
	t.Helper()
	dir = t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	mixed, _ := os.ReadFile("testdata/mixed.json")
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", readTokens(t, dir)["carrier-a"], mixed)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, resp)
	}
	h.stop(t)
	return dir, resp["submission_id"].(string)
}

// TestStoreCopyRefusesBrokenSource: a source whose audit log does not
// verify is not copied (exit 4), whether an entry was altered or the whole
// chain rewritten with recomputed hashes (the signed checkpoints catch it);
// the target stays empty and takes a good copy afterwards.
func TestStoreCopyRefusesBrokenSource(t *testing.T) {
	for name, c := range map[string]struct {
		tamper func(t *testing.T, dir string)
		want   string
	}{
		"altered entry": {func(t *testing.T, dir string) {
			tamper(t, dir, `DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET detail = '{"forged":true}' WHERE seq = 3`)
		}, "source audit log BROKEN at entry 3"},
		"chain rewritten": {rewriteChain, "source audit log BROKEN at entry"},
	} {
		t.Run(name, func(t *testing.T) {
			pg := pgtest.URL(t)
			dir, _ := smallHub(t)
			c.tamper(t, dir)
			e, out, errb := testEnv("")
			if code := run(context.Background(), []string{"store", "copy", "--from", dir, "--to", pg}, e); code != exitBroken ||
				!strings.Contains(out.String(), c.want) || !strings.Contains(errb.String(), "nothing copied") {
				t.Fatalf("copy of a broken source: %d\n%s\n%s", code, out, errb)
			}
			db, err := postgres.Open(context.Background(), pg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			im, err := db.BeginImport(context.Background())
			if err != nil {
				t.Fatalf("the target is not left empty: %v", err)
			}
			im.Rollback(context.Background())
		})
	}
}

// TestStoreCopyLegacyCopies: copies stored before SQLite's migration 0013
// kept their bundle whole; the copy splits each into its objects, which
// PostgreSQL keeps in copy_objects, and reads back the same bundle, byte for
// byte (audit verify checks each released copy's digest).
func TestStoreCopyLegacyCopies(t *testing.T) {
	pg := pgtest.URL(t)
	dir, id := smallHub(t)
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	before, err := lite.FindCopies(ctx, id)
	lite.Close()
	if err != nil {
		t.Fatal(err)
	}
	var stmts []string
	for _, c := range before {
		if c.Bundle != nil {
			stmts = append(stmts, fmt.Sprintf(`UPDATE submission_copies SET bundle = x'%x', bundle_id = NULL, objects = NULL WHERE submission_id = '%s' AND idx = %d`,
				c.Bundle, id, c.Index))
		}
	}
	if len(stmts) < 2 {
		t.Fatalf("%d released copies, want several", len(stmts))
	}
	tamper(t, dir, stmts...)

	e, out, errb := testEnv("")
	if code := run(ctx, []string{"store", "copy", "--from", dir, "--to", pg}, e); code != exitOK {
		t.Fatalf("store copy: %d\n%s\n%s", code, out, errb)
	}
	if !strings.Contains(out.String(), "target audit log intact") {
		t.Errorf("no verification of the target:\n%s", out)
	}
	lite, err = sqlite.Open(ctx, filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	db, err := postgres.Open(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ca, errA := lite.FindCopies(ctx, id)
	cb, errB := db.FindCopies(ctx, id)
	for i := range ca {
		ca[i].Objects, ca[i].BundleID = nil, "" // the legacy rows have neither; the bundle is what counts
	}
	for _, cs := range [][]sharing.StoredCopy{cb, before} {
		for i := range cs {
			cs[i].Objects, cs[i].BundleID = nil, ""
		}
	}
	equal(t, "legacy copies", ca, cb, errA, errB)
	equal(t, "legacy copies against the originals", before, ca, nil, nil)
}

// TestStoreCopyUsage: the mistakes an operator can make get a usage error
// that says what to do, before anything is opened.
func TestStoreCopyUsage(t *testing.T) {
	hubDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hubDir, dbFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", []string{"store"}, "usage: kakehashi store copy --from DIR --to postgres://"},
		{"other subcommand", []string{"store", "move"}, "usage: kakehashi store copy"},
		{"no --from", []string{"store", "copy", "--to", "postgres://h/db"}, "usage: kakehashi store copy"},
		{"no --to", []string{"store", "copy", "--from", hubDir}, "usage: kakehashi store copy"},
		{"--to not postgres", []string{"store", "copy", "--from", hubDir, "--to", "/var/lib/other.db"}, `--to (a database address that is not a postgres:// URL; not shown) is not a PostgreSQL URL`},
		{"password hidden", []string{"store", "copy", "--from", hubDir, "--to", "mysql://u:secret@h/db"}, "is not a PostgreSQL URL"},
		{"keyword form hidden", []string{"store", "copy", "--from", hubDir, "--to", "host=/tmp password=secret"}, "is not a PostgreSQL URL"},
		{"--from not a hub", []string{"store", "copy", "--from", t.TempDir(), "--to", "postgres://h/db"}, "is not a hub's data directory: it has no kakehashi.db"},
		{"--from without keys", []string{"store", "copy", "--from", hubDir, "--to", "postgres://h/db"}, "hub-jwt-key.json, which signs the audit checkpoints, cannot be read"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, _, errb := testEnv("")
			if code := run(context.Background(), c.args, e); code != exitUsage || !strings.Contains(errb.String(), c.want) {
				t.Errorf("%v: %d %q, want 2 and %q", c.args, code, errb, c.want)
			}
			if strings.Contains(errb.String(), "secret") {
				t.Errorf("the password is shown: %s", errb)
			}
		})
	}
}

// TestRedactDatabaseURL: no form of a database address prints its password.
func TestRedactDatabaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:secret@h/db":                            "postgres://u:xxxxx@h/db",
		"postgresql://u@h/db?password=secret&sslmode=disable": "postgresql://u@h/db?password=xxxxx&sslmode=disable",
		"postgres://u@/db?host=/run&PassWord=secret":          "postgres://u@/db?PassWord=xxxxx&host=%2Frun",
		"postgres://u@h/db?sslpassword=secret":                "postgres://u@h/db?sslpassword=xxxxx",
		"host=/tmp password=secret":                           "(a database address that is not a postgres:// URL; not shown)",
		"postgres://u:secret@h:99x/db":                        "(a database address that is not a postgres:// URL; not shown)",
		"mysql://u:secret@h/db":                               "(a database address that is not a postgres:// URL; not shown)",
	} {
		if got := redactDatabaseURL(in); got != want || strings.Contains(got, "secret") {
			t.Errorf("redactDatabaseURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCopyMeter: on a terminal the meter redraws one line with the count,
// the rate and the time left, and ends it.
func TestCopyMeter(t *testing.T) {
	var b syncBuffer
	m := newCopyMeter(&b, true)
	m.update(transfer.Progress{Done: 12345, Total: 200000})
	time.Sleep(300 * time.Millisecond)
	m.stop()
	got := b.String()
	if !strings.HasPrefix(got, "\rcopied 12,345 / 200,000 records, ") || !strings.Contains(got, "/s, about ") ||
		!strings.Contains(got, " left\x1b[K") || !strings.HasSuffix(got, "\n") {
		t.Errorf("meter: %q", got)
	}
	var quiet syncBuffer
	m = newCopyMeter(&quiet, false)
	m.update(transfer.Progress{Done: 1, Total: 2})
	m.stop()
	if quiet.String() != "" {
		t.Errorf("meter off a terminal: %q", quiet.String())
	}
	for secs, want := range map[float64]string{0: "about 0 s left", 0.2: "about 1 s left", 22.1: "about 23 s left", 119: "about 119 s left", 600: "about 10 min left"} {
		if got := timeLeft(secs); got != want {
			t.Errorf("timeLeft(%v) = %q, want %q", secs, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := grouped(n); got != want {
			t.Errorf("grouped(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestStoreCopyRefusesRunningSource: a hub that keeps writing to the SQLite
// file during the copy would lose what it writes after the snapshot; the
// copy sees its audit log move on and keeps nothing (exit 1).
func TestStoreCopyRefusesRunningSource(t *testing.T) {
	pg := pgtest.URL(t)
	dir, _ := smallHub(t)
	ctx := context.Background()
	writer, err := sqlite.Open(ctx, filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() { // a hub still at work: an audited write every millisecond
		for i := 0; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			case <-time.After(time.Millisecond):
			}
			if err := writer.AppendAudit(ctx, sharing.AuditEvent{Actor: "carrier-a", Action: "token.issued", Subject: fmt.Sprint(i)}); err != nil {
				done <- err
				return
			}
		}
	}()
	e, out, errb := testEnv("")
	code := run(ctx, []string{"store", "copy", "--from", dir, "--to", pg}, e)
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code != exitInvalid || !strings.Contains(errb.String(), "is still running: its audit log moved from entry") ||
		!strings.Contains(errb.String(), "nothing copied") {
		t.Fatalf("copy of a running hub: %d\n%s\n%s", code, out, errb)
	}
	db, err := postgres.Open(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	im, err := db.BeginImport(ctx)
	if err != nil {
		t.Fatalf("the target is not left empty: %v", err)
	}
	im.Rollback(ctx)
}
