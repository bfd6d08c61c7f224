package sharing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// HubOrganization is the organization id under which the hub files what it
// publishes itself (the public quarterly statistics).
const HubOrganization = "hub"

// minPublishedCount is the smallest count published as a number; smaller
// non-zero counts read "<3", so that a quarter with one serious accident
// does not point at the one carrier everybody saw in the news.
const minPublishedCount = 3

// QuarterStatistics are the public figures of one reporting period
// (SHARING.md §2: the public channel carries CLEAR content and quarterly
// statistics): how many telecom incidents occurred in it, by statutory class
// and by report kind, with small counts suppressed. No organization is named.
type QuarterStatistics struct {
	Period           string            `json:"period"`
	Incidents        string            `json:"incidents"`
	ByClassification map[string]string `json:"by_classification"`
	ByReportKind     map[string]string `json:"by_report_kind"`
}

// Statistics computes the quarterly statistics and publishes them to the
// public channel as a STIX report, a new version whenever they change.
type Statistics struct {
	Store Store
	Now   func() time.Time
}

func published(n int) string {
	if n > 0 && n < minPublishedCount {
		return "<" + strconv.Itoa(minPublishedCount)
	}
	return strconv.Itoa(n)
}

// Compute counts the telecom incidents that occurred in the period (by
// occurred_at in Japan time), each incident once per reporting organization
// with its latest classification. It counts from the classifications alone:
// each keeps the report kind and occurred_at of the version it classified.
func (s *Statistics) Compute(ctx context.Context, p reporting.Period) (QuarterStatistics, error) {
	all, err := s.Store.FindClassifications(ctx, "")
	if err != nil {
		return QuarterStatistics{}, err
	}
	latest := map[string]reporting.Result{}
	for _, r := range all {
		k := r.Organization + " " + r.IncidentID
		if prev, ok := latest[k]; !ok || laterVersion(r.Modified, prev.Modified) {
			latest[k] = r
		}
	}
	byClass, byKind := map[string]int{}, map[string]int{}
	total := 0
	for _, r := range latest {
		kind, occurred, ok, err := s.incidentFacts(ctx, r)
		if err != nil {
			return QuarterStatistics{}, err
		}
		if !ok || reporting.PeriodOf(occurred, p.Months) != p {
			continue
		}
		total++
		byClass[string(r.Classification)]++
		byKind[kind]++
	}
	st := QuarterStatistics{Period: p.String(), Incidents: published(total), ByClassification: map[string]string{}, ByReportKind: map[string]string{}}
	for _, c := range []reporting.Classification{reporting.Serious, reporting.PossiblySerious, reporting.Quarterly, reporting.QuarterlySimple, reporting.Exempt, reporting.NotReportable} {
		st.ByClassification[string(c)] = published(byClass[string(c)])
	}
	for _, k := range []string{stix.KindServiceOutage, stix.KindCyberAttack, stix.KindInfoLeak, stix.KindNearMiss, stix.KindDisasterDamage} {
		st.ByReportKind[k] = published(byKind[k])
	}
	return st, nil
}

// incidentFacts returns the report kind and occurred_at of the classified
// version, and false when it is not to be counted. A classification stored
// before the store kept them (no report kind) has them read from the stored
// incident, as Compute once did for every classification.
func (s *Statistics) incidentFacts(ctx context.Context, r reporting.Result) (string, time.Time, bool, error) {
	if r.ReportKind != "" {
		return r.ReportKind, r.OccurredAt, true, nil
	}
	stored, err := s.Store.FindObjectVersion(ctx, r.Organization, ObjectKey{ID: r.IncidentID, Version: r.Modified})
	if errors.Is(err, ErrNotFound) {
		return "", time.Time{}, false, nil
	}
	if err != nil {
		return "", time.Time{}, false, err
	}
	o, err := stix.DecodeObject(stored.JSON)
	if err != nil {
		return "", time.Time{}, false, fmt.Errorf("decode %s: %w", r.IncidentID, err)
	}
	t, ok, err := o.TelecomExtension()
	if err != nil || !ok {
		return "", time.Time{}, false, nil
	}
	return t.ReportKind, t.OccurredAt, true, nil
}

func laterVersion(a, b string) bool {
	ta, errA := stix.ParseTimestamp(a)
	tb, errB := stix.ParseTimestamp(b)
	if errA != nil || errB != nil {
		return a > b
	}
	return ta.After(tb)
}

// statisticsReportID is stable per period, so each publication is a new
// version of the same report.
func statisticsReportID(p reporting.Period) string {
	return "report--" + derivedUUID("kakehashi quarterly statistics", p.String())
}

// Publish computes the period's statistics and, when they differ from the
// last published version, releases a new version of the period's report in
// the public channel. It reports whether it published.
func (s *Statistics) Publish(ctx context.Context, p reporting.Period) (bool, error) {
	st, err := s.Compute(ctx, p)
	if err != nil {
		return false, err
	}
	statsJSON, err := json.Marshal(st)
	if err != nil {
		return false, err
	}
	var statsValue map[string]any
	if err := json.Unmarshal(statsJSON, &statsValue); err != nil {
		return false, err
	}
	id := statisticsReportID(p)
	var lastModified time.Time
	if prev, err := s.Store.FindLatestObject(ctx, HubOrganization, id); err == nil {
		o, err := stix.DecodeObject(prev.JSON)
		if err == nil {
			lastModified = o.Modified
			was, _ := stix.Canonical(o.Props["x_kakehashi_statistics"])
			now, _ := stix.Canonical(statsValue)
			if string(was) == string(now) {
				return false, nil
			}
		}
	} else if !errors.Is(err, ErrNotFound) {
		return false, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	if start := p.Start().Time().UTC(); now.Before(start) {
		now = start
	}
	if !now.After(lastModified) {
		now = lastModified.Add(time.Millisecond) // every version needs a later modified
	}
	objs, err := statisticsObjects(st, p, id, statsValue, now)
	if err != nil {
		return false, err
	}
	rec, err := s.publication(ctx, st, objs)
	if err != nil {
		return false, err
	}
	if err := s.Store.CreateSubmission(ctx, rec); err != nil {
		return false, fmt.Errorf("publish statistics: %w", err)
	}
	return true, nil
}

// statisticsObjects is the version of the period's report modified at now,
// with the hub identity and the CLEAR marking it refers to, checked as STIX.
func statisticsObjects(st QuarterStatistics, p reporting.Period, id string, statsValue map[string]any, now time.Time) ([]*stix.Object, error) {
	start := p.Start().Time().UTC()
	var lines []string
	lines = append(lines, fmt.Sprintf("Telecommunications incidents reported to the Kakehashi hub that occurred in %s (%s to %s, Japan time): %s.",
		st.Period, p.Start(), p.End(), st.Incidents))
	for _, k := range slices.Sorted(maps.Keys(st.ByClassification)) {
		lines = append(lines, fmt.Sprintf("- classified %s: %s", k, st.ByClassification[k]))
	}
	for _, k := range slices.Sorted(maps.Keys(st.ByReportKind)) {
		lines = append(lines, fmt.Sprintf("- reported as %s: %s", k, st.ByReportKind[k]))
	}
	lines = append(lines, fmt.Sprintf("Counts below %d are shown as <%d.", minPublishedCount, minPublishedCount))
	report, err := stix.NewObject(map[string]any{
		"type": "report", "spec_version": stix.SpecVersion, "id": id,
		"created": stix.FormatTimestamp(start), "modified": stix.FormatTimestamp(now), "published": stix.FormatTimestamp(now),
		"name": "Telecom incident statistics " + st.Period, "description": strings.Join(lines, "\n"),
		"report_types":           []any{"statistics"},
		"object_refs":            []any{stix.HubIdentityID},
		"created_by_ref":         stix.HubIdentityID,
		"object_marking_refs":    []any{stix.MarkingClear},
		"x_kakehashi_statistics": statsValue,
	})
	if err != nil {
		return nil, err
	}
	objs := []*stix.Object{report}
	for _, props := range []map[string]any{stix.HubIdentity(), mustStandardMarking(stix.MarkingClear)} {
		o, err := stix.NewObject(props)
		if err != nil {
			return nil, err
		}
		objs = append(objs, o)
	}
	if err := stix.Validate(&stix.Bundle{ID: "bundle--" + uuid.NewString(), Objects: objs}); err != nil {
		return nil, fmt.Errorf("statistics report is not valid STIX: %w", err)
	}
	return objs, nil
}

// publication is the record that releases the objects in the public channel
// as a submission of the hub: the versions not stored yet, the entries the
// channel does not hold yet, and the audit entry that lists their digests.
func (s *Statistics) publication(ctx context.Context, st QuarterStatistics, objs []*stix.Object) (*IntakeRecord, error) {
	sub := &Submission{ID: uuid.NewString(), Organization: HubOrganization, ReceivedAt: s.Now().UTC().Truncate(time.Microsecond)}
	digest := sha256.New()
	rec := &IntakeRecord{Submission: sub}
	ids := make([]string, len(objs))
	for i, o := range objs {
		ids[i] = o.ID
	}
	prior, err := s.Store.FindReleasedEntries(ctx, HubOrganization, ids)
	if err != nil {
		return nil, err
	}
	keys := make([]ObjectKey, len(objs))
	for i, o := range objs {
		keys[i] = ObjectKey{ID: o.ID, Version: o.Version()}
	}
	stored, err := s.Store.FindObjectDigests(ctx, HubOrganization, keys)
	if err != nil {
		return nil, err
	}
	for i, o := range objs {
		js, err := stix.Canonical(o.Props)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(js)
		d := hex.EncodeToString(sum[:])
		fmt.Fprintf(digest, "%s %s %s\n", o.ID, o.Version(), d)
		key := keys[i]
		_, exists := stored[key]
		sub.Objects = append(sub.Objects, SubmittedObject{ID: o.ID, Type: o.Type, Version: key.Version, New: !exists})
		if !exists {
			rec.Objects = append(rec.Objects, &StoredObject{ID: o.ID, Type: o.Type, Version: key.Version, SpecVersion: stix.SpecVersion,
				Organization: HubOrganization, SubmissionID: sub.ID, DateAdded: sub.ReceivedAt, Digest: d, JSON: js})
		}
		if slices.ContainsFunc(prior, func(e ChannelEntry) bool {
			return e.Channel == ChannelPublic && e.ObjectID == o.ID && e.Version == key.Version
		}) {
			continue
		}
		rec.Entries = append(rec.Entries, ChannelEntry{Channel: ChannelPublic, ObjectID: o.ID, Version: key.Version, SubmissionID: sub.ID,
			Organization: HubOrganization, Status: StatusReleased, DateAdded: sub.ReceivedAt, JSON: js})
	}
	sub.Digest = hex.EncodeToString(digest.Sum(nil))
	sub.Plan = Plan{Channels: []Route{{Channel: ChannelPublic, Profile: ChannelPublic.Profile(), Recipients: []string{}, Objects: ids}}}
	digests := make([]string, len(rec.Entries))
	for i, e := range rec.Entries {
		sum := sha256.Sum256(e.JSON)
		digests[i] = hex.EncodeToString(sum[:])
	}
	rec.Audit = []AuditEvent{{Actor: HubOrganization, Action: AuditRelease, Subject: sub.ID,
		Detail: map[string]any{"channel": string(ChannelPublic), "named": false, "recipients": nil, "status": string(StatusReleased),
			"entries": digests, "statistics": st.Period, "incidents": st.Incidents}}}
	return rec, nil
}

func mustStandardMarking(id string) map[string]any {
	m, _ := stix.StandardMarkingObject(id)
	return m
}
