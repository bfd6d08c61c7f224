package reporting

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDetailedReport(t *testing.T) {
	e := with(ext(t0, 2*hour+30*minute, svc(ClassOther, "stop", 35_000), with(svc(ClassVoice, "degradation", -1), "users_unknown", true)),
		"failed_equipment", "core", "cyber", map[string]any{"attack_type": "ddos", "outbound_attack_on_facility": true})
	o := incident(t, e)
	o.Props["x_kakehashi_measures"] = "filtering at the edge routers"
	res, err := Classify(o, carrB, nil, farFuture)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewDetailedReport(o, carrB, res)
	if err != nil {
		t.Fatal(err)
	}
	if r.Operator.Value != "Kaede Networks" || r.Due == nil || r.Due.String() != "2024-08-09" || r.Duration.Value != "2h30m0s" {
		t.Errorf("report: %+v", r)
	}
	want := []string{"overview", "services[1].affected_users", "area", "prevention", "user_notice"}
	if d := cmp.Diff(want, r.Missing); d != "" {
		t.Errorf("missing (-want +got):\n%s", d)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Fatal(err)
	}
}

func TestQuarterlyFile(t *testing.T) {
	q := PeriodOf(t0, 3)
	mk := func(org Organization, e map[string]any) QuarterlyEntry {
		o := incident(t, e)
		res, err := Classify(o, org, nil, farFuture)
		if err != nil {
			t.Fatal(err)
		}
		return QuarterlyEntry{Incident: o, Result: res}
	}
	entries := []QuarterlyEntry{
		mk(carrB, ext(t0.Add(48*hour), 3*hour, svc(ClassOther, "stop", 500))),                                    // Q item 1
		mk(carrB, ext(t0, 2*hour, svc(ClassOther, "stop", 30_000))),                                              // serious
		mk(carrB, with(ext(t0, 3*hour, svc(ClassVoice, "stop", 500)), "failed_equipment", "base-station")),       // simple
		mk(carrB, with(ext(t0, 4*hour, svc(ClassVoice, "stop", 500)), "failed_equipment", "base-station")),       // simple
		mk(carrB, ext(jst(2024, time.October, 1, 9, 0), 3*hour, svc(ClassOther, "stop", 500))),                   // next quarter
		mk(carrC, ext(t0, 3*hour, svc(ClassOther, "stop", 500))),                                                 // other carrier
		mk(carrB, with(ext(t0, 6*hour, svc(ClassOther, "stop", 300)), "failed_equipment", "aerial-access-line")), // exempt
		mk(carrB, with(ext(t0, hour, svc(ClassOther, "stop", 40_000)), "cause", "non-telecom-facility-failure")), // item 2
	}
	f, err := NewQuarterlyFile("carrier-b", q, nil, entries)
	if err != nil {
		t.Fatal(err)
	}
	if f.Period != "FY2024Q2" || f.DueRaw.String() != "2024-11-30" || f.Due.String() != "2024-12-02" {
		t.Errorf("header: %+v", f)
	}
	if len(f.Rows) != 3 || f.SimpleCounts["base-station"] != 2 {
		t.Fatalf("rows %d simple %v", len(f.Rows), f.SimpleCounts)
	}
	if !f.Rows[0].Serious || f.Rows[0].AffectedUsers != "30000" || f.Rows[1].Item != "2" || f.Rows[2].OccurredAt != "2024-07-12 09:00" {
		t.Errorf("rows: %+v", f.Rows)
	}
	var buf bytes.Buffer
	if err := f.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "incident_id,occurred_at,") || !strings.HasSuffix(lines[4], ",base-station,,simple,2") {
		t.Errorf("csv:\n%s", buf.String())
	}
}
