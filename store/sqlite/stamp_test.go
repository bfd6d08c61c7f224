package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// TestRestampKeepsOrderAndMakesStampsDistinct upgrades entries stored with
// one date_added per submission: afterwards every entry of each table has its
// own, in the old (date_added, seq) order, and new entries come after them.
func TestRestampKeepsOrderAndMakesStampsDistinct(t *testing.T) {
	raw, p := openAt(t, 7)
	if _, err := raw.Exec(`INSERT INTO submissions(id, organization, received_at, bundle_id, digest) VALUES ('s1', 'carrier-a', '2026-07-10T01:00:00.000000Z', '', 'd1')`); err != nil {
		t.Fatal(err)
	}
	for seq, at := range []string{"2026-07-10T01:00:00.000000Z", "2026-07-10T01:00:00.000000Z", "2026-07-10T01:00:00.000001Z", "2026-07-10T00:59:00.000000Z"} {
		if _, err := raw.Exec(`INSERT INTO channel_entries(seq, channel, object_id, version, version_key, submission_id, organization, status, date_added, json)
			VALUES (?, 'isac-members', ?, 'v', 'v', 's1', 'carrier-a', 'released', ?, '{}')`, seq+1, "indicator--"+string(rune('a'+seq)), at); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.read.Query(`SELECT object_id, date_added FROM channel_entries ORDER BY date_added`)
	if err != nil {
		t.Fatal(err)
	}
	var order, stamps []string
	for rows.Next() {
		var id, at string
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		order, stamps = append(order, id), append(stamps, at)
	}
	rows.Close()
	want := []string{"indicator--d", "indicator--a", "indicator--b", "indicator--c"}
	wantStamps := []string{"2026-07-10T00:59:00.000000Z", "2026-07-10T01:00:00.000000Z", "2026-07-10T01:00:00.000001Z", "2026-07-10T01:00:00.000002Z"}
	for i := range want {
		if order[i] != want[i] || stamps[i] != wantStamps[i] {
			t.Fatalf("after restamp: %v %v, want %v %v", order, stamps, want, wantStamps)
		}
	}
	// A new entry, even with the clock behind, comes after all of them.
	db.Now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
	rec := &sharing.IntakeRecord{Submission: &sharing.Submission{ID: "s2", Organization: "carrier-a", ReceivedAt: time.Now(), Digest: "d2"},
		Entries: []sharing.ChannelEntry{{Channel: sharing.ChannelISACMembers, ObjectID: "indicator--e", Version: "v", SubmissionID: "s2", Organization: "carrier-a", Status: sharing.StatusReleased, JSON: []byte("{}")}}}
	if err := db.CreateSubmission(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	var last string
	if err := db.read.QueryRow(`SELECT date_added FROM channel_entries WHERE object_id = 'indicator--e'`).Scan(&last); err != nil || last != "2026-07-10T01:00:00.000003Z" {
		t.Errorf("new entry stamped %q, %v; want one microsecond after the last", last, err)
	}
	// The restamp ran once: reopening changes nothing.
	db.Close()
	db2, err := Open(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	var n int
	if err := db2.read.QueryRow(`SELECT count(*) FROM restamp_pending`).Scan(&n); err != nil || n != 0 {
		t.Errorf("restamp_pending = %d, %v", n, err)
	}
}
