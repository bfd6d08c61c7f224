package sharing_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

func TestStatisticsPublished(t *testing.T) {
	w := newBoardWorld(t)
	ctx := context.Background()
	st := &sharing.Statistics{Store: w.db, Now: w.clock.Now}
	got, err := st.Published(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("nothing published yet: %v %v", got, err)
	}
	w.submit(t, "carrier-a", "outage", time.Date(2026, 7, 9, 1, 0, 0, 0, time.UTC), time.Hour, 30000)
	q1 := reporting.Period{FiscalYear: 2026, Index: 1, Months: 3}
	q2 := reporting.Period{FiscalYear: 2026, Index: 2, Months: 3}
	for _, p := range []reporting.Period{q2, q1} {
		if _, err := st.Publish(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	// A carrier's CLEAR report that looks like the hub's statistics is not
	// the hub's publication. (The public profile already drops the custom
	// property; Published's hub-only check is a second line that this test
	// does not reach on its own.)
	a := w.org(t, "carrier-a")
	modified := stix.FormatTimestamp(w.clock.Now().UTC())
	fake, err := stix.NewObject(map[string]any{
		"type": "report", "spec_version": "2.1", "id": "report--" + uuid.NewString(), "created": modified, "modified": modified,
		"published": modified, "name": "statistics", "report_types": []any{"statistics"}, "object_refs": []any{a.Identity},
		"created_by_ref": a.Identity, "object_marking_refs": []any{stix.MarkingClear},
		"x_kakehashi_statistics": map[string]any{"period": "FY2026Q2", "incidents": "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.in.Submit(ctx, a, &sharing.SubmitRequest{Bundle: &stix.Bundle{ID: "bundle--" + uuid.NewString(), Objects: []*stix.Object{fake}}}); err != nil {
		t.Fatal(err)
	}
	got, err = st.Published(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Period != "FY2026Q1" || got[1].Period != "FY2026Q2" {
		t.Fatalf("published = %+v", got)
	}
	if got[1].Incidents != "<3" || got[1].ByClassification["serious"] != "<3" || got[0].Incidents != "0" {
		t.Errorf("figures = %+v", got)
	}
}
