package console

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakehashi-hub/kakehashi/outage"
)

func TestPrefectures(t *testing.T) {
	if len(prefectures) != 47 {
		t.Fatalf("%d prefectures, want 47", len(prefectures))
	}
	for i, p := range prefectures {
		if !outage.ValidRegion(p.Code) || p.Code != prefectures[0].Code && p.Code <= prefectures[i-1].Code {
			t.Errorf("prefecture %d: code %q out of order or not JIS X 0401", i, p.Code)
		}
		if p.Ja == "" || p.En == "" {
			t.Errorf("prefecture %s has no name", p.Code)
		}
	}
	if prefectureName("13", "ja") != "東京都" || prefectureName("27", "en") != "Osaka" || prefectureName("99", "en") != "99" {
		t.Error("prefectureName")
	}
}

func TestSignalLabels(t *testing.T) {
	cat, err := loadCatalogue(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		for _, s := range outage.Symptoms {
			if id := "signal.symptom." + string(s); !cat.ids[lang][id] {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
		for _, s := range outage.ServiceClasses {
			if id := "report.opt.service_class." + s; !cat.ids[lang][id] {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
		for _, s := range []string{outage.SourceRouting, outage.SourceUserReports, "carrier"} {
			if id := "events.source." + s; !cat.ids[lang][id] {
				t.Errorf("%s: no message %s", lang, id)
			}
		}
	}
}

func TestParseSignal(t *testing.T) {
	tests := []struct {
		name     string
		form     signalForm
		wantErrs map[string][]string // field → message ids
		asns     []int64
		prefixes []string
	}{
		{name: "good", form: signalForm{v: map[string]string{"observed_at": "2026-07-10T14:05", "symptom": "no-connectivity",
			"upstream_asns": "64511, AS64512\n64513、64514", "prefixes": "203.0.113.0/24  2001:db8::/32，198.51.100.0/25"}, regions: []string{"13", "13", "14"}},
			asns: []int64{64511, 64512, 64513, 64514}, prefixes: []string{"203.0.113.0/24", "2001:db8::/32", "198.51.100.0/25"}},
		{name: "empty", form: signalForm{v: map[string]string{}}, wantErrs: map[string][]string{"observed_at": {"signal.err.required"}, "symptom": {"signal.err.required"}}},
		{name: "bad values", form: signalForm{v: map[string]string{"observed_at": "yesterday", "symptom": "dns-failure",
			"upstream_asns": "64511 ASX 0 4294967296", "prefixes": "203.0.113.1/24 example.com 198.51.100.0/24", "tlp": "purple"}},
			wantErrs: map[string][]string{"observed_at": {"signal.err.datetime"}, "upstream_asns": {"signal.err.asn", "signal.err.asn", "signal.err.asn"},
				"prefixes": {"signal.err.prefix-host", "signal.err.prefix"}, "tlp": {"signal.err.tlp"}},
			asns: []int64{64511}, prefixes: []string{"198.51.100.0/24"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, errs := parseSignal(tc.form)
			got := map[string][]string{}
			for k, ms := range errs {
				for _, m := range ms {
					got[k] = append(got[k], m.ID)
				}
			}
			want := tc.wantErrs
			if want == nil {
				want = map[string][]string{}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.asns, d.UpstreamASNs); diff != "" {
				t.Errorf("asns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.prefixes, d.Prefixes); diff != "" {
				t.Errorf("prefixes (-want +got):\n%s", diff)
			}
		})
	}
	d, _ := parseSignal(signalForm{v: map[string]string{"observed_at": "2026-07-10T14:05"}, regions: []string{"13", "13", "14"}})
	if d.ObservedAt.Format("2006-01-02T15:04Z07:00") != "2026-07-10T05:05Z" {
		t.Errorf("observed_at %v: Japan time to UTC", d.ObservedAt)
	}
	if diff := cmp.Diff([]string{"13", "14"}, d.Regions); diff != "" {
		t.Errorf("regions (-want +got):\n%s", diff)
	}
}
