package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/reporting"
)

func obligation(id, incident, org string, kind reporting.Kind, due *reporting.Date) reporting.Obligation {
	form := "様式第1"
	return reporting.Obligation{ID: id, IncidentID: incident, Organization: org, Kind: kind, Recipient: "mic", Form: &form,
		Urgency: reporting.UrgencyWithoutDelay, DueRaw: due, Due: due, Status: reporting.StatusOpen, CreatedAt: at(1), UpdatedAt: at(1)}
}

func datePtr(y int, m time.Month, d int) *reporting.Date {
	x := reporting.NewDate(y, m, d)
	return &x
}

// testObligations: reporting.Store's contract — a batch is all or nothing,
// lists are ordered undated first then by due date and id, updates replace
// the mutable fields.
func testObligations(t *testing.T, open Open) {
	ctx := context.Background()
	os, _ := fresh[reporting.Store](t, open)
	o1 := obligation("obligation--01", "incident--1", "carrier-a", reporting.KindSeriousFirstReport, datePtr(2026, 7, 12))
	o2 := obligation("obligation--02", "incident--1", "carrier-a", reporting.KindSeriousDetailedReport, datePtr(2026, 7, 11))
	o3 := obligation("obligation--03", "incident--2", "carrier-b", reporting.KindNISCSharing, nil)
	o3.Urgency = reporting.UrgencyTimely
	if err := os.CreateObligations(ctx, []reporting.Obligation{o1, o2, o3}); err != nil {
		t.Fatal(err)
	}
	got, err := os.FindObligationByID(ctx, o1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(o1, got); d != "" {
		t.Errorf("obligation 1 (-want +got):\n%s", d)
	}
	_, err = os.FindObligationByID(ctx, "obligation--99")
	if !errors.Is(err, reporting.ErrNotFound) {
		t.Errorf("unknown obligation: err = %v, want reporting.ErrNotFound", err)
	}

	// A batch with one id already stored stores none of it.
	o4 := obligation("obligation--04", "incident--3", "carrier-c", reporting.KindQuarterlyReport, datePtr(2026, 7, 30))
	if err := os.CreateObligations(ctx, []reporting.Obligation{o4, o1}); !errors.Is(err, reporting.ErrConflict) {
		t.Errorf("a batch with a stored id: err = %v, want reporting.ErrConflict", err)
	}
	if _, err := os.FindObligationByID(ctx, o4.ID); !errors.Is(err, reporting.ErrNotFound) {
		t.Errorf("the refused batch's other obligation was stored (err = %v)", err)
	}

	ids := func(f reporting.ObligationFilter) []string {
		t.Helper()
		obls, err := os.FindObligations(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if obls == nil {
			t.Errorf("FindObligations(%+v) = nil, want an empty list", f)
		}
		out := []string{}
		for _, o := range obls {
			out = append(out, o.ID)
		}
		return out
	}
	org, inc, kind, status := "carrier-a", "incident--1", reporting.KindNISCSharing, reporting.StatusOpen
	nobody := "nobody"
	tests := []struct {
		name string
		f    reporting.ObligationFilter
		want []string
	}{
		{"all, undated first then by due", reporting.ObligationFilter{}, []string{"obligation--03", "obligation--02", "obligation--01"}},
		{"by organization", reporting.ObligationFilter{Organization: &org}, []string{"obligation--02", "obligation--01"}},
		{"by incident", reporting.ObligationFilter{IncidentID: &inc}, []string{"obligation--02", "obligation--01"}},
		{"by kind", reporting.ObligationFilter{Kind: &kind}, []string{"obligation--03"}},
		{"by status", reporting.ObligationFilter{Status: &status}, []string{"obligation--03", "obligation--02", "obligation--01"}},
		{"due on or before", reporting.ObligationFilter{DueBefore: datePtr(2026, 7, 11)}, []string{"obligation--02"}},
		{"limit and offset", reporting.ObligationFilter{Limit: 1, Offset: 1}, []string{"obligation--02"}},
		{"nothing matches", reporting.ObligationFilter{Organization: &nobody}, []string{}},
	}
	for _, tt := range tests {
		if got := ids(tt.f); !cmp.Equal(tt.want, got) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	o1.Status, o1.MetReference, o1.UpdatedAt = reporting.StatusMet, "MIC-2026-0001", at(5)
	met := at(5)
	o1.MetAt = &met
	got, err = os.UpdateObligation(ctx, o1)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(o1, got); d != "" {
		t.Errorf("updated obligation (-want +got):\n%s", d)
	}
	metStatus := reporting.StatusMet
	if got := ids(reporting.ObligationFilter{Status: &metStatus}); !cmp.Equal([]string{"obligation--01"}, got) {
		t.Errorf("met obligations = %v", got)
	}
	if _, err := os.UpdateObligation(ctx, o4); !errors.Is(err, reporting.ErrNotFound) {
		t.Errorf("updating an unknown obligation: err = %v, want reporting.ErrNotFound", err)
	}
}
