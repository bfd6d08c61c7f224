package sqlite

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// TestClassificationOldEncoding: a submission stored before the store kept
// its own classification rows holds the API encoding of reporting.Result. It
// still reads: what the encoding kept, the obligations' id, incident and
// organization (which the Result determines), and nothing made up for the
// rule set, period, report kind or occurred_at.
func TestClassificationOldEncoding(t *testing.T) {
	db, _ := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	service := 0
	old := reporting.Result{IncidentID: "incident--1", Modified: "2026-07-10T01:00:00.000Z", Organization: "carrier-a",
		Classification: reporting.Serious, Provisional: true,
		Obligations: []reporting.Obligation{{ID: reporting.ObligationID("incident--1", "carrier-a", reporting.KindSeriousFirstReport),
			IncidentID: "incident--1", Organization: "carrier-a", Kind: reporting.KindSeriousFirstReport, Recipient: "mic",
			Urgency: reporting.UrgencyWithoutDelay, Status: reporting.StatusOpen, CreatedAt: at, UpdatedAt: at}},
		Evidence: []reporting.Evidence{{Rule: "serious/emergency-voice", Service: &service, Detail: "D(30000) = 1h0m0s ≥ 1h"}},
		RuleSet:  reporting.DefaultRuleSet, Period: reporting.PeriodOf(at, 3), ReportKind: "service-outage", OccurredAt: at}
	s := &sharing.Submission{ID: "s1", Organization: "carrier-a", ReceivedAt: at, Digest: "d1", ShareWith: []string{}, Incidents: []reporting.Result{old}}
	if err := db.CreateSubmission(ctx, &sharing.IntakeRecord{Submission: s}); err != nil {
		t.Fatal(err)
	}
	// What the store wrote before: the API encoding.
	api, err := json.Marshal([]reporting.Result{old})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `UPDATE submissions SET classification = ? WHERE id = 's1'`, string(api)); err != nil {
		t.Fatal(err)
	}
	want := old
	want.RuleSet, want.Period, want.ReportKind, want.OccurredAt = "", reporting.Period{}, "", time.Time{}
	want.Obligations = []reporting.Obligation{old.Obligations[0]}
	want.Obligations[0].CreatedAt, want.Obligations[0].UpdatedAt = time.Time{}, time.Time{}

	got, err := db.FindSubmissionByID(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]reporting.Result{want}, got.Incidents); d != "" {
		t.Errorf("submission's classifications (-want +got):\n%s", d)
	}
	all, err := db.FindClassifications(ctx, "carrier-a")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]reporting.Result{want}, all); d != "" {
		t.Errorf("FindClassifications (-want +got):\n%s", d)
	}
	if n := db.skipped.Load(); n != 0 {
		t.Errorf("%d rows skipped as unreadable", n)
	}
}
