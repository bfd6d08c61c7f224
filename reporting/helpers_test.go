package reporting

import (
	"fmt"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// jst returns a Japan-time instant.
func jst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, JST)
}

func ts(t time.Time) string { return stix.FormatTimestamp(t) }

// farFuture is a "now" after every worked case, so nothing is ongoing.
var farFuture = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// ext builds a telecom extension: occurred at `at`, recovered after dur
// (dur < 0: ongoing), with the given services.
func ext(at time.Time, dur time.Duration, services ...map[string]any) map[string]any {
	e := map[string]any{
		"extension_type": "property-extension",
		"report_kind":    "service-outage",
		"occurred_at":    ts(at),
	}
	if dur >= 0 {
		e["recovered_at"] = ts(at.Add(dur))
	}
	if len(services) > 0 {
		list := make([]any, len(services))
		for i, s := range services {
			list[i] = s
		}
		e["services"] = list
	}
	return e
}

// svc builds one service with a constant affected_users (users < 0: none).
func svc(class, impact string, users int64) map[string]any {
	s := map[string]any{"service_class": class, "impact": impact}
	if users >= 0 {
		s["affected_users"] = users
	}
	return s
}

// step is one user_profile step.
func step(from time.Time, d time.Duration, users int64) map[string]any {
	return map[string]any{"start": ts(from), "end": ts(from.Add(d)), "users": users}
}

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

var incidentSeq int

// incident wraps an extension into a STIX incident object.
func incident(t testing.TB, e map[string]any) *stix.Object {
	t.Helper()
	incidentSeq++
	props := map[string]any{
		"type": "incident", "spec_version": "2.1",
		"id":       fmt.Sprintf("incident--00000000-0000-4000-8000-%012d", incidentSeq),
		"created":  "2024-07-10T00:00:00.000Z",
		"modified": "2024-07-10T01:00:00.000Z",
		"name":     "test incident",
		"extensions": map[string]any{
			stix.TelecomExtensionID: e,
		},
	}
	o, err := stix.NewObject(props)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func i64(v int64) *int64 { return &v }

func ruleSet(t testing.TB, name string) *RuleSet {
	t.Helper()
	rs, err := RuleSetByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}
