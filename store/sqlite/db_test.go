package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hub.db")
	db, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, p
}

func obj(id, version, sub string) *sharing.StoredObject {
	return &sharing.StoredObject{ID: id, Type: "indicator", Version: version, SpecVersion: "2.1", Organization: "carrier-a",
		SubmissionID: sub, DateAdded: time.Now(), Digest: "d-" + id + version, JSON: []byte(`{"id":"` + id + `"}`)}
}

func TestReopenAppliesMigrationsOnce(t *testing.T) {
	db, p := openTest(t)
	db.Close()
	db2, err := Open(context.Background(), p)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db2.Close()
	files, _ := fs.Glob(migrations, "migration/*.sql")
	var n int
	if err := db2.read.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != len(files) || n < 2 {
		t.Fatalf("schema_migrations rows = %d (%v), want one per migration file (%d)", n, err, len(files))
	}
	var mode string
	if err := db2.write.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestCreateSubmissionIsAtomic(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	s := &sharing.Submission{ID: "s1", Organization: "carrier-a", ReceivedAt: time.Now(), Digest: "d1"}
	// The same version twice violates the primary key half-way through the transaction.
	objs := []*sharing.StoredObject{obj("indicator--a", "v1", "s1"), obj("indicator--b", "v1", "s1"), obj("indicator--a", "v1", "s1")}
	err := db.CreateSubmission(ctx, &sharing.IntakeRecord{Submission: s, Objects: objs, Audit: []sharing.AuditEvent{{Actor: "carrier-a", Action: sharing.AuditIntake, Subject: "s1"}}})
	if !errors.Is(err, sharing.ErrConflict) {
		t.Fatalf("CreateSubmission = %v, want ErrConflict", err)
	}
	for _, table := range []string{"submissions", "objects", "submission_objects", "audit_log"} {
		if n, _ := db.CountRows(ctx, table); n != 0 {
			t.Errorf("%s has %d rows after a failed transaction", table, n)
		}
	}
	if _, err := db.FindSubmissionByID(ctx, "s1"); !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("FindSubmissionByID after rollback = %v, want ErrNotFound", err)
	}
}

func TestSubmissionRoundTripAndDigests(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	s := &sharing.Submission{ID: "s1", Organization: "carrier-a", ReceivedAt: time.Now(), Digest: "d1", ShareWith: []string{"mic"},
		Objects: []sharing.SubmittedObject{{ID: "indicator--a", Type: "indicator", Version: "v1", New: true}}}
	if err := db.CreateSubmission(ctx, &sharing.IntakeRecord{Submission: s, Objects: []*sharing.StoredObject{obj("indicator--a", "v1", "s1")}, Audit: []sharing.AuditEvent{{Actor: "carrier-a", Action: sharing.AuditIntake}}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindSubmissionByDigest(ctx, "carrier-a", "d1")
	if err != nil || got.ID != "s1" || len(got.Objects) != 1 || got.ShareWith[0] != "mic" {
		t.Fatalf("FindSubmissionByDigest = %+v, %v", got, err)
	}
	if _, err := db.FindSubmissionByDigest(ctx, "carrier-b", "d1"); !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("digest of another organization found: %v", err)
	}
	keys := []sharing.ObjectKey{{ID: "indicator--a", Version: "v1"}, {ID: "indicator--a", Version: "v2"}}
	d, err := db.FindObjectDigests(ctx, "carrier-a", keys)
	if err != nil || len(d) != 1 || d[keys[0]] != "d-indicator--av1" {
		t.Errorf("FindObjectDigests = %v, %v", d, err)
	}
	// Another organization's versions are not its own: nothing is found.
	if d, err := db.FindObjectDigests(ctx, "carrier-b", keys); err != nil || len(d) != 0 {
		t.Errorf("FindObjectDigests of carrier-b = %v, %v; want none", d, err)
	}
	// A second submission with the same digest from the same organization is a conflict.
	err = db.CreateSubmission(ctx, &sharing.IntakeRecord{Submission: &sharing.Submission{ID: "s2", Organization: "carrier-a", ReceivedAt: time.Now(), Digest: "d1"}})
	if !errors.Is(err, sharing.ErrConflict) {
		t.Errorf("duplicate digest = %v, want ErrConflict", err)
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	db, p := openTest(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := db.AppendAudit(ctx, sharing.AuditEvent{Actor: "carrier-a", Action: sharing.AuditIntake, Subject: "s", Detail: map[string]any{"i": i}}); err != nil {
			t.Fatal(err)
		}
	}
	n, brk, err := db.VerifyAudit(ctx)
	if err != nil || brk != nil || n != 5 {
		t.Fatalf("VerifyAudit on an intact log = %d, %v, %v", n, brk, err)
	}
	if _, err := db.write.Exec("UPDATE audit_log SET actor = 'x' WHERE seq = 3"); err == nil {
		t.Fatal("the audit log accepted an UPDATE")
	}
	if _, err := db.write.Exec("DELETE FROM audit_log WHERE seq = 3"); err == nil {
		t.Fatal("the audit log accepted a DELETE")
	}

	// Someone with raw file access drops the guard and edits entry 3.
	raw, err := sql.Open("sqlite3", "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{"DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_, brk, err = db.VerifyAudit(ctx)
	if err != nil || brk == nil || brk.Seq != 3 {
		t.Fatalf("VerifyAudit after tampering = %+v, %v; want a break at entry 3", brk, err)
	}

	// Deleting an entry breaks the chain at the gap.
	for _, q := range []string{"DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 2"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	_, brk, _ = db.VerifyAudit(ctx)
	if brk == nil || brk.Seq != 3 {
		t.Fatalf("VerifyAudit after a deletion = %+v; want a break at entry 3", brk)
	}
}

func TestRevokeToken(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	ev := sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenRevoke, Subject: "j1"}
	if err := db.RevokeToken(ctx, "j1", ev); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(ctx, "j1", ev); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	if r, err := db.IsTokenRevoked(ctx, "j1"); err != nil || !r {
		t.Errorf("j1 revoked = %v, %v", r, err)
	}
	if r, err := db.IsTokenRevoked(ctx, "j2"); err != nil || r {
		t.Errorf("j2 revoked = %v, %v", r, err)
	}
}
