package sharing_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// countingStore counts the stored objects read through it. With legacy set,
// the classifications read as rows written before the store kept the report
// kind and occurred_at (issue #14): in the API encoding, which lacks them,
// the rule set and the period (store/sqlite's TestClassificationOldEncoding
// shows a stored row of that kind reading so).
type countingStore struct {
	sharing.Store
	objectReads atomic.Int64
	legacy      bool
}

func (s *countingStore) FindObjectVersion(ctx context.Context, org string, key sharing.ObjectKey) (*sharing.StoredObject, error) {
	s.objectReads.Add(1)
	return s.Store.FindObjectVersion(ctx, org, key)
}

func (s *countingStore) FindClassifications(ctx context.Context, organization string) ([]reporting.Result, error) {
	rs, err := s.Store.FindClassifications(ctx, organization)
	if s.legacy {
		for i := range rs {
			rs[i].RuleSet, rs[i].Period, rs[i].ReportKind, rs[i].OccurredAt = "", reporting.Period{}, "", time.Time{}
		}
	}
	return rs, err
}

// submitIncident files a version of a telecom incident of kind, modified
// now: an outage is an emergency-voice stop of 30,000 users for an hour (a
// serious accident); other kinds have no services.
func (w *boardWorld) submitIncident(t *testing.T, org, id, kind string, occurred time.Time) {
	t.Helper()
	o := w.org(t, org)
	modified := stix.FormatTimestamp(w.clock.Now().UTC().Truncate(time.Millisecond))
	ext := map[string]any{"extension_type": "property-extension", "report_kind": kind,
		"occurred_at": stix.FormatTimestamp(occurred), "recovered_at": stix.FormatTimestamp(occurred.Add(time.Hour))}
	if kind == stix.KindServiceOutage {
		ext["failed_equipment"] = "core"
		ext["services"] = []any{map[string]any{"service_class": "emergency-voice", "impact": "stop", "affected_users": 30000}}
	}
	inc, err := stix.NewObject(map[string]any{
		"type": "incident", "spec_version": "2.1", "id": id, "created": "2026-04-01T00:00:00.000Z", "modified": modified,
		"name": kind, "created_by_ref": o.Identity, "object_marking_refs": []any{stix.MarkingAmber},
		"extensions": map[string]any{stix.TelecomExtensionID: ext},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.in.Submit(context.Background(), o, &sharing.SubmitRequest{Bundle: &stix.Bundle{ID: "bundle--" + uuid.NewString(), Objects: []*stix.Object{inc}}}); err != nil {
		t.Fatalf("submit %s %s: %v", kind, id, err)
	}
	w.clock.Add(time.Minute)
}

// statisticsWorld holds, by occurred_at in Japan time: in FY2026Q2 three
// serious outages (one at 00:30 on 1 July JST, still 30 June in UTC) and a
// near miss; in FY2026Q1 an outage, a leak of facility information, and an
// outage first reported in Q2 and corrected to Q1 by a later version.
func statisticsWorld(t *testing.T) *boardWorld {
	w := newBoardWorld(t)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 1, 0, 0, 0, time.UTC) }
	w.submitIncident(t, "carrier-a", "incident--"+uuid.NewString(), stix.KindServiceOutage, day(7, 9))
	w.submitIncident(t, "carrier-a", "incident--"+uuid.NewString(), stix.KindServiceOutage, day(7, 2))
	w.submitIncident(t, "carrier-b", "incident--"+uuid.NewString(), stix.KindServiceOutage, time.Date(2026, 6, 30, 15, 30, 0, 0, time.UTC))
	w.submitIncident(t, "carrier-b", "incident--"+uuid.NewString(), stix.KindNearMiss, day(7, 1))
	w.submitIncident(t, "carrier-a", "incident--"+uuid.NewString(), stix.KindServiceOutage, day(6, 1))
	w.submitIncident(t, "carrier-a", "incident--"+uuid.NewString(), stix.KindInfoLeak, day(4, 2))
	corrected := "incident--" + uuid.NewString()
	w.submitIncident(t, "carrier-b", corrected, stix.KindServiceOutage, day(7, 5))
	w.submitIncident(t, "carrier-b", corrected, stix.KindServiceOutage, day(6, 20))
	return w
}

var statisticsPeriods = []reporting.Period{
	{FiscalYear: 2026, Index: 1, Months: 3}, {FiscalYear: 2026, Index: 2, Months: 3},
	{FiscalYear: 2026, Index: 3, Months: 3}, {FiscalYear: 2026, Index: 1, Months: 12},
}

// TestStatisticsComputeReadsNoObjects: the statistics count from the
// classifications alone, and count what reading every incident counted.
func TestStatisticsComputeReadsNoObjects(t *testing.T) {
	w := statisticsWorld(t)
	ctx := context.Background()
	cs := &countingStore{Store: w.db}
	st := &sharing.Statistics{Store: cs, Now: w.clock.Now}
	for _, p := range statisticsPeriods {
		got, err := st.Compute(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(statisticsFromObjects(t, w.db, p), got); d != "" {
			t.Errorf("%s (-from the objects +from the classifications):\n%s", p, d)
		}
	}
	if n := cs.objectReads.Load(); n != 0 {
		t.Errorf("Compute read %d stored objects; want none", n)
	}
	q2, err := st.Compute(ctx, statisticsPeriods[1])
	if err != nil {
		t.Fatal(err)
	}
	if q2.Incidents != "4" || q2.ByClassification["serious"] != "3" || q2.ByReportKind["service-outage"] != "3" || q2.ByReportKind["near-miss"] != "<3" {
		t.Errorf("FY2026Q2 = %+v; want 4 incidents, 3 serious outages and a near miss", q2)
	}
	if fy, err := st.Compute(ctx, statisticsPeriods[3]); err != nil || fy.Incidents != "7" {
		t.Errorf("FY2026 = %+v, %v; want 7 incidents", fy, err)
	}
}

// TestStatisticsComputeOldClassifications: classifications stored before
// they kept the report kind and occurred_at are counted as before, from
// their incidents.
func TestStatisticsComputeOldClassifications(t *testing.T) {
	w := statisticsWorld(t)
	ctx := context.Background()
	cs := &countingStore{Store: w.db, legacy: true}
	st := &sharing.Statistics{Store: cs, Now: w.clock.Now}
	for _, p := range statisticsPeriods {
		got, err := st.Compute(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(statisticsFromObjects(t, w.db, p), got); d != "" {
			t.Errorf("%s (-want +got):\n%s", p, d)
		}
	}
	if cs.objectReads.Load() == 0 {
		t.Error("old classifications were counted without reading their incidents")
	}
}

// statisticsFromObjects is Statistics.Compute as it was before issue #14:
// the period and report kind read from each latest classified incident.
func statisticsFromObjects(t *testing.T, s sharing.Store, p reporting.Period) sharing.QuarterStatistics {
	t.Helper()
	ctx := context.Background()
	all, err := s.FindClassifications(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	latest := map[string]reporting.Result{}
	for _, r := range all {
		k := r.Organization + " " + r.IncidentID
		prev, ok := latest[k]
		if ok {
			a, _ := stix.ParseTimestamp(r.Modified)
			b, _ := stix.ParseTimestamp(prev.Modified)
			ok = !a.After(b)
		}
		if !ok {
			latest[k] = r
		}
	}
	byClass, byKind, total := map[string]int{}, map[string]int{}, 0
	for _, r := range latest {
		stored, err := s.FindObjectVersion(ctx, r.Organization, sharing.ObjectKey{ID: r.IncidentID, Version: r.Modified})
		if errors.Is(err, sharing.ErrNotFound) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		o, err := stix.DecodeObject(stored.JSON)
		if err != nil {
			t.Fatal(err)
		}
		tc, ok, err := o.TelecomExtension()
		if err != nil || !ok || reporting.PeriodOf(tc.OccurredAt, p.Months) != p {
			continue
		}
		total++
		byClass[string(r.Classification)]++
		byKind[tc.ReportKind]++
	}
	shown := func(n int) string {
		switch {
		case n > 0 && n < 3:
			return "<3"
		case n < 10:
			return string(rune('0' + n))
		}
		t.Fatalf("count %d: the test world is smaller", n)
		return ""
	}
	st := sharing.QuarterStatistics{Period: p.String(), Incidents: shown(total), ByClassification: map[string]string{}, ByReportKind: map[string]string{}}
	for _, c := range []string{"serious", "possibly-serious", "quarterly", "quarterly-simple", "exempt", "not-reportable"} {
		st.ByClassification[c] = shown(byClass[c])
	}
	for _, k := range []string{stix.KindServiceOutage, stix.KindCyberAttack, stix.KindInfoLeak, stix.KindNearMiss, stix.KindDisasterDamage} {
		st.ByReportKind[k] = shown(byKind[k])
	}
	return st
}
