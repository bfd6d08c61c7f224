package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

const version2 = "2026-07-11T01:00:00.000Z"

// withCopies is record plus the copies routing made: an isac-members copy
// held for review, a nisc copy withheld by the leak check, and an
// isac-internal copy named to carrier-b, released.
func withCopies(org, subID string, ids ...string) *sharing.IntakeRecord {
	rec := record(org, subID, ids...)
	rec.Submission.HoldForReview = true
	var objs [][]byte
	rec.Entries = nil
	for _, o := range rec.Objects {
		objs = append(objs, o.JSON)
		rec.Entries = append(rec.Entries, sharing.ChannelEntry{Channel: sharing.ChannelISACMembers, ObjectID: o.ID, Version: o.Version,
			SubmissionID: subID, Organization: org, Status: sharing.StatusHeld, JSON: o.JSON})
	}
	named := objs[:1]
	rec.Entries = append(rec.Entries, sharing.ChannelEntry{Channel: sharing.ChannelISACInternal, ObjectID: ids[0], Version: version1,
		SubmissionID: subID, Organization: org, Recipients: []string{"carrier-b"}, Status: sharing.StatusReleased, JSON: named[0]})
	rec.Copies = []sharing.StoredCopy{
		{SubmissionID: subID, Index: 0, Route: sharing.Route{Channel: sharing.ChannelISACMembers, Objects: ids}, Status: sharing.StatusHeld,
			BundleID: "bundle--" + subID + "-0", Objects: objs},
		{SubmissionID: subID, Index: 1, Route: sharing.Route{Channel: sharing.ChannelNISC, Objects: ids}, Status: sharing.StatusWithheld,
			Hits: []anonymize.Hit{{Pointer: "/objects/0/name", Kind: "person"}}, Notice: "withheld"},
		{SubmissionID: subID, Index: 2, Route: sharing.Route{Channel: sharing.ChannelISACInternal, Recipients: []string{"carrier-b"}, Objects: ids[:1], Named: true},
			Status: sharing.StatusReleased, BundleID: "bundle--" + subID + "-2", Objects: named},
	}
	rec.Submission.Plan = sharing.Plan{Channels: []sharing.Route{rec.Copies[0].Route, rec.Copies[1].Route, rec.Copies[2].Route}}
	return rec
}

// testReleases: copies as stored, held copies released by their submitter
// with fresh stamps, withheld copies never, named copies only to their
// recipients, revocations, and the classifications intake answered.
func testReleases(t *testing.T, open Open) {
	ctx := context.Background()
	s, st := fresh[TAXIIHub](t, open)
	review := need[sharing.ReviewStore](t, st)
	rec := withCopies("carrier-a", "s1", "indicator--a1", "indicator--a2")
	rec.Submission.Incidents = []reporting.Result{{IncidentID: "incident--1", Modified: version1, Organization: "carrier-a"}}
	if err := s.CreateSubmission(ctx, rec); err != nil {
		t.Fatal(err)
	}

	copies, err := s.FindCopies(ctx, "s1")
	if err != nil || len(copies) != 3 {
		t.Fatalf("copies = %d, %v; want 3", len(copies), err)
	}
	for i, c := range copies {
		want := rec.Copies[i]
		if c.Index != i || c.Status != want.Status || c.Route.Channel != want.Route.Channel || c.Notice != want.Notice || len(c.Hits) != len(want.Hits) {
			t.Errorf("copy %d = %+v; want %+v", i, c, want)
		}
		if want.BundleID == "" {
			if c.Bundle != nil {
				t.Errorf("withheld copy %d has a bundle", i)
			}
			continue
		}
		b, _ := sharing.RawBundle(want.BundleID, want.Objects)
		if !bytes.Equal(c.Bundle, b) {
			t.Errorf("copy %d bundle = %s; want %s", i, c.Bundle, b)
		}
	}
	got, err := s.FindSubmissionByID(ctx, "s1")
	if err != nil || len(got.Plan.Channels) != 3 || !got.HoldForReview {
		t.Errorf("submission = %+v, %v; want its plan of 3 routes, held", got, err)
	}
	if cs, err := s.FindClassifications(ctx, ""); err != nil || len(cs) != 1 || cs[0].IncidentID != "incident--1" || cs[0].Organization != "carrier-a" {
		t.Errorf("classifications = %+v, %v", cs, err)
	}
	if cs, err := s.FindClassifications(ctx, "carrier-a"); err != nil || len(cs) != 1 {
		t.Errorf("carrier-a's classifications = %+v, %v; want its one", cs, err)
	}
	if cs, err := s.FindClassifications(ctx, "carrier-b"); err != nil || len(cs) != 0 {
		t.Errorf("carrier-b's classifications = %+v, %v; want none (the only one is carrier-a's)", cs, err)
	}

	held, err := review.FindHeldCopies(ctx, 10)
	if err != nil || len(held) != 1 || held[0].SubmissionID != "s1" || held[0].Channel != sharing.ChannelISACMembers || held[0].Organization != "carrier-a" {
		t.Errorf("held copies = %+v, %v", held, err)
	}
	withheld, err := s.FindWithheldCopies(ctx, 10)
	if err != nil || len(withheld) != 1 || withheld[0].Channel != sharing.ChannelNISC || len(withheld[0].Reasons) != 1 {
		t.Errorf("withheld copies = %+v, %v", withheld, err)
	}

	read := func(ch sharing.Channel, reader string) []sharing.ChannelEntry {
		t.Helper()
		es, err := s.FindChannelEntries(ctx, sharing.ChannelFilter{Channel: ch, Reader: reader})
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	if es := read(sharing.ChannelISACMembers, "carrier-x"); len(es) != 0 {
		t.Errorf("held entries served: %d", len(es))
	}
	if es := read(sharing.ChannelISACInternal, "carrier-b"); len(es) != 1 || es[0].ObjectID != "indicator--a1" || fmt.Sprint(es[0].Recipients) != "[carrier-b]" {
		t.Errorf("named entry for its recipient = %+v", es)
	}
	if es := read(sharing.ChannelISACInternal, "carrier-c"); len(es) != 0 {
		t.Errorf("named entry served to another organization: %+v", es)
	}
	page, _, err := s.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelISACInternal, Reader: "carrier-c", Limit: 10})
	if err != nil || len(page) != 0 {
		t.Errorf("TAXII named entry for another organization = %+v, %v", page, err)
	}
	namedAt := read(sharing.ChannelISACInternal, "carrier-b")[0].DateAdded

	n, err := s.ReleaseHeld(ctx, "s1", ev(sharing.AuditIntake, "s1"))
	if err != nil || n != 1 {
		t.Fatalf("release held = %d, %v; want 1 copy", n, err)
	}
	es := read(sharing.ChannelISACMembers, "carrier-x")
	if len(es) != 2 {
		t.Fatalf("released entries = %d; want 2", len(es))
	}
	if !es[0].DateAdded.After(namedAt) || !es[1].DateAdded.After(es[0].DateAdded) {
		t.Errorf("released entries stamped %s, %s; want each after the last stamp (%s)", es[0].DateAdded, es[1].DateAdded, namedAt)
	}
	if held, err := review.FindHeldCopies(ctx, 10); err != nil || len(held) != 0 {
		t.Errorf("held copies after release = %+v, %v", held, err)
	}
	if copies, _ := s.FindCopies(ctx, "s1"); len(copies) != 3 || copies[0].Status != sharing.StatusReleased || copies[1].Status != sharing.StatusWithheld {
		t.Errorf("copies after release = %+v", copies)
	}
	if n, err := s.ReleaseHeld(ctx, "s1", ev(sharing.AuditIntake, "s1")); err != nil || n != 0 {
		t.Errorf("second release = %d, %v; want 0", n, err)
	}

	// A later version of a1 revokes the first in isac-members.
	released, err := s.FindReleasedEntries(ctx, "carrier-a", []string{"indicator--a1"})
	if err != nil || len(released) != 2 {
		t.Fatalf("released entries of a1 = %+v, %v; want isac-internal and isac-members", released, err)
	}
	var old sharing.ChannelEntry
	for _, e := range released {
		if e.Channel == sharing.ChannelISACMembers {
			old = e
		}
	}
	next := record("carrier-a", "s2")
	js := []byte(fmt.Sprintf(`{"id":"indicator--a1","modified":%q,"type":"indicator"}`, version2))
	next.Objects = []*sharing.StoredObject{{ID: "indicator--a1", Type: "indicator", Version: version2, SpecVersion: "2.1",
		Organization: "carrier-a", SubmissionID: "s2", DateAdded: at(2), Digest: "sha-a1-2", JSON: js}}
	next.Submission.Objects = []sharing.SubmittedObject{{ID: "indicator--a1", Type: "indicator", Version: version2, New: true}}
	next.Entries = []sharing.ChannelEntry{{Channel: sharing.ChannelISACMembers, ObjectID: "indicator--a1", Version: version2,
		SubmissionID: "s2", Organization: "carrier-a", Status: sharing.StatusReleased, JSON: js}}
	next.Revoked = []sharing.ChannelEntry{old}
	if err := s.CreateSubmission(ctx, next); err != nil {
		t.Fatal(err)
	}
	page, _, err = s.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelISACMembers, Reader: "carrier-x", IDs: []string{"indicator--a1"},
		Versions: sharing.VersionMatch{All: true}, Limit: 10})
	if err != nil || len(page) != 1 || page[0].Version != version2 {
		t.Errorf("versions of a1 after the revocation = %+v, %v; want only %s", page, err, version2)
	}
	if o, err := s.FindLatestObject(ctx, "carrier-a", "indicator--a1"); err != nil || o.Version != version2 {
		t.Errorf("latest a1 = %+v, %v", o, err)
	}
	if o, err := s.FindObjectBefore(ctx, "carrier-a", "indicator--a1", version2); err != nil || o.Version != version1 {
		t.Errorf("a1 before %s = %+v, %v", version2, o, err)
	}
	// The intake collection holds each of carrier-a's versions once.
	page, _, err = s.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelIntake, Reader: "carrier-a", Versions: sharing.VersionMatch{All: true}, Limit: 10, WithJSON: true})
	if err != nil || len(page) != 3 || page[2].Version != version2 || !bytes.Equal(page[2].JSON, js) {
		t.Errorf("carrier-a's intake collection = %+v, %v", page, err)
	}
	if page, _, _ := s.FindTAXIIEntries(ctx, sharing.TAXIIQuery{Collection: sharing.ChannelIntake, Reader: "carrier-b", Limit: 10}); len(page) != 0 {
		t.Errorf("carrier-b reads carrier-a's intake: %+v", page)
	}
	audited(t, st, sharing.AuditIntake, sharing.AuditIntake, sharing.AuditIntake)
}
