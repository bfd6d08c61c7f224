package console

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/stix"
)

func mustObject(t *testing.T, js string) *stix.Object {
	t.Helper()
	o, err := stix.DecodeObject([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

const incidentV1 = `{"type":"incident","spec_version":"2.1","id":"incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
 "created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","name":"Voice core outage",
 "extensions":{"extension-definition--5f2b0473-bd73-4291-aaed-c406b2665a04":{"extension_type":"property-extension",
  "report_kind":"service-outage","occurred_at":"2026-07-10T00:00:00Z",
  "services":[{"service_class":"voice","impact":"stop","affected_users":30000}]}}}`

const incidentV2 = `{"type":"incident","spec_version":"2.1","id":"incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
 "created":"2026-07-10T01:10:00.000Z","modified":"2026-07-11T09:00:00.000Z","name":"Voice core outage",
 "extensions":{"extension-definition--5f2b0473-bd73-4291-aaed-c406b2665a04":{"extension_type":"property-extension",
  "report_kind":"service-outage","occurred_at":"2026-07-10T00:00:00Z","recovered_at":"2026-07-10T03:00:00Z",
  "services":[{"service_class":"voice","impact":"stop","affected_users":30000}]}}}`

const incidentV3 = `{"type":"incident","spec_version":"2.1","id":"incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
 "created":"2026-07-10T01:10:00.000Z","modified":"2026-07-12T09:00:00.000Z","name":"Voice core outage (final)","x_other":1,
 "extensions":{"extension-definition--5f2b0473-bd73-4291-aaed-c406b2665a04":{"extension_type":"property-extension",
  "report_kind":"service-outage","occurred_at":"2026-07-10T00:00:00Z","recovered_at":"2026-07-10T03:00:00Z",
  "services":[{"service_class":"voice","impact":"stop","affected_users":45000}]}}}`

func TestSummarize(t *testing.T) {
	added := time.Date(2026, 7, 11, 9, 1, 0, 0, time.UTC)
	tests := []struct {
		name string
		js   string
		tlp  stix.TLP
		want feedItem
	}{
		{"incident: name, kind and times", incidentV2, stix.TLPAmber, feedItem{
			ID: "incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", Type: "incident", TLP: "amber", Name: "Voice core outage",
			Modified: time.Date(2026, 7, 11, 9, 0, 0, 0, time.UTC), Added: added, Kind: "service-outage", KindKnown: true,
			Occurred: time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC), Aware: time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC),
			Recovered: time.Date(2026, 7, 10, 3, 0, 0, 0, time.UTC)}},
		{"indicator: pattern", `{"type":"indicator","spec_version":"2.1","id":"indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","name":"Flood source","pattern":"[ipv4-addr:value = '198.18.0.11']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z"}`,
			stix.TLPAmberStrict, feedItem{ID: "indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", Type: "indicator", TLP: "amber+strict", Name: "Flood source",
				Modified: time.Date(2026, 7, 10, 1, 10, 0, 0, time.UTC), Added: added, Pattern: "[ipv4-addr:value = '198.18.0.11']"}},
		{"note: abstract and content", `{"type":"note","spec_version":"2.1","id":"note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","abstract":"Lesson","content":"Patch the firmware.","object_refs":["incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"]}`,
			stix.TLPRed, feedItem{ID: "note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", Type: "note", TLP: "red", Name: "Lesson", Text: "Patch the firmware.",
				Modified: time.Date(2026, 7, 10, 1, 10, 0, 0, time.UTC), Added: added}},
		{"sighting: count and times", `{"type":"sighting","spec_version":"2.1","id":"sighting--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","sighting_of_ref":"indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a","count":12,"first_seen":"2026-07-10T00:00:00Z","last_seen":"2026-07-10T02:00:00Z"}`,
			stix.TLPGreen, feedItem{ID: "sighting--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", Type: "sighting", TLP: "green", Count: 12, HasCount: true,
				First: time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC), Last: time.Date(2026, 7, 10, 2, 0, 0, 0, time.UTC),
				Modified: time.Date(2026, 7, 10, 1, 10, 0, 0, time.UTC), Added: added}},
		{"sighting without count says none", `{"type":"sighting","spec_version":"2.1","id":"sighting--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","sighting_of_ref":"indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a"}`,
			stix.TLPGreen, feedItem{ID: "sighting--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", Type: "sighting", TLP: "green",
				Modified: time.Date(2026, 7, 10, 1, 10, 0, 0, time.UTC), Added: added}},
		{"observed-data: number observed", `{"type":"observed-data","spec_version":"2.1","id":"observed-data--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","first_observed":"2026-07-10T00:00:00Z","last_observed":"2026-07-10T01:00:00Z","number_observed":3,"object_refs":["ipv4-addr--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e"]}`,
			stix.TLPClear, feedItem{ID: "observed-data--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", Type: "observed-data", TLP: "clear", Count: 3, HasCount: true,
				First: time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC), Last: time.Date(2026, 7, 10, 1, 0, 0, 0, time.UTC),
				Modified: time.Date(2026, 7, 10, 1, 10, 0, 0, time.UTC), Added: added}},
		{"SCO: its value", `{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e","value":"198.18.0.11"}`,
			stix.TLPGreen, feedItem{ID: "ipv4-addr--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", Type: "ipv4-addr", TLP: "green", Name: "198.18.0.11", Added: added}},
		{"revoked", `{"type":"indicator","spec_version":"2.1","id":"indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-11T01:10:00.000Z","revoked":true,"pattern":"[ipv4-addr:value = '198.18.0.11']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z"}`,
			stix.TLPGreen, feedItem{ID: "indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", Type: "indicator", TLP: "green", Revoked: true, Pattern: "[ipv4-addr:value = '198.18.0.11']",
				Modified: time.Date(2026, 7, 11, 1, 10, 0, 0, time.UTC), Added: added}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := summarize(mustObject(t, tc.js), tc.tlp, added)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("summary (-want +got):\n%s", d)
			}
		})
	}
}

func TestTLPLabel(t *testing.T) {
	for tlp, want := range map[stix.TLP][2]string{
		stix.TLPClear: {"tlp-clear", "TLP:CLEAR"}, stix.TLPGreen: {"tlp-green", "TLP:GREEN"}, stix.TLPAmber: {"tlp-amber", "TLP:AMBER"},
		stix.TLPAmberStrict: {"tlp-amber-strict", "TLP:AMBER+STRICT"}, stix.TLPRed: {"tlp-red", "TLP:RED"},
	} {
		it := feedItem{TLP: tlp.String()}
		if it.TLPClass() != want[0] || it.TLPLabel() != want[1] {
			t.Errorf("%s: %s %s, want %v", tlp, it.TLPClass(), it.TLPLabel(), want)
		}
	}
}

func TestTimeline(t *testing.T) {
	v1, v2, v3 := mustObject(t, incidentV1), mustObject(t, incidentV2), mustObject(t, incidentV3)
	// Out of order, and one version twice (a shared and a named copy).
	got := timeline([]*stix.Object{v3, v1, v2, v1})
	want := []feedVersion{
		{Number: 1, Modified: v1.Modified, Kind: "service-outage"},
		{Number: 2, Modified: v2.Modified, Kind: "service-outage", Changed: []feedChange{{Key: "recovered_at", Known: true}}},
		{Number: 3, Modified: v3.Modified, Kind: "service-outage", Changed: []feedChange{
			{Key: "name", Known: true}, {Key: "services", Known: true}, {Key: "x_other"}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("timeline (-want +got):\n%s", d)
	}
	if got := timeline([]*stix.Object{v2}); len(got) != 1 || got[0].Number != 1 || got[0].Changed != nil {
		t.Errorf("one version: %+v", got)
	}
}

// A removed property, another extension as one change, and the same number
// written two ways (1 and 1.0) is no change.
func TestChangesRemovedAndOtherExtensions(t *testing.T) {
	a := mustObject(t, `{"type":"incident","spec_version":"2.1","id":"incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z","name":"x","description":"gone later","x_n":1,
		"extensions":{"extension-definition--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee":{"extension_type":"property-extension","k":1}}}`)
	b := mustObject(t, `{"type":"incident","spec_version":"2.1","id":"incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-11T01:10:00.000Z","name":"x","revoked":true,"x_n":1.0,
		"extensions":{"extension-definition--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee":{"extension_type":"property-extension","k":2}}}`)
	want := []feedChange{{Key: "description", Known: true}, {Key: "extension-definition--aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"}, {Key: "revoked", Known: true}}
	if d := cmp.Diff(want, changes(a, b)); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
}

// Every report kind and field the view marks as known has a message in
// both languages (New fails on ids missing from one language, not on ids
// missing from both).
func TestFeedMessagesExist(t *testing.T) {
	cat, err := loadCatalogue(files)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for k := range reportKinds {
		ids = append(ids, "feed.kind."+k)
	}
	for k := range knownFields {
		ids = append(ids, "feed.field."+k)
	}
	for _, ch := range []string{"accident-reports", "disaster-reports", "nisc", "isac-members", "isac-internal", "cross-sector", "public"} {
		ids = append(ids, "feed.channel."+ch, "feed.channel."+ch+".about")
	}
	for _, id := range ids {
		for _, lang := range languages {
			if !cat.ids[lang][id] {
				t.Errorf("%s lacks %s", lang, id)
			}
		}
	}
}
