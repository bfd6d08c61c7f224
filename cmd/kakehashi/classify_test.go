package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassifyCommand(t *testing.T) {
	good, err := os.ReadFile("testdata/outage.json")
	if err != nil {
		t.Fatal(err)
	}
	const reg = "../../server/testdata/registry.yaml"
	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		org   string
	}{
		{"with registry, attributed by created_by_ref", []string{"classify", "--registry", reg, "-"}, string(good), exitOK, "carrier-a"},
		{"explicit org", []string{"classify", "--registry", reg, "--org", "carrier-b", "testdata/outage.json"}, "", exitOK, "carrier-b"},
		{"without registry: unknown carrier", []string{"classify", "testdata/outage.json"}, "", exitOK, ""},
		{"2025-proposed rules", []string{"classify", "--rules", "2025-proposed", "testdata/outage.json"}, "", exitOK, ""},
		{"invalid bundle", []string{"classify", "-"}, strings.Replace(string(good), `"report_kind": "service-outage"`, `"report_kind": "outage"`, 1), exitInvalid, ""},
		{"unknown rules", []string{"classify", "--rules", "2019", "testdata/outage.json"}, "", exitUsage, ""},
		{"org without registry", []string{"classify", "--org", "carrier-a", "testdata/outage.json"}, "", exitUsage, ""},
		{"unknown org", []string{"classify", "--registry", reg, "--org", "nobody", "testdata/outage.json"}, "", exitUsage, ""},
		{"no file", []string{"classify"}, "", exitUsage, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, out, errb := testEnv(tc.stdin)
			code := run(context.Background(), tc.args, e)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tc.code, out, errb)
			}
			if code == exitInvalid && !strings.Contains(out.String(), "report_kind") {
				t.Errorf("invalid input: stdout does not name the bad property:\n%s", out)
			}
			if code != exitOK {
				return
			}
			var got struct {
				RuleSet   string `json:"rule_set"`
				Incidents []struct {
					Organization   string `json:"organization"`
					Classification string `json:"classification"`
				} `json:"incidents"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if len(got.Incidents) != 1 || got.Incidents[0].Organization != tc.org || got.Incidents[0].Classification != "serious" {
				t.Errorf("incidents = %+v, want one serious incident of %q", got.Incidents, tc.org)
			}
		})
	}
}

// TestClassifyMatchesInterfacesExample checks the exact JSON of INTERFACES.md §4.
func TestClassifyMatchesInterfacesExample(t *testing.T) {
	e, out, errb := testEnv("")
	if code := run(context.Background(), []string{"classify", "--registry", "../../server/testdata/registry.yaml", "testdata/outage.json"}, e); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	want := `{"rule_set":"baseline","incidents":[{"incident_id":"incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10","modified":"2026-07-10T01:10:00.000Z","organization":"carrier-a",
	"classification":"serious","provisional":false,"obligations":[
	{"kind":"mic-serious-first-report","recipient":"mic","form":null,"urgency":"without-delay","due_raw":null,"due":null,"status":"open"},
	{"kind":"mic-serious-detailed-report","recipient":"mic","form":"施行規則様式第50の3","due_raw":"2026-08-09","due":"2026-08-10","status":"open"},
	{"kind":"mic-quarterly-report","recipient":"mic","form":"報告規則様式第27","due_raw":"2026-11-30","due":"2026-11-30","status":"open"}],
	"evidence":[{"rule":"serious/emergency-voice","service":0,"detail":"D(30000) = 1h0m0s ≥ 1h"},{"rule":"quarterly/item1","service":0,"detail":"peak users 30000 ≥ 30000"}]}]}`
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("classification JSON differs from INTERFACES.md §4 (-want +got):\n%s", d)
	}
}
