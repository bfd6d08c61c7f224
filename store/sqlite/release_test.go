package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// copyRecord is a submission whose two copies (isac-members and nisc) carry
// the same two objects, plus a tombstone of its own, as intake hands it over.
func copyRecord(id string, objs ...string) *sharing.IntakeRecord {
	s := &sharing.Submission{ID: id, Organization: "carrier-a", ReceivedAt: time.Now(), Digest: "d-" + id}
	rec := &sharing.IntakeRecord{Submission: s, Audit: []sharing.AuditEvent{{Actor: "carrier-a", Action: sharing.AuditIntake, Subject: id}}}
	for i, ch := range []sharing.Channel{sharing.ChannelISACMembers, sharing.ChannelNISC} {
		c := sharing.StoredCopy{SubmissionID: id, Index: i, Route: sharing.Route{Channel: ch}, Status: sharing.StatusReleased, BundleID: "bundle--" + id + "-" + string(ch)}
		for _, o := range objs {
			js := []byte(o) // each copy its own slice: the store compares content, not slices
			c.Objects = append(c.Objects, js)
			rec.Entries = append(rec.Entries, sharing.ChannelEntry{Channel: ch, ObjectID: "indicator--" + id + o[7:8], Version: "v1", SubmissionID: id,
				Organization: "carrier-a", Status: sharing.StatusReleased, JSON: js})
		}
		rec.Copies = append(rec.Copies, c)
	}
	return rec
}

// TestCopyObjectsStoredOnce: the objects the copies and entries of a
// submission share are stored once, and read back byte for byte, in
// entries and in the assembled copies.
func TestCopyObjectsStoredOnce(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	a, b := `{"id":"a","x":"<&>"}`, `{"id":"b","y":[1,2]}`
	if err := db.CreateSubmission(ctx, copyRecord("s1", a, b)); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountRows(ctx, "copy_objects"); n != 2 {
		t.Errorf("copy_objects holds %d rows for 2 distinct objects in 2 copies", n)
	}
	if err := db.CreateSubmission(ctx, copyRecord("s2", b, `{"id":"c"}`)); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountRows(ctx, "copy_objects"); n != 4 {
		t.Errorf("copy_objects holds %d rows after a second submission, want 4 (each submission its own)", n)
	}
	copies, err := db.FindCopies(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range copies {
		want, _ := sharing.RawBundle(c.BundleID, [][]byte{[]byte(a), []byte(b)})
		if diff := cmp.Diff(string(want), string(c.Bundle)); diff != "" {
			t.Errorf("copy %d (-want +got):\n%s", c.Index, diff)
		}
	}
	es, err := db.FindChannelEntries(ctx, sharing.ChannelFilter{Channel: sharing.ChannelNISC, Reader: "mic"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.SubmissionID+" "+string(e.JSON))
	}
	want := []string{"s1 " + a, "s1 " + b, "s2 " + b, "s2 " + `{"id":"c"}`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("nisc entries (-want +got):\n%s", diff)
	}
}

// TestCopyObjectsMigration upgrades a database whose entries and copies
// carried their JSON: entries keep their seq and JSON, old copies their
// bundle, and new ones follow.
func TestCopyObjectsMigration(t *testing.T) {
	raw, p := openAt(t, 11)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO submissions(id, organization, received_at, bundle_id, digest) VALUES ('s0', 'carrier-a', '2026-07-10T01:00:00.000000Z', '', 'd0')`)
	old := `{"type":"bundle","id":"bundle--old","objects":[{"id":"indicator--o"}]}`
	exec(`INSERT INTO submission_copies(submission_id, idx, route, status, bundle) VALUES ('s0', 0, '{"channel":"nisc"}', 'released', ?)`, old)
	for seq, ch := range []string{"nisc", "isac-members"} {
		exec(`INSERT INTO channel_entries(seq, channel, object_id, version, version_key, submission_id, organization, status, date_added, json)
			VALUES (?, ?, 'indicator--o', 'v1', 'v1', 's0', 'carrier-a', 'released', '2026-07-10T01:00:00.000000Z', '{"id":"indicator--o"}')`, seq+7, ch)
	}
	raw.Close()
	db, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	copies, err := db.FindCopies(ctx, "s0")
	if err != nil || len(copies) != 1 || string(copies[0].Bundle) != old {
		t.Fatalf("old copy after the migration: %+v, %v", copies, err)
	}
	if err := db.CreateSubmission(ctx, copyRecord("s1", `{"id":"a"}`)); err != nil {
		t.Fatal(err)
	}
	es, err := db.FindChannelEntries(ctx, sharing.ChannelFilter{Channel: sharing.ChannelNISC, Reader: "mic"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, string(e.JSON))
	}
	if diff := cmp.Diff([]string{`{"id":"indicator--o"}`, `{"id":"a"}`}, got); diff != "" {
		t.Errorf("nisc entries (-want +got):\n%s", diff)
	}
	if es[0].Seq != 7 || es[1].Seq <= 8 {
		t.Errorf("seqs %d, %d: the old entry keeps its seq, a new one comes after every old one", es[0].Seq, es[1].Seq)
	}
}

// TestRepeatedEntriesCopied: entries that repeat an earlier channel's rows
// (the ceptoar channels) are copied inside SQLite, and the rows are those a
// plain INSERT writes: every column, the stamp the store gave each entry,
// seq and date_added both in entry order. A run that differs in one row, in
// its readers or in length is written as it is.
func TestRepeatedEntriesCopied(t *testing.T) {
	t.Run("seconds bound", testRepeatedEntriesCopied)
	t.Run("strftime", func(t *testing.T) {
		defer func(n int) { shortStampRun = n }(shortStampRun)
		shortStampRun = 0
		testRepeatedEntriesCopied(t)
	})
}

func testRepeatedEntriesCopied(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	// A clock that stands still, and one that jumps: stamps must follow
	// entry order either way.
	at := time.Date(2026, 7, 10, 1, 2, 3, 999_957_000, time.UTC) // the copied NISC run crosses a second
	db.Now = func() time.Time { at = at.Add(3 * time.Microsecond); return at }
	s := &sharing.Submission{ID: "s1", Organization: "carrier-a", ReceivedAt: at, Digest: "d-s1"}
	rec := &sharing.IntakeRecord{Submission: s}
	add := func(ch sharing.Channel, recipients []string, objs ...string) {
		for i, o := range objs {
			rec.Entries = append(rec.Entries, sharing.ChannelEntry{Channel: ch, ObjectID: fmt.Sprintf("indicator--%d", i), Version: "2026-07-10T01:10:00.123Z",
				SubmissionID: "s1", Organization: "carrier-a", Recipients: recipients, Status: sharing.StatusReleased, JSON: []byte(o)})
		}
	}
	var abc []string // a run long enough to be copied
	for i := range minCopiedRun + 1 {
		abc = append(abc, fmt.Sprintf(`{"id":"%d"}`, i))
	}
	other := slices.Clone(abc)
	other[len(other)-1] = `{"id":"other"}`
	add(sharing.ChannelAccidentReports, nil, other...)
	add(sharing.ChannelISACMembers, nil, abc...)                    // one row differs from the first run: written
	add(sharing.ChannelNISC, nil, abc...)                           // copied
	add(sharing.ChannelISACInternal, []string{"carrier-b"}, abc...) // named: written
	add(sharing.ChannelCrossSector, nil, other...)                  // copied from the first run
	add(sharing.ChannelAccidentReports, nil, abc[1:]...)            // shorter: written
	add(sharing.ChannelISACInternal, nil, abc...)                   // copied
	add(sharing.ChannelNISC, nil, abc[:minCopiedRun-1]...)          // too short to copy
	add(sharing.ChannelCrossSector, nil, abc[:minCopiedRun-1]...)   // too short to copy
	er, err := newEntryRows(rec.Entries, &copyObjects{ids: map[string]int64{}})
	if err != nil {
		t.Fatal(err)
	}
	runs := runsOf(er)
	var likes []int
	for _, r := range runs {
		likes = append(likes, r.like)
	}
	if diff := cmp.Diff([]int{-1, -1, 1, -1, 0, -1, 1, -1, -1}, likes); diff != "" {
		t.Errorf("runs copied from (-want +got):\n%s", diff)
	}
	if err := db.CreateSubmission(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT e.seq, channel, object_id, version, version_key, submission_id, organization, coalesce(recipients, ''), status, date_added, j.json
		FROM channel_entries e JOIN copy_objects j ON j.id = e.json_id ORDER BY e.seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got, want []string
	var lastSeq int64
	var lastAdded string
	for rows.Next() {
		var (
			seq                                                    int64
			ch, id, v, vk, sub, org, recipients, status, added, js string
		)
		if err := rows.Scan(&seq, &ch, &id, &v, &vk, &sub, &org, &recipients, &status, &added, &js); err != nil {
			t.Fatal(err)
		}
		if seq <= lastSeq || added <= lastAdded {
			t.Errorf("entry %d (%s): seq or date_added not after the previous entry's (%d, %s)", seq, added, lastSeq, lastAdded)
		}
		lastSeq, lastAdded = seq, added
		got = append(got, strings.Join([]string{ch, id, v, vk, sub, org, recipients, status, added, js}, " "))
	}
	recipients := func(r entryRows, i int) string {
		if r.recipients[i] == nil {
			return ""
		}
		return r.recipients[i].(string)
	}
	for i, e := range rec.Entries {
		want = append(want, strings.Join([]string{string(e.Channel), e.ObjectID, e.Version, versionKey(e.Version), e.SubmissionID, e.Organization,
			recipients(er, i), string(e.Status), formatTime(e.DateAdded), string(e.JSON)}, " "))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("channel entries (-want +got):\n%s", diff)
	}
}
