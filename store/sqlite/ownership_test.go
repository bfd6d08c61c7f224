package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// openAt creates a database with only the migrations up to and including
// version last applied, as a hub of that version left it.
func openAt(t *testing.T, last int) (*sql.DB, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite3", "file:"+p+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(migrations, "migration/*.sql")
	sort.Strings(files)
	for _, f := range files {
		var version int
		if _, err := fmt.Sscanf(path.Base(f), "%04d_", &version); err != nil || version > last {
			continue // numbers may have gaps: a branch adds its migration after one merged elsewhere
		}
		body, _ := migrations.ReadFile(f)
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00.000000Z')`, version, f); err != nil {
			t.Fatal(err)
		}
	}
	return raw, p
}

// TestOwnershipMigration upgrades a database written before ownership: the
// first submitter of an id becomes its owner, a later version by another
// organization stays in that organization's namespace, and RED entries
// stored without their named recipients get them back.
func TestOwnershipMigration(t *testing.T) {
	raw, p := openAt(t, 6)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const inc = "incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
	const sco = "email-addr--2d77a846-6264-5d51-b586-e43822ea1ea3"
	exec(`INSERT INTO submissions(id, organization, received_at, bundle_id, digest, share_with) VALUES
		('s1', 'carrier-a', '2026-07-10T01:00:00.000000Z', '', 'd1', '["carrier-b","carrier-c","ict-isac"]'),
		('s2', 'carrier-b', '2026-07-11T01:00:00.000000Z', '', 'd2', '[]')`)
	exec(`INSERT INTO objects(id, version, type, spec_version, organization, submission_id, date_added, digest, json, version_key) VALUES
		(?, '2026-07-10T01:00:00.000Z', 'incident', '2.1', 'carrier-a', 's1', '2026-07-10T01:00:00.000000Z', 'a', '{"name":"the owner''s"}', '2026-07-10T01:00:00.000000000Z'),
		(?, '2026-07-11T01:00:00.000Z', 'incident', '2.1', 'carrier-b', 's2', '2026-07-11T01:00:00.000000Z', 'b', '{"name":"the attacker''s"}', '2026-07-11T01:00:00.000000000Z'),
		(?, '', 'email-addr', '2.1', 'carrier-a', 's1', '2026-07-10T01:00:00.000000Z', 'c', '{}', '')`, inc, inc, sco)
	// carrier-b had submitted the same SCO, which was only linked then; and a
	// UUIDv5 indicator of carrier-a's.
	const v5 = "indicator--2d77a846-6264-5d51-b586-e43822ea1ea3"
	exec(`INSERT INTO objects(id, version, type, spec_version, organization, submission_id, date_added, digest, json, version_key) VALUES
		(?, '2026-07-10T01:00:00.000Z', 'indicator', '2.1', 'carrier-a', 's1', '2026-07-10T01:00:00.000000Z', 'd', '{}', '2026-07-10T01:00:00.000000000Z')`, v5)
	exec(`INSERT INTO submission_objects(submission_id, seq, object_id, type, version, new) VALUES ('s2', 0, ?, 'email-addr', '', 0)`, sco)
	entry := func(seq int, channel, marking string) {
		exec(`INSERT INTO channel_entries(seq, channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json)
			VALUES (?, ?, 'indicator--x', 'v', 'v', 's1', 'carrier-a', NULL, 'released', '2026-07-10T01:00:00.000000Z', ?)`,
			seq, channel, `{"object_marking_refs":["`+marking+`"]}`)
	}
	entry(1, "isac-members", stix.MarkingRed)
	entry(2, "isac-internal", stix.MarkingAmberStrict) // the policy gives AMBER+STRICT to the whole ISAC
	entry(3, "isac-members", stix.MarkingGreen)
	entry(4, "nisc", stix.MarkingAmberStrict)
	entry(5, "accident-reports", stix.MarkingRed) // statutory: the regulator's whole audience
	raw.Close()

	db, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	owners, err := db.FindObjectOwners(ctx, []string{inc, sco, v5})
	if err != nil || len(owners) != 2 || owners[inc] != "carrier-a" || owners[v5] != "carrier-a" {
		t.Errorf("owners = %v, %v; want the incident and the UUIDv5 indicator claimed by carrier-a and the SCO unclaimed", owners, err)
	}
	if o, err := db.FindObjectVersion(ctx, "carrier-b", sharing.ObjectKey{ID: sco}); err != nil || o.SubmissionID != "s2" {
		t.Errorf("carrier-b's linked SCO after the migration: %+v, %v; want its own copy", o, err)
	}
	latest, err := db.FindLatestObject(ctx, "carrier-a", inc)
	if err != nil || string(latest.JSON) != `{"name":"the owner's"}` {
		t.Errorf("carrier-a's latest = %v, %v; want its own version", latest, err)
	}
	rows, err := db.read.Query(`SELECT seq, coalesce(recipients, 'NULL') FROM channel_entries ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := map[int]string{1: `["carrier-b","carrier-c","ict-isac"]`, 2: "NULL", 3: "NULL", 4: `["carrier-b","carrier-c","ict-isac"]`, 5: "NULL"}
	for rows.Next() {
		var seq int
		var rec string
		if err := rows.Scan(&seq, &rec); err != nil {
			t.Fatal(err)
		}
		if rec != want[seq] {
			t.Errorf("entry %d recipients = %s, want %s", seq, rec, want[seq])
		}
	}
}

func TestClaimsAreExclusive(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	sub := func(id, org string, claims ...string) error {
		return db.CreateSubmission(ctx, &sharing.IntakeRecord{Submission: &sharing.Submission{ID: id, Organization: org, ReceivedAt: time.Now(), Digest: "d-" + id}, Claims: claims,
			Audit: []sharing.AuditEvent{{Actor: org, Action: sharing.AuditIntake}}})
	}
	if err := sub("s1", "carrier-a", "incident--x"); err != nil {
		t.Fatal(err)
	}
	audit, _ := db.CountRows(ctx, "audit_log")
	if err := sub("s2", "carrier-b", "incident--y", "incident--x"); !errors.Is(err, sharing.ErrConflict) {
		t.Fatalf("claiming carrier-a's id: %v, want ErrConflict", err)
	}
	if n, _ := db.CountRows(ctx, "submissions"); n != 1 {
		t.Errorf("%d submissions after the refused claim, want 1", n)
	}
	if after, _ := db.CountRows(ctx, "audit_log"); after != audit {
		t.Errorf("the refused claim wrote %d audit entries", after-audit)
	}
	owners, _ := db.FindObjectOwners(ctx, []string{"incident--x", "incident--y"})
	if len(owners) != 1 || owners["incident--x"] != "carrier-a" {
		t.Errorf("owners = %v", owners)
	}
}

// TestUnreadableObligationSkipped: one obligation row that cannot be decoded
// (a due date in year 10000, as an older version could store) is left out of
// every list and counted; the list still answers.
func TestUnreadableObligationSkipped(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	good := reporting.Obligation{ID: "o1", IncidentID: "incident--x", Organization: "carrier-a", Kind: reporting.KindSeriousFirstReport, Status: reporting.StatusOpen,
		CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := db.CreateObligations(ctx, []reporting.Obligation{good}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`INSERT INTO obligations(id, incident_id, organization, kind, status, due, created_at, updated_at, json)
		VALUES ('o2', 'incident--y', 'carrier-a', 'mic-quarterly-report', 'open', '10000-01-03', '', '', '{"id":"o2","due":"10000-01-03"}')`); err != nil {
		t.Fatal(err)
	}
	for _, f := range []reporting.ObligationFilter{{}, {Organization: &good.Organization}} {
		got, err := db.FindObligations(ctx, f)
		if err != nil || len(got) != 1 || got[0].ID != "o1" {
			t.Errorf("FindObligations(%+v) = %v, %v; want o1 alone", f, got, err)
		}
	}
	if n := db.SkippedRows(); n != 2 {
		t.Errorf("SkippedRows = %d, want 2 (one per list)", n)
	}
}

// TestUnreadableEntrySkipped: a channel entry whose recipients cannot be
// read is served to nobody, and the channel still answers.
func TestUnreadableEntrySkipped(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	rec := &sharing.IntakeRecord{Submission: &sharing.Submission{ID: "s1", Organization: "carrier-a", ReceivedAt: time.Now(), Digest: "d1"},
		Entries: []sharing.ChannelEntry{
			{Channel: sharing.ChannelISACMembers, ObjectID: "indicator--a", Version: "v", SubmissionID: "s1", Organization: "carrier-a", Status: sharing.StatusReleased, JSON: []byte("{}")},
			{Channel: sharing.ChannelISACMembers, ObjectID: "indicator--b", Version: "v", SubmissionID: "s1", Organization: "carrier-a", Recipients: []string{"carrier-b"}, Status: sharing.StatusReleased, JSON: []byte("{}")},
		}}
	if err := db.CreateSubmission(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.Exec(`UPDATE channel_entries SET recipients = 'not json' WHERE object_id = 'indicator--b'`); err != nil {
		t.Fatal(err)
	}
	for _, reader := range []string{"carrier-b", "carrier-c"} {
		got, err := db.FindChannelEntries(ctx, sharing.ChannelFilter{Channel: sharing.ChannelISACMembers, Reader: reader})
		if err != nil || len(got) != 1 || got[0].ObjectID != "indicator--a" {
			t.Errorf("%s reads %+v, %v; want indicator--a alone", reader, got, err)
		}
	}
}
