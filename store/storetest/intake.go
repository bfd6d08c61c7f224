package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

const version1 = "2026-07-10T01:00:00.000Z"

// record is an intake of org: one new version of each id, claimed by org,
// each released whole-audience to isac-members, and an intake audit entry.
// Stores do not judge what they store, so the JSON is minimal.
func record(org, subID string, ids ...string) *sharing.IntakeRecord {
	sub := &sharing.Submission{ID: subID, Organization: org, ReceivedAt: at(1), Digest: "digest-" + subID, ShareWith: []string{}}
	rec := &sharing.IntakeRecord{Submission: sub, Claims: ids,
		Audit: []sharing.AuditEvent{{Actor: org, Action: sharing.AuditIntake, Subject: subID}}}
	for _, id := range ids {
		js := []byte(fmt.Sprintf(`{"id":%q,"modified":%q,"type":"indicator"}`, id, version1))
		rec.Objects = append(rec.Objects, &sharing.StoredObject{ID: id, Type: "indicator", Version: version1, SpecVersion: "2.1",
			Organization: org, SubmissionID: subID, DateAdded: at(1), Digest: "sha-" + id, JSON: js})
		sub.Objects = append(sub.Objects, sharing.SubmittedObject{ID: id, Type: "indicator", Version: version1, New: true})
		rec.Entries = append(rec.Entries, sharing.ChannelEntry{Channel: sharing.ChannelISACMembers, ObjectID: id, Version: version1,
			SubmissionID: subID, Organization: org, Status: sharing.StatusReleased, JSON: js})
	}
	return rec
}

// testIntake: a submission is stored whole or not at all, once per digest,
// and an object belongs to its first submitter (SHARING.md §1).
func testIntake(t *testing.T, open Open) {
	ctx := context.Background()
	t.Run("ownership", func(t *testing.T) {
		s, _ := fresh[sharing.Store](t, open)
		if err := s.CreateSubmission(ctx, record("carrier-a", "s1", "indicator--a1", "indicator--a2")); err != nil {
			t.Fatal(err)
		}
		err := s.CreateSubmission(ctx, record("carrier-b", "s2", "indicator--b1", "indicator--a1"))
		if !errors.Is(err, sharing.ErrConflict) {
			t.Errorf("claiming carrier-a's id: err = %v, want ErrConflict", err)
		}
		owners, err := s.FindObjectOwners(ctx, []string{"indicator--a1", "indicator--b1", "indicator--zz"})
		if err != nil {
			t.Fatal(err)
		}
		if len(owners) != 1 || owners["indicator--a1"] != "carrier-a" {
			t.Errorf("owners = %v; want only indicator--a1 by carrier-a", owners)
		}
		key := sharing.ObjectKey{ID: "indicator--a1", Version: version1}
		if o, err := s.FindObjectVersion(ctx, "carrier-a", key); err != nil || o.SubmissionID != "s1" {
			t.Errorf("carrier-a's own version = %+v, %v", o, err)
		}
		_, err = s.FindObjectVersion(ctx, "carrier-b", key)
		mustNotFound(t, "carrier-b reading carrier-a's version", err)
		_, err = s.FindLatestObject(ctx, "carrier-b", "indicator--a1")
		mustNotFound(t, "carrier-b's latest of carrier-a's object", err)
		digests, err := s.FindObjectDigests(ctx, "carrier-b", []sharing.ObjectKey{key})
		if err != nil || len(digests) != 0 {
			t.Errorf("carrier-b's digests of carrier-a's version = %v, %v; want none", digests, err)
		}
	})
	t.Run("idempotency", func(t *testing.T) {
		s, _ := fresh[sharing.Store](t, open)
		if err := s.CreateSubmission(ctx, record("carrier-a", "s1", "indicator--a1")); err != nil {
			t.Fatal(err)
		}
		again := record("carrier-a", "s1-again", "indicator--a9")
		again.Submission.Digest = "digest-s1"
		if err := s.CreateSubmission(ctx, again); !errors.Is(err, sharing.ErrConflict) {
			t.Errorf("the same digest again: err = %v, want ErrConflict", err)
		}
		got, err := s.FindSubmissionByDigest(ctx, "carrier-a", "digest-s1")
		if err != nil || got.ID != "s1" || len(got.Objects) != 1 {
			t.Errorf("by digest = %+v, %v; want s1 with its one object", got, err)
		}
		_, err = s.FindSubmissionByDigest(ctx, "carrier-b", "digest-s1")
		mustNotFound(t, "another organization's digest", err)
		// Another organization may send identical content: its own submission.
		other := record("carrier-b", "s2", "indicator--b1")
		other.Submission.Digest = "digest-s1"
		if err := s.CreateSubmission(ctx, other); err != nil {
			t.Errorf("carrier-b with carrier-a's digest: %v", err)
		}
	})
	t.Run("atomic", func(t *testing.T) {
		s, st := fresh[sharing.Store](t, open)
		if err := s.CreateSubmission(ctx, record("carrier-a", "s1", "indicator--a1")); err != nil {
			t.Fatal(err)
		}
		before := auditCount(t, st)
		// Everything of s2 is written before its last claim collides.
		rec := record("carrier-b", "s2", "indicator--b1", "indicator--b2", "indicator--a1")
		rec.Obligations = []reporting.Obligation{obligation("obligation--s2", "incident--b", "carrier-b", reporting.KindNISCSharing, nil)}
		if err := s.CreateSubmission(ctx, rec); !errors.Is(err, sharing.ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		_, err := s.FindSubmissionByID(ctx, "s2")
		mustNotFound(t, "the refused submission", err)
		_, err = s.FindObjectVersion(ctx, "carrier-b", sharing.ObjectKey{ID: "indicator--b1", Version: version1})
		mustNotFound(t, "an object of the refused submission", err)
		if owners, err := s.FindObjectOwners(ctx, []string{"indicator--b1", "indicator--b2"}); err != nil || len(owners) != 0 {
			t.Errorf("claims of the refused submission = %v, %v", owners, err)
		}
		_, err = s.FindObligationByID(ctx, "obligation--s2")
		if !errors.Is(err, reporting.ErrNotFound) {
			t.Errorf("obligation of the refused submission: err = %v, want ErrNotFound", err)
		}
		if n := auditCount(t, st); n != before {
			t.Errorf("the refused submission appended %d audit entries", n-before)
		}
		entries, err := s.FindChannelEntries(ctx, sharing.ChannelFilter{Channel: sharing.ChannelISACMembers, Reader: "carrier-c"})
		if err != nil || len(entries) != 1 {
			t.Errorf("channel entries = %d, %v; want only s1's", len(entries), err)
		}
		audited(t, st, sharing.AuditIntake)
	})
}

// TAXIIHub is what paging needs: intake to write entries, TAXII to read them.
type TAXIIHub interface {
	sharing.Store
	sharing.TAXIIStore
}

// testTAXIIPaging: a reader paging by cursor (date_added, seq) while
// several writers commit neither skips nor repeats an entry (TAXII 2.1
// §3.4.1), and every entry has a date_added of its own so that paging by
// added_after alone loses nothing either.
func testTAXIIPaging(t *testing.T, open Open) {
	s, _ := fresh[TAXIIHub](t, open)
	TAXIIPaging(t, 4, s)
}

// TAXIIPaging is the paging check over hubs that share one database (a
// store that runs several hubs calls it with one store per hub): writers
// are spread over the hubs, and the reader asks the hubs in turn, page by
// page, with the cursor the previous page gave.
func TAXIIPaging(t *testing.T, writers int, hubs ...TAXIIHub) {
	ctx := context.Background()
	const subs, objs = 10, 5
	want := map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, writers*subs)
	for w := range writers {
		var ids [][]string
		for i := range subs {
			var batch []string
			for j := range objs {
				id := fmt.Sprintf("indicator--%d-%02d-%d", w, i, j)
				batch = append(batch, id)
				want[id] = true
			}
			ids = append(ids, batch)
		}
		s := hubs[w%len(hubs)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, batch := range ids {
				errs <- s.CreateSubmission(ctx, record(fmt.Sprint("carrier-", w), fmt.Sprintf("s-%d-%d", w, i), batch...))
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	q := sharing.TAXIIQuery{Collection: sharing.ChannelISACMembers, Reader: "carrier-x", Limit: 7}
	seen := map[string]int{}
	var last *sharing.Cursor
	var lastAdded = at(0).AddDate(-1, 0, 0)
	for turn, finished := 0, false; ; turn++ {
		s := hubs[turn%len(hubs)]
		select {
		case <-done:
			finished = true
		default:
		}
		q.After = last
		page, _, err := s.FindTAXIIEntries(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			seen[e.ObjectID]++
			if !e.DateAdded.After(lastAdded) {
				t.Errorf("%s date_added %s not after the entry before it (%s)", e.ObjectID, e.DateAdded, lastAdded)
			}
			lastAdded = e.DateAdded
			last = &sharing.Cursor{DateAdded: e.DateAdded, Seq: e.Seq}
		}
		if len(page) == 0 && finished {
			break
		}
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("%s read %d times while writers committed, want once", id, seen[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("read %d objects, want %d", len(seen), len(want))
	}

	// Afterwards, by added_after alone.
	n := 0
	q.After, q.AddedAfter = nil, at(0).AddDate(-1, 0, 0)
	for turn := 0; ; turn++ {
		page, more, err := hubs[turn%len(hubs)].FindTAXIIEntries(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		n += len(page)
		if !more {
			break
		}
		q.AddedAfter = page[len(page)-1].DateAdded
	}
	if n != len(want) {
		t.Errorf("paging by added_after alone read %d entries, want %d", n, len(want))
	}
}
