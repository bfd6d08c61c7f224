package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// entryRow is a channel entry written straight into channel_entries.
type entryRow struct {
	channel    sharing.Channel
	id         string
	version    string
	recipients string // JSON list, or "" for the whole audience
	status     string
	added      time.Time
}

func seedSubmission(t testing.TB, db *DB, id string) {
	t.Helper()
	if _, err := db.write.Exec(`INSERT INTO submissions(id, organization, received_at, bundle_id, digest) VALUES (?, 'carrier-a', ?, '', ?)`,
		id, formatTime(time.Now()), "digest-"+id); err != nil {
		t.Fatal(err)
	}
}

func insertEntries(t testing.TB, db *DB, rows []entryRow) {
	t.Helper()
	seedSubmission(t, db, "s-entries")
	tx, err := db.write.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO channel_entries(channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json_id)
		VALUES (?, ?, ?, ?, 's-entries', 'carrier-a', ?, ?, ?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		var rec any
		if r.recipients != "" {
			rec = r.recipients
		}
		js := fmt.Sprintf(`{"id":%q,"modified":%q}`, r.id, r.version)
		body, err := tx.Exec(`INSERT INTO copy_objects(json) VALUES (?)`, []byte(js))
		if err != nil {
			t.Fatal(err)
		}
		jsonID, _ := body.LastInsertId()
		if _, err := stmt.Exec(string(r.channel), r.id, r.version, versionKey(r.version), rec, r.status, formatTime(r.added), jsonID); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func entryKeys(es []sharing.TAXIIEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ObjectID + "@" + e.Version
	}
	return out
}

func TestFindTAXIIEntries(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	t1, t2 := t0.Add(time.Second), t0.Add(2*time.Second)
	v1, v2, v3 := "2026-07-10T01:00:00.000Z", "2026-07-11T01:00:00.000Z", "2026-07-12T01:00:00.000Z"
	im := sharing.ChannelISACMembers
	insertEntries(t, db, []entryRow{
		{im, "indicator--a", v1, "", "released", t0},
		{im, "indicator--b", v1, "", "released", t0},
		{im, "indicator--a", v2, "", "released", t1},
		{im, "note--red", v1, `["carrier-b"]`, "released", t1},          // named copy
		{im, "indicator--held", v1, "", "held", t1},                     // not yet released
		{im, "indicator--gone", v1, "", "revoked", t0},                  // revoked
		{im, "indicator--a", v3, `["carrier-b"]`, "released", t2},       // newer, named
		{sharing.ChannelPublic, "indicator--b", v1, "", "released", t0}, // another channel
		{im, "ipv4-addr--c", "", "", "released", t2},                    // an SCO: no version
	})
	q := func(mut func(*sharing.TAXIIQuery)) sharing.TAXIIQuery {
		x := sharing.TAXIIQuery{Collection: im, Reader: "carrier-c", Limit: 100, WithJSON: true}
		mut(&x)
		return x
	}
	tests := []struct {
		name string
		q    sharing.TAXIIQuery
		want []string
	}{
		{"latest versions the reader sees", q(func(*sharing.TAXIIQuery) {}), []string{"indicator--b@" + v1, "indicator--a@" + v2, "ipv4-addr--c@"}},
		{"a named reader sees its copies", q(func(x *sharing.TAXIIQuery) { x.Reader = "carrier-b" }), []string{"indicator--b@" + v1, "note--red@" + v1, "indicator--a@" + v3, "ipv4-addr--c@"}},
		{"all versions", q(func(x *sharing.TAXIIQuery) { x.Versions.All = true }), []string{"indicator--a@" + v1, "indicator--b@" + v1, "indicator--a@" + v2, "ipv4-addr--c@"}},
		{"first", q(func(x *sharing.TAXIIQuery) { x.Versions.First = true }), []string{"indicator--a@" + v1, "indicator--b@" + v1, "ipv4-addr--c@"}},
		{"exact version", q(func(x *sharing.TAXIIQuery) { x.Versions.Versions = []time.Time{mustTime(v2)} }), []string{"indicator--a@" + v2}},
		{"an SCO's version is its date_added", q(func(x *sharing.TAXIIQuery) { x.Versions.Versions = []time.Time{t2} }), []string{"ipv4-addr--c@"}},
		{"type", q(func(x *sharing.TAXIIQuery) { x.Types = []string{"ipv4-addr"} }), []string{"ipv4-addr--c@"}},
		{"type is not a prefix match", q(func(x *sharing.TAXIIQuery) { x.Types = []string{"indicator-"} }), []string{}},
		{"id", q(func(x *sharing.TAXIIQuery) { x.IDs = []string{"indicator--b"} }), []string{"indicator--b@" + v1}},
		{"added_after", q(func(x *sharing.TAXIIQuery) { x.AddedAfter = t0 }), []string{"indicator--a@" + v2, "ipv4-addr--c@"}},
		{"spec_version 2.0", q(func(x *sharing.TAXIIQuery) { x.SpecVersions = []string{"2.0"} }), []string{}},
		{"anonymous public reader", sharing.TAXIIQuery{Collection: sharing.ChannelPublic, Limit: 10}, []string{"indicator--b@" + v1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, more, err := db.FindTAXIIEntries(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if more {
				t.Error("more = true")
			}
			if d := cmp.Diff(tc.want, entryKeys(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	if _, _, err := db.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: im}); !errors.Is(err, sharing.ErrInvalidArgument) {
		t.Errorf("no limit: %v", err)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestTAXIIKeysetPaging pages through 3,000 entries sharing one date_added
// with awkward limits: every entry exactly once, in order.
func TestTAXIIKeysetPaging(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	var rows []entryRow
	for i := range 3000 {
		added := t0
		if i >= 2000 {
			added = t0.Add(time.Microsecond) // a second bucket, one microsecond later
		}
		rows = append(rows, entryRow{sharing.ChannelNISC, fmt.Sprintf("indicator--%05d", (i*7919)%3000), "2026-07-10T00:00:00.000Z", "", "released", added})
	}
	insertEntries(t, db, rows)
	for _, limit := range []int{1, 7, 1000} {
		seen := map[string]int{}
		var cur *sharing.Cursor
		pages := 0
		for {
			es, more, err := db.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelNISC, Reader: "nisc", After: cur, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, e := range es {
				seen[e.ObjectID]++
			}
			if !more {
				break
			}
			last := es[len(es)-1]
			cur = &sharing.Cursor{DateAdded: last.DateAdded, Seq: last.Seq}
		}
		if len(seen) != 3000 {
			t.Errorf("limit %d: %d distinct objects, want 3000", limit, len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("limit %d: %s served %d times", limit, id, n)
			}
		}
		if want := (3000 + limit - 1) / limit; pages != want && pages != want+1 {
			t.Errorf("limit %d: %d pages, want %d", limit, pages, want)
		}
	}
}

func TestTAXIIIntakeFollowsSubmissions(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	sub := func(id, org string, objs ...*sharing.StoredObject) {
		s := &sharing.Submission{ID: id, Organization: org, ReceivedAt: at, Digest: "d-" + id}
		for _, o := range objs {
			s.Objects = append(s.Objects, sharing.SubmittedObject{ID: o.ID, Type: o.Type, Version: o.Version, New: true})
		}
		var fresh []*sharing.StoredObject
		for _, o := range objs {
			if o.SubmissionID == id {
				fresh = append(fresh, o)
			}
		}
		if err := db.CreateSubmission(ctx, &sharing.IntakeRecord{Submission: s, Objects: fresh}); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Second)
	}
	a1 := obj("indicator--a", "2026-07-10T00:00:00.000Z", "s1")
	a2 := obj("indicator--a", "2026-07-11T00:00:00.000Z", "s2")
	sub("s1", "carrier-a", a1)
	sub("s2", "carrier-a", a2)
	// carrier-b submits the same version: objects are kept per organization
	// (SHARING.md §1), so it stores and reads back its own.
	b1 := obj("indicator--a", "2026-07-10T00:00:00.000Z", "s3")
	b1.Organization = "carrier-b"
	sub("s3", "carrier-b", b1)
	read := func(org string, v sharing.VersionMatch) []string {
		es, _, err := db.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelIntake, Reader: org, Versions: v, Limit: 10, WithJSON: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if len(e.JSON) == 0 {
				t.Errorf("%s: no JSON", e.ObjectID)
			}
		}
		return entryKeys(es)
	}
	if d := cmp.Diff([]string{"indicator--a@2026-07-11T00:00:00.000Z"}, read("carrier-a", sharing.VersionMatch{})); d != "" {
		t.Errorf("carrier-a latest: %s", d)
	}
	if d := cmp.Diff([]string{"indicator--a@2026-07-10T00:00:00.000Z", "indicator--a@2026-07-11T00:00:00.000Z"}, read("carrier-a", sharing.VersionMatch{All: true})); d != "" {
		t.Errorf("carrier-a all: %s", d)
	}
	if d := cmp.Diff([]string{"indicator--a@2026-07-10T00:00:00.000Z"}, read("carrier-b", sharing.VersionMatch{All: true})); d != "" {
		t.Errorf("carrier-b reads back what it submitted: %s", d)
	}
	if d := cmp.Diff([]string{}, read("carrier-c", sharing.VersionMatch{All: true})); d != "" {
		t.Errorf("carrier-c: %s", d)
	}
}

func TestTAXIIStatusStore(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	st := &sharing.TAXIIStatus{ID: "st-1", Status: "complete", TotalCount: 1, SuccessCount: 1, Organization: "carrier-a", CreatedAt: now,
		Successes: []sharing.TAXIIStatusDetail{{ID: "indicator--a", Version: "v", Message: "stored"}}}
	if err := db.CreateTAXIIStatus(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindTAXIIStatusByID(ctx, "st-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(st, got); d != "" {
		t.Errorf("status round trip: %s", d)
	}
	if _, err := db.FindTAXIIStatusByID(ctx, "st-2"); !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("unknown status: %v", err)
	}
	// Kept a day (and up to StatusRetention), then gone.
	now = now.Add(25 * time.Hour)
	if _, err := db.FindTAXIIStatusByID(ctx, "st-1"); err != nil {
		t.Errorf("after 25h: %v", err)
	}
	now = now.Add(sharing.StatusRetention)
	if _, err := db.FindTAXIIStatusByID(ctx, "st-1"); !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("after retention: %v", err)
	}
	if err := db.CreateTAXIIStatus(ctx, &sharing.TAXIIStatus{ID: "st-3", Organization: "carrier-a", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.read.QueryRow(`SELECT count(*) FROM taxii_status WHERE id = 'st-1'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("expired status still stored: %d %v", n, err)
	}
}

func TestAPIKeys(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	k, secret, err := sharing.NewAPIKey("carrier-a", time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	ev := sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenIssue, Subject: k.ID}
	if err := db.CreateAPIKey(ctx, k, ev); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := db.read.QueryRow(`SELECT hash FROM api_keys WHERE id = ?`, k.ID).Scan(&stored); err != nil || stored == secret || len(stored) != 64 {
		t.Errorf("stored %q (%v): want the SHA-256 hex, never the key", stored, err)
	}
	for _, c := range []struct {
		org, secret string
		want        bool
	}{{"carrier-a", secret, true}, {"carrier-a", secret + "x", false}, {"carrier-b", secret, false}} {
		if ok, err := sharing.CheckAPIKey(ctx, db, c.org, c.secret, time.Now()); err != nil || ok != c.want {
			t.Errorf("CheckAPIKey(%s) = %v, %v; want %v", c.org, ok, err, c.want)
		}
	}
	// An hour later the key has expired.
	if ok, _ := sharing.CheckAPIKey(ctx, db, "carrier-a", secret, time.Now().Add(time.Hour+time.Second)); ok {
		t.Error("an expired key still matches")
	}
	if _, _, err := sharing.NewAPIKey("carrier-a", time.Now(), 0); err == nil {
		t.Error("a key without a lifetime was made")
	}
	if err := db.RevokeAPIKey(ctx, k.ID, time.Now(), ev); err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeAPIKey(ctx, k.ID, time.Now(), ev); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if ok, _ := sharing.CheckAPIKey(ctx, db, "carrier-a", secret, time.Now()); ok {
		t.Error("a revoked key still matches")
	}
	if err := db.RevokeAPIKey(ctx, "apikey-0000000000000000", time.Now(), ev); !errors.Is(err, sharing.ErrNotFound) {
		t.Errorf("unknown key: %v", err)
	}
}

// BenchmarkTAXIIRead1M fills one collection with 1,000,000 released entries
// (one bulk transaction, straight SQL: the intake is not what is measured),
// then reads every page of 1,000 through FindTAXIIEntries as a TAXII objects
// request does. It reports objects/s, the p50/p99 page latency, and the mean
// of the first and of the last ten pages to show that keyset paging stays flat.
// Set-up happens only under -bench; `go test ./...` never builds the million.
//
//	go test -run '^$' -bench TAXIIRead1M -benchtime 1x ./store/sqlite/
func BenchmarkTAXIIRead1M(b *testing.B) {
	const total, pageSize = 1_000_000, 1000
	db := benchDB(b, total)
	ctx := context.Background()
	b.ResetTimer()
	var lat []time.Duration
	for range b.N {
		lat = lat[:0]
		var cur *sharing.Cursor
		n := 0
		for {
			start := time.Now()
			es, more, err := db.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelISACMembers, Reader: "carrier-b", After: cur, Limit: pageSize, WithJSON: true})
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
			n += len(es)
			if !more {
				break
			}
			last := es[len(es)-1]
			cur = &sharing.Cursor{DateAdded: last.DateAdded, Seq: last.Seq}
		}
		if n != total {
			b.Fatalf("read %d objects, want %d", n, total)
		}
	}
	b.StopTimer()
	reportPages(b, lat, total)
}

// reportPages reports the page-latency figures of one full read.
func reportPages(b *testing.B, lat []time.Duration, total int) {
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	mean := func(ds []time.Duration) float64 {
		var s time.Duration
		for _, d := range ds {
			s += d
		}
		return float64(s.Microseconds()) / 1000 / float64(len(ds))
	}
	first, last := mean(lat[:10]), mean(lat[len(lat)-10:])
	sorted := slices.Clone(lat)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	pct := func(p float64) float64 { return float64(sorted[int(p*float64(len(sorted)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(total)/sum.Seconds(), "objects/s")
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(first, "first10_ms")
	b.ReportMetric(last, "last10_ms")
	b.ReportMetric(0, "ns/op") // the figures above are what matters
}

// benchDB builds the million-entry collection: realistic indicator JSON,
// a thousand entries per date_added (as a big submission would), all in the
// isac-members channel and visible to its whole audience.
func benchDB(b *testing.B, total int) *DB {
	b.Helper()
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	seedSubmission(b, db, "s-bench")
	start := time.Now()
	err = db.inTx(context.Background(), func(tx *sql.Tx) error {
		stmt, err := tx.Prepare(`INSERT INTO channel_entries(channel, object_id, version, version_key, submission_id, organization, recipients, status, date_added, json_id)
			VALUES ('isac-members', ?, '2026-07-10T01:00:00.000Z', '2026-07-10T01:00:00.000000000Z', 's-bench', 'carrier-a', NULL, 'released', ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		t0 := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
		for i := range total {
			id := fmt.Sprintf("indicator--%08x-0000-4000-8000-%012x", i, i)
			js := fmt.Sprintf(`{"created":"2026-07-10T01:00:00.000Z","id":%q,"indicator_types":["malicious-activity"],"modified":"2026-07-10T01:00:00.000Z","name":"Scanner %d","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"],"pattern":"[ipv4-addr:value = '198.18.%d.%d']","pattern_type":"stix","spec_version":"2.1","type":"indicator","valid_from":"2026-07-10T00:00:00Z"}`,
				id, i, (i/250)%250, i%250+1)
			added := formatTime(t0.Add(time.Duration(i/1000) * time.Millisecond))
			body, err := tx.Exec(`INSERT INTO copy_objects(json) VALUES (?)`, []byte(js))
			if err != nil {
				return err
			}
			jsonID, _ := body.LastInsertId()
			if _, err := stmt.Exec(id, added, jsonID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.write.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	b.Logf("inserted %d entries in %s", total, time.Since(start).Round(time.Millisecond))
	return db
}
