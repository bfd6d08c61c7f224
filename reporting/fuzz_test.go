package reporting

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// FuzzClassify feeds random telecom-extension JSON to Classify: it must
// return a result or an error, never panic, and a result must be well formed.
func FuzzClassify(f *testing.F) {
	for _, tc := range workedCases(f) {
		b, err := json.Marshal(tc.ext)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, int64(0))
	}
	f.Add([]byte(`{"report_kind":"service-outage","occurred_at":"2024-07-10T00:00:00Z","services":[{"service_class":"other","impact":"stop","users_unknown":true,"stopped_bandwidth_bps":9223372036854775807}]}`), int64(-1))
	f.Add([]byte(`{"report_kind":"service-outage","occurred_at":"2024-07-10T00:00:00Z","important_facility":{"kind":"satellite","all_traffic_down_seconds":9223372036854775807}}`), int64(1<<62))
	rs := ruleSet(f, RuleSetBaseline)
	f.Fuzz(func(t *testing.T, data []byte, nowOffset int64) {
		var e map[string]any
		if json.Unmarshal(data, &e) != nil {
			return
		}
		o, err := stix.NewObject(map[string]any{
			"type": "incident", "spec_version": "2.1", "id": "incident--00000000-0000-4000-8000-000000000001",
			"created": "2024-07-10T00:00:00Z", "modified": "2024-07-10T00:00:00Z", "name": "fuzz",
			"extensions": map[string]any{stix.TelecomExtensionID: e},
		})
		if err != nil {
			return
		}
		now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(nowOffset))
		for _, org := range []Organization{carrA, {}} {
			res, err := Classify(o, org, rs, now)
			if err != nil {
				continue
			}
			if res.Classification.Rank() == 0 && res.Classification != NotReportable {
				t.Fatalf("unknown classification %q", res.Classification)
			}
			if _, err := json.Marshal(res); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// BenchmarkClassify measures classification throughput over the worked
// cases, from the STIX object (extension decoding included).
func BenchmarkClassify(b *testing.B) {
	cases := workedCases(b)
	objs := make([]*stix.Object, len(cases))
	orgs := make([]Organization, len(cases))
	for i, tc := range cases {
		objs[i] = incident(b, tc.ext)
		orgs[i] = tc.org
	}
	rs := ruleSet(b, RuleSetBaseline)
	now := farFuture
	IsNationalHoliday(Date{}) // load the calendar outside the timer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k := i % len(objs)
		if _, err := Classify(objs[k], orgs[k], rs, now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "incidents/s")
}
