package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// partsStore is the hub's store with routing's parts observed as the store
// takes them (IntakeRecord.Routing), and its look-up of a submitter's
// earlier entries failing from call failFrom on (0: never).
type partsStore struct {
	hubStore
	parts    []sharing.RoutedPart
	lookups  int
	failFrom int
}

var errLookup = errors.New("earlier entries unavailable")

func (s *partsStore) CreateSubmission(ctx context.Context, rec *sharing.IntakeRecord) error {
	if next := rec.Routing; next != nil {
		rec.Routing = func() (sharing.RoutedPart, bool, error) {
			p, ok, err := next()
			if ok {
				s.parts = append(s.parts, p)
			}
			return p, ok, err
		}
	}
	return s.hubStore.CreateSubmission(ctx, rec)
}

func (s *partsStore) FindReleasedEntries(ctx context.Context, org string, ids []string) ([]sharing.ChannelEntry, error) {
	s.lookups++
	if s.failFrom > 0 && s.lookups >= s.failFrom {
		return nil, errLookup
	}
	return s.hubStore.FindReleasedEntries(ctx, org, ids)
}

func openPartsHub(t *testing.T, failFrom int) (*hub, *partsStore, *sharing.Organization, *sharing.SubmitRequest) {
	t.Helper()
	dir := t.TempDir()
	if _, err := ensureDemoWorld(dir); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.DataDir = dir
	h, err := openHub(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	ps := &partsStore{hubStore: h.db, failFrom: failFrom}
	h.intake.Store = ps
	org, err := h.registry.FindOrganizationByID("carrier-a")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	req, err := h.intake.ParseSubmission(org, raw)
	if err != nil {
		t.Fatal(err)
	}
	return h, ps, org, req
}

// TestRoutingGivesStatutoryCopiesFirst: the store gets the copies of the
// identified profile (the statutory channels) in a part of their own,
// before the anonymized ones, every copy exactly once, each channel's
// entries in one part, each entry's JSON canonical; and what intake answers
// is what the store kept.
func TestRoutingGivesStatutoryCopiesFirst(t *testing.T) {
	h, ps, org, req := openPartsHub(t, 0)
	ctx := context.Background()
	sub, copies, created, err := h.intake.SubmitCopies(ctx, org, req)
	if err != nil || !created {
		t.Fatalf("submit: created %v, %v", created, err)
	}
	if len(ps.parts) != 2 {
		t.Fatalf("the store took %d parts, want 2 (statutory, then community)", len(ps.parts))
	}
	seen := map[int]bool{}
	partOf := map[sharing.Channel]int{}
	for k, p := range ps.parts {
		for _, c := range p.Copies {
			if identified := c.Route.Profile == anonymize.ProfileIdentified; identified != (k == 0) {
				t.Errorf("part %d carries the %s copy (profile %s)", k, c.Route.Channel, c.Route.Profile)
			}
			if seen[c.Index] {
				t.Errorf("copy %d given twice", c.Index)
			}
			seen[c.Index] = true
		}
		for _, e := range p.Entries {
			// Each entry is served as its JSON: the canonical encoding of
			// the object, also where intake took the anonymizer's bytes.
			o, err := stix.DecodeObject(e.JSON)
			if err != nil {
				t.Fatalf("%s %s: %v", e.Channel, e.ObjectID, err)
			}
			if js, err := stix.Canonical(o.Props); err != nil || !bytes.Equal(js, e.JSON) {
				t.Errorf("%s %s: the entry's JSON is not canonical (%v):\n%s\n%s", e.Channel, e.ObjectID, err, e.JSON, js)
			}
			if prev, ok := partOf[e.Channel]; ok && prev != k {
				t.Errorf("entries of %s in parts %d and %d", e.Channel, prev, k)
			}
			partOf[e.Channel] = k
		}
	}
	if len(ps.parts[0].Copies) == 0 || len(ps.parts[1].Copies) == 0 {
		t.Fatalf("a part is empty: %d statutory and %d community copies; the fixture reaches both", len(ps.parts[0].Copies), len(ps.parts[1].Copies))
	}
	if len(seen) != len(sub.Plan.Channels) || len(copies) != len(sub.Plan.Channels) {
		t.Fatalf("%d copies given and %d answered for a plan of %d routes", len(seen), len(copies), len(sub.Plan.Channels))
	}
	stored, err := h.db.FindCopies(ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range copies {
		if c.Index != i || stored[i].Index != i || c.Status != stored[i].Status || c.Route.Channel != stored[i].Route.Channel {
			t.Errorf("copy %d answered as %d %s %s, stored as %d %s %s", i, c.Index, c.Route.Channel, c.Status, stored[i].Index, stored[i].Route.Channel, stored[i].Status)
		}
	}
}

// TestRoutingFailureAfterStatutoryPart: when routing fails after the store
// has written the statutory part, the whole submission is rolled back:
// nothing of it is stored and no channel holds any of its objects.
func TestRoutingFailureAfterStatutoryPart(t *testing.T) {
	h, ps, org, req := openPartsHub(t, 2) // the community part's look-up fails
	ctx := context.Background()
	_, _, created, err := h.intake.SubmitCopies(ctx, org, req)
	if !errors.Is(err, errLookup) || created {
		t.Fatalf("submit: created %v, %v; want the look-up's error", created, err)
	}
	if len(ps.parts) != 1 || len(ps.parts[0].Entries) == 0 {
		t.Fatalf("the store took %d parts; the test needs the statutory part written before the failure", len(ps.parts))
	}
	var ids []string
	for _, o := range req.Bundle.Objects {
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	if prior, err := h.db.FindReleasedEntries(ctx, org.ID, ids); err != nil || len(prior) != 0 {
		t.Fatalf("after the rollback the channels hold %d entries of the bundle (%v)", len(prior), err)
	}
	// Submitted again with the look-up working, it is new: nothing was kept.
	ps.failFrom = 0
	if _, _, created, err := h.intake.SubmitCopies(ctx, org, req); err != nil || !created {
		t.Fatalf("second submit: created %v, %v", created, err)
	}
}
