package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// addSubmission stores submission id with one object and an audit entry.
func addSubmission(t testing.TB, db *DB, id string) {
	t.Helper()
	s := &sharing.Submission{ID: id, Organization: "carrier-a", ReceivedAt: time.Now(), Digest: "d-" + id,
		Objects: []sharing.SubmittedObject{{ID: "indicator--" + id, Type: "indicator", Version: "v1", New: true}}}
	o := obj("indicator--"+id, "v1", id)
	o.JSON = []byte(`{"id":"indicator--` + id + `","description":"` + strings.Repeat("padding ", 64) + `"}`)
	err := db.CreateSubmission(context.Background(), &sharing.IntakeRecord{Submission: s, Objects: []*sharing.StoredObject{o},
		Audit: []sharing.AuditEvent{{Actor: "carrier-a", Action: sharing.AuditIntake, Subject: id}}})
	if err != nil {
		t.Fatalf("store %s: %v", id, err)
	}
}

// checkBackupFile opens a backup as the hub would and checks that it is a
// sound database holding every submission in ids with an intact audit log.
func checkBackupFile(t *testing.T, path string, ids []string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var ok string
	if err := raw.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check of the backup = %q, %v", ok, err)
	}
	raw.Close()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer db.Close()
	for _, id := range ids {
		if _, err := db.FindSubmissionByID(context.Background(), id); err != nil {
			t.Errorf("submission %s missing from the backup: %v", id, err)
		}
	}
	if _, brk, err := db.VerifyAudit(context.Background()); err != nil || brk != nil {
		t.Errorf("audit log of the backup: break %+v, %v", brk, err)
	}
}

// noTemporaries fails if Backup left anything but want in dir.
func noTemporaries(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s holds %v, want %v", dir, got, want)
	}
}

func TestBackupCopiesEveryRowInSteps(t *testing.T) {
	db, _ := openTest(t)
	var ids []string
	for i := range 100 {
		id := fmt.Sprintf("s%03d", i)
		addSubmission(t, db, id)
		ids = append(ids, id)
	}
	out := filepath.Join(t.TempDir(), "hub.backup")
	st, err := db.Backup(context.Background(), out, BackupOptions{PagesPerStep: 4})
	if err != nil {
		t.Fatal(err)
	}
	var pageSize int64
	if err := db.read.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if st.Pages < 20 || st.Steps < st.Pages/4 || st.Bytes != int64(st.Pages)*pageSize || st.Duration <= 0 {
		t.Errorf("stats %+v (page size %d): want ≥ 20 pages in steps of 4 and pages × page size bytes", st, pageSize)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() != st.Bytes {
		t.Errorf("backup file: %v, %v; stats say %d bytes", fi, err, st.Bytes)
	}
	checkBackupFile(t, out, ids)
	noTemporaries(t, filepath.Dir(out), "hub.backup")
}

func TestBackupRefusesExistingFile(t *testing.T) {
	db, _ := openTest(t)
	addSubmission(t, db, "s1")
	dir := t.TempDir()
	out := filepath.Join(dir, "hub.backup")
	if err := os.WriteFile(out, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Backup(context.Background(), out, BackupOptions{}); !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), out) {
		t.Errorf("Backup onto an existing file = %v, want fs.ErrExist naming the file", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "an older backup" {
		t.Errorf("the existing file was changed: %q", b)
	}
	noTemporaries(t, dir, "hub.backup")

	if _, err := db.Backup(context.Background(), out, BackupOptions{Overwrite: true}); err != nil {
		t.Fatalf("Backup with Overwrite: %v", err)
	}
	checkBackupFile(t, out, []string{"s1"})
	noTemporaries(t, dir, "hub.backup")
}

func TestBackupRefusals(t *testing.T) {
	db, live := openTest(t)
	addSubmission(t, db, "s1")
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opt  BackupOptions
		want string
	}{
		{"the live database", live, BackupOptions{Overwrite: true}, "live database"},
		{"the live database through a relative path", relativeTo(t, live), BackupOptions{Overwrite: true}, "live database"},
		{"the live WAL", live + "-wal", BackupOptions{Overwrite: true}, "live database"},
		{"a directory", dir, BackupOptions{Overwrite: true}, "is a directory"},
		{"a missing directory", filepath.Join(dir, "absent", "hub.backup"), BackupOptions{}, "temporary file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.Backup(context.Background(), tc.path, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Backup(%s) = %v, want an error saying %q", tc.path, err, tc.want)
			}
		})
	}
	noTemporaries(t, dir)
	if n, err := db.CountRows(context.Background(), "submissions"); err != nil || n != 1 {
		t.Errorf("the live database after the refusals: %d submissions, %v", n, err)
	}
}

func relativeTo(t *testing.T, path string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// cancelledBetweenSteps is a context that reports cancellation without ever
// closing Done: database/sql hands out connections (it watches Done), and
// Backup sees the cancellation at its check between two steps.
type cancelledBetweenSteps struct{ context.Context }

func (cancelledBetweenSteps) Err() error { return context.Canceled }

func TestBackupCancelledBetweenSteps(t *testing.T) {
	db, _ := openTest(t)
	for i := range 20 {
		addSubmission(t, db, fmt.Sprintf("s%02d", i))
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "hub.backup")
	_, err := db.Backup(cancelledBetweenSteps{context.Background()}, out, BackupOptions{PagesPerStep: 1})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "after 1 steps") {
		t.Errorf("Backup with a cancelled context = %v, want context.Canceled after the first step", err)
	}
	noTemporaries(t, dir)
	// The reader connection went back to the pool without a transaction:
	// the writer can still checkpoint the whole WAL.
	addSubmission(t, db, "after")
	// The background checkpointer may be at work at that very moment
	// (busy for a while); a read transaction left open stays busy.
	var busy, logPages, done int
	for try := 0; try < 50; try++ {
		if err := db.write.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logPages, &done); err != nil || busy == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if busy != 0 {
		t.Errorf("checkpoint after a cancelled backup: busy %d (a read transaction left open?)", busy)
	}
}

// TestBackupUnderWrites takes a backup in many small steps while another
// goroutine commits continuously: it must finish (the API restarts a stepped
// backup on every foreign commit unless the snapshot is held) and contain
// everything committed before it began.
func TestBackupUnderWrites(t *testing.T) {
	db, _ := openTest(t)
	var before []string
	for i := range 200 {
		id := fmt.Sprintf("before-%03d", i)
		addSubmission(t, db, id)
		before = append(before, id)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			addSubmission(t, db, fmt.Sprintf("during-%05d", i))
			written.Add(1)
		}
	}()
	for written.Load() < 5 { // the writer is going
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := filepath.Join(t.TempDir(), "hub.backup")
	w0 := written.Load()
	st, err := db.Backup(ctx, out, BackupOptions{PagesPerStep: 1, Pause: time.Millisecond})
	w1 := written.Load()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup under writes: %v", err)
	}
	if w1-w0 < 5 {
		t.Errorf("only %d commits while the backup ran (%+v): the backup blocked the writer or the test wrote too little", w1-w0, st)
	}
	t.Logf("backup %+v while %d submissions were committed", st, w1-w0)
	checkBackupFile(t, out, before)
}
