package reporting

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDetailedReportCSV(t *testing.T) {
	users := int64(30000)
	due := NewDate(2026, 8, 10)
	r := DetailedReport{
		Form: "施行規則様式第50の3", IncidentID: "incident--1", Modified: "2026-07-10T01:10:00.000Z",
		Classification: "serious", Due: &due,
		Operator:    Item{Value: "Sakura Telecom", Source: "registry"},
		OccurredAt:  Item{Value: "2026-07-10T00:00:00Z", Source: "extension.occurred_at"},
		CyberAttack: Item{Value: map[string]any{"attack_type": "ddos"}, Source: "extension.cyber"},
		Measures:    Item{Source: "incident.x_kakehashi_measures"},
		Services:    []ServiceItem{{Index: 0, ServiceClass: "emergency-voice", Impact: "stop", AffectedUsers: &users, UsersBasis: "affected_users"}},
		Evidence:    []Evidence{{Rule: "serious/emergency-voice", Detail: "D(30000) = 1h0m0s ≥ 1h"}},
		Missing:     []string{"measures"},
	}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"item", "label", "value", "source"}, recs[0]); diff != "" {
		t.Fatalf("header (-want +got):\n%s", diff)
	}
	got := map[string][]string{}
	for _, rec := range recs[1:] {
		got[rec[0]] = rec[1:]
	}
	want := map[string][]string{
		"form":                       {"様式", "施行規則様式第50の3", ""},
		"due":                        {"提出期限", "2026-08-10", "obligation mic-serious-detailed-report"},
		"operator":                   {"報告事業者", "Sakura Telecom", "registry"},
		"occurred_at":                {"発生日時", "2026-07-10T00:00:00Z", "extension.occurred_at"},
		"services[0].affected_users": {"影響利用者数", "30000", "extension.services (affected_users)"},
		"cyber_attack":               {"サイバー攻撃の態様", `{"attack_type":"ddos"}`, "extension.cyber"},
		"measures":                   {"措置模様", "", "incident.x_kakehashi_measures"},
		"evidence[0]":                {"該当の根拠", "serious/emergency-voice: D(30000) = 1h0m0s ≥ 1h", "classification"},
		"missing[0]":                 {"未記入の項目", "measures", ""},
	}
	for k, w := range want {
		if diff := cmp.Diff(w, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
	if len(recs)-1 != len(r.Items()) {
		t.Errorf("%d CSV lines for %d items", len(recs)-1, len(r.Items()))
	}
}
