package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// classified is a classification as intake makes it: obligations with their
// bookkeeping, evidence, and what the API encoding of reporting.Result
// leaves out (rule set, period, report kind, occurred_at).
func classified(org, incidentID string) reporting.Result {
	form := "施行規則様式第50の3"
	dueRaw, due := reporting.NewDate(2026, 8, 9), reporting.NewDate(2026, 8, 10)
	met := at(5)
	service := 0
	return reporting.Result{
		IncidentID: incidentID, Modified: version1, Organization: org, Classification: reporting.Serious,
		Obligations: []reporting.Obligation{
			{ID: reporting.ObligationID(incidentID, org, reporting.KindSeriousFirstReport), IncidentID: incidentID, Organization: org,
				Kind: reporting.KindSeriousFirstReport, Recipient: "mic", Urgency: reporting.UrgencyWithoutDelay, Status: reporting.StatusMet,
				MetReference: "MIC-1", MetAt: &met, CreatedAt: at(1), UpdatedAt: at(5)},
			{ID: reporting.ObligationID(incidentID, org, reporting.KindSeriousDetailedReport), IncidentID: incidentID, Organization: org,
				Kind: reporting.KindSeriousDetailedReport, Recipient: "mic", Form: &form, DueRaw: &dueRaw, Due: &due,
				Status: reporting.StatusOpen, CreatedAt: at(1), UpdatedAt: at(1)},
		},
		Evidence:   []reporting.Evidence{{Rule: "serious/emergency-voice", Service: &service, Detail: "D(30000) = 1h0m0s ≥ 1h"}},
		RuleSet:    reporting.RuleSet2025,
		Period:     reporting.Period{FiscalYear: 2026, Index: 2, Months: 3},
		ReportKind: "service-outage",
		OccurredAt: at(0),
	}
}

// testClassifications: a classification reads back whole, through the
// submission and through FindClassifications, with what the API encoding
// leaves out (issue #14: the statistics count from it alone).
func testClassifications(t *testing.T, open Open) {
	ctx := context.Background()
	s, _ := fresh[sharing.Store](t, open)
	rec := record("carrier-a", "s1", "indicator--a1")
	want := []reporting.Result{classified("carrier-a", "incident--1"), classified("carrier-a", "incident--2")}
	want[1].Provisional, want[1].Classification, want[1].ReportKind = true, reporting.NotReportable, "near-miss"
	want[1].Obligations, want[1].Evidence = []reporting.Obligation{}, []reporting.Evidence{}
	rec.Submission.Incidents = want
	if err := s.CreateSubmission(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSubmission(ctx, record("carrier-b", "s2", "indicator--b1")); err != nil {
		t.Fatal(err)
	}
	sameInstant := cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })
	sub, err := s.FindSubmissionByID(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, sub.Incidents, sameInstant); d != "" {
		t.Errorf("submission's classifications (-want +got):\n%s", d)
	}
	got, err := s.FindClassifications(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, sameInstant); d != "" {
		t.Errorf("FindClassifications (-want +got):\n%s", d)
	}
	if sub, err := s.FindSubmissionByID(ctx, "s2"); err != nil || sub.Incidents == nil || len(sub.Incidents) != 0 {
		t.Errorf("a submission without incidents reads %#v, %v; want an empty list", sub, err)
	}
}
