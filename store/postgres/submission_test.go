package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// TestClassificationRowWithoutReportKind: a classification row written
// before the store kept the report kind and occurred_at reads with both
// zero (sharing.Statistics then reads the incident) and the rest whole.
func TestClassificationRowWithoutReportKind(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	at := time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC)
	r := reporting.Result{IncidentID: "incident--1", Modified: "2026-07-10T01:00:00.000Z", Organization: "carrier-a",
		Classification: reporting.Serious, Obligations: []reporting.Obligation{}, Evidence: []reporting.Evidence{},
		RuleSet: reporting.DefaultRuleSet, Period: reporting.PeriodOf(at, 3), ReportKind: "service-outage", OccurredAt: at}
	s := &sharing.Submission{ID: "s1", Organization: "carrier-a", ReceivedAt: at, Digest: "d1", ShareWith: []string{}, Incidents: []reporting.Result{r}}
	if err := db.CreateSubmission(ctx, &sharing.IntakeRecord{Submission: s}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, `UPDATE submissions SET classification = classification #- '{0,report_kind}' #- '{0,occurred_at}' WHERE id = 's1'`); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() ([]reporting.Result, error){
		"submission": func() ([]reporting.Result, error) {
			s, err := db.FindSubmissionByID(ctx, "s1")
			if err != nil {
				return nil, err
			}
			return s.Incidents, nil
		},
		"FindClassifications": func() ([]reporting.Result, error) { return db.FindClassifications(ctx, "") },
	} {
		got, err := read()
		if err != nil || len(got) != 1 {
			t.Fatalf("%s: %+v, %v", name, got, err)
		}
		g := got[0]
		if g.ReportKind != "" || !g.OccurredAt.IsZero() || g.RuleSet != r.RuleSet || g.Period != r.Period || g.Classification != r.Classification {
			t.Errorf("%s: %+v; want the row without report kind and occurred_at", name, g)
		}
	}
}
