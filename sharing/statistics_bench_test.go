package sharing_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

// BenchmarkStatisticsCompute computes one quarter's statistics over 10,000
// classified incidents of 10 carriers stored in SQLite (issue #14: from the
// classifications alone, no incident read back).
func BenchmarkStatisticsCompute(b *testing.B) {
	const incidents, perSubmission = 10_000, 100
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "hub.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	occurred := time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC)
	for s := 0; s < incidents/perSubmission; s++ {
		org := fmt.Sprintf("carrier-%d", s%10)
		sub := &sharing.Submission{ID: fmt.Sprintf("s%d", s), Organization: org, ReceivedAt: occurred, Digest: fmt.Sprintf("d%d", s), ShareWith: []string{}}
		rec := &sharing.IntakeRecord{Submission: sub}
		for i := range perSubmission {
			n := s*perSubmission + i
			o, res := benchIncident(b, org, n, occurred.Add(time.Duration(n)*13*time.Minute))
			o.SubmissionID = sub.ID
			rec.Objects = append(rec.Objects, o)
			rec.Claims = append(rec.Claims, o.ID)
			sub.Objects = append(sub.Objects, sharing.SubmittedObject{ID: o.ID, Type: o.Type, Version: o.Version, New: true})
			sub.Incidents = append(sub.Incidents, res)
		}
		if err := db.CreateSubmission(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	st := &sharing.Statistics{Store: db, Now: time.Now}
	q1 := reporting.Period{FiscalYear: 2026, Index: 1, Months: 3}
	b.ResetTimer()
	for b.Loop() {
		got, err := st.Compute(ctx, q1)
		if err != nil {
			b.Fatal(err)
		}
		if got.Incidents == "0" {
			b.Fatal("no incident counted")
		}
	}
}

// benchIncident is incident n of org, a serious outage, stored and classified.
func benchIncident(b *testing.B, org string, n int, occurred time.Time) (*sharing.StoredObject, reporting.Result) {
	b.Helper()
	o, err := stix.NewObject(map[string]any{
		"type": "incident", "spec_version": "2.1", "id": fmt.Sprintf("incident--00000000-0000-4000-8000-%012d", n),
		"created": "2026-04-01T00:00:00.000Z", "modified": "2026-10-01T00:00:00.000Z", "name": "outage",
		"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{
			"extension_type": "property-extension", "report_kind": stix.KindServiceOutage,
			"occurred_at": stix.FormatTimestamp(occurred), "recovered_at": stix.FormatTimestamp(occurred.Add(time.Hour)), "failed_equipment": "core",
			"services": []any{map[string]any{"service_class": "emergency-voice", "impact": "stop", "affected_users": 30000}},
		}},
	})
	if err != nil {
		b.Fatal(err)
	}
	res, err := reporting.Classify(o, reporting.Organization{ID: org}, nil, occurred.Add(2*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	js, err := stix.Canonical(o.Props)
	if err != nil {
		b.Fatal(err)
	}
	return &sharing.StoredObject{ID: o.ID, Type: o.Type, Version: o.Version(), SpecVersion: "2.1", Organization: org,
		DateAdded: occurred, Digest: fmt.Sprint(n), JSON: js}, res
}
