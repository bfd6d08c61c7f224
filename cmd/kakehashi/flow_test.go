package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	idIncident    = "incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
	idRedNote     = "note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e"
	idStrict      = "indicator--2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f"
	idAmber       = "indicator--3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a"
	idGreen       = "indicator--4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b"
	idClear       = "indicator--5f6a7b8c-9d0e-4f1a-9b2c-3d4e5f6a7b8c"
	idSakura      = "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"
	submittedKeys = "incident note indicator identity"
)

// export reads a channel as an organization ("" = without a token) and
// returns the status, the ids of the submitted objects it carries, and the raw body.
func export(t *testing.T, base, tok, channel string) (int, []string, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/api/v1/exports/"+channel, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil, raw
	}
	var b struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("export %s is not JSON: %v", channel, err)
	}
	var ids []string
	for _, o := range b.Objects {
		id := o["id"].(string)
		// Only the objects the carrier submitted; the hub's support objects
		// (markings, identities, extension definition, notes) are checked apart.
		if slices.Contains([]string{idIncident, idRedNote, idStrict, idAmber, idGreen, idClear, idSakura}, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return 200, ids, raw
}

func sorted(ids ...string) []string { slices.Sort(ids); return ids }

func TestSingleFlowEachOrganizationReadsWhatItShould(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, err := os.ReadFile("testdata/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"bundle":` + string(bundle) + `,"share_with":["carrier-b"]}`)
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], body)
	if status != http.StatusCreated {
		t.Fatalf("submit: %d %v", status, resp)
	}
	subID := resp["submission_id"].(string)
	inc := resp["incidents"].([]any)[0].(map[string]any)
	if inc["classification"] != "serious" {
		t.Fatalf("classification = %v", inc["classification"])
	}
	for _, c := range resp["channels"].([]any) {
		cm := c.(map[string]any)
		if cm["status"] != "released" {
			t.Errorf("channel %v: %v %v", cm["channel"], cm["status"], cm["reasons"])
		}
	}

	all := sorted(idSakura, idIncident, idRedNote, idStrict, idAmber, idGreen, idClear)
	community := sorted(idIncident, idAmber, idGreen, idClear)
	tests := []struct {
		org     string
		channel string
		status  int
		want    []string
	}{
		{"mic", "accident-reports", 200, all},
		{"mic", "disaster-reports", 200, nil},
		{"mic", "isac-members", 404, nil},
		{"cabinet-office", "disaster-reports", 200, nil},
		{"cabinet-office", "accident-reports", 404, nil},
		{"nisc", "nisc", 200, community},
		{"nisc", "cross-sector", 200, sorted(idGreen, idClear)},
		{"nisc", "accident-reports", 404, nil},
		{"ict-isac", "isac-members", 200, community},
		{"ict-isac", "isac-internal", 200, sorted(idIncident, idStrict, idAmber, idGreen, idClear)},
		{"carrier-b", "isac-members", 200, sorted(idIncident, idRedNote, idAmber, idGreen, idClear)},
		{"carrier-b", "isac-internal", 404, nil},
		{"carrier-c", "isac-members", 200, community},
		{"carrier-c", "nisc", 404, nil},
		{"finance-isac", "cross-sector", 200, sorted(idGreen, idClear)},
		{"finance-isac", "isac-members", 404, nil},
		{"hub-admin", "accident-reports", 404, nil},
		{"hub-admin", "isac-members", 404, nil},
		{"", "public", 200, sorted(idClear)},
		{"", "isac-members", 401, nil},
	}
	for _, tc := range tests {
		t.Run(tc.org+" reads "+tc.channel, func(t *testing.T) {
			status, ids, raw := export(t, h.base, tokens[tc.org], tc.channel)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, raw)
			}
			if status != 200 {
				return
			}
			if d := cmp.Diff(tc.want, ids); d != "" {
				t.Errorf("objects (-want +got):\n%s", d)
			}
			text := string(raw)
			// Membership is confidential: nothing names who else received it.
			for _, other := range []string{"recipients", "carrier-c", "finance-isac", "share_with"} {
				if strings.Contains(text, other) {
					t.Errorf("export names %q", other)
				}
			}
			if tc.channel != "accident-reports" {
				for _, secret := range []string{"Sakura", "sakura-telecom", "山田", "1234-5678", "203.0.113.7", idSakura} {
					if strings.Contains(text, secret) {
						t.Errorf("community copy leaks %q", secret)
					}
				}
				if strings.Contains(text, "x_kakehashi_classification") {
					t.Error("a community copy carries the classification note")
				}
			} else if !strings.Contains(text, "x_kakehashi_classification") || !strings.Contains(text, "Sakura Telecom") {
				t.Error("the statutory copy lacks the classification note or the identified original")
			}
		})
	}

	// Others' originals do not exist for them.
	for org, tok := range tokens {
		if org == "carrier-a" {
			continue
		}
		if status, _ := request(t, "GET", h.base+"/api/v1/submissions/"+subID, tok, nil); status != http.StatusNotFound {
			t.Errorf("%s reads carrier-a's original: %d, want 404", org, status)
		}
	}

	// The preview shows the submitter exactly what each channel got.
	status, prev := request(t, "GET", h.base+"/api/v1/submissions/"+subID+"/preview/isac-members", tokens["carrier-a"], nil)
	if status != 200 {
		t.Fatalf("preview: %d %v", status, prev)
	}
	copies := prev["copies"].([]any)
	if len(copies) != 2 {
		t.Fatalf("isac-members copies = %d, want 2 (everyone, and the RED note for carrier-b only)", len(copies))
	}
	named := copies[1].(map[string]any)
	if named["named"] != true || !slices.Equal(toStrings(named["recipients"]), []string{"carrier-b"}) {
		t.Errorf("named copy = %v", named)
	}
	status, stat := request(t, "GET", h.base+"/api/v1/submissions/"+subID+"/preview/accident-reports", tokens["carrier-a"], nil)
	if status != 200 || !strings.Contains(stat["copies"].([]any)[0].(map[string]any)["notice"].(string), "whatever its TLP") {
		t.Errorf("statutory preview lacks the notice: %d %v", status, stat)
	}
	if status, _ := request(t, "GET", h.base+"/api/v1/submissions/"+subID+"/preview/isac-members", tokens["carrier-b"], nil); status != 404 {
		t.Errorf("another carrier previews: %d, want 404", status)
	}
	if status, _ := request(t, "GET", h.base+"/api/v1/submissions/"+subID+"/preview/public", tokens["carrier-a"], nil); status != 200 {
		t.Errorf("preview public: %d", status)
	}
	auditIntact(t, dir)
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// followUpBundle is 第2報 of testdata/mixed.json: the green indicator
// re-marked AMBER+STRICT (more restrictive), the incident in a new version.
func followUpBundle(t *testing.T, bundle []byte) []byte {
	t.Helper()
	follow := bytes.Replace(bundle, []byte(`"name": "Flood source (green)", "pattern": "[ipv4-addr:value = '198.18.0.12']", "pattern_type": "stix",
      "valid_from": "2026-07-10T00:00:00Z", "indicator_types": ["malicious-activity"],
      "created_by_ref": "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
      "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]`), []byte(`"name": "Flood source (now amber+strict)", "pattern": "[ipv4-addr:value = '198.18.0.12']", "pattern_type": "stix",
      "valid_from": "2026-07-10T00:00:00Z", "indicator_types": ["malicious-activity"],
      "created_by_ref": "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
      "object_marking_refs": ["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"]`), 1)
	follow = bytes.Replace(follow, []byte(`"id": "indicator--4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z"`), []byte(`"id": "indicator--4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-11T09:00:00.000Z"`), 1)
	follow = bytes.Replace(follow, []byte(`"id": "incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z"`), []byte(`"id": "incident--0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-11T09:00:00.000Z"`), 1)
	if bytes.Count(follow, []byte("2026-07-11T09:00:00.000Z")) != 2 {
		t.Fatal("fixture edit did not apply")
	}
	return follow
}

func TestFollowUpVersionReplacesAndRevokes(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, _ := os.ReadFile("testdata/mixed.json")
	if status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], bundle); status != 201 {
		t.Fatalf("submit: %d %v", status, resp)
	}
	// 第2報: the green indicator is re-marked AMBER+STRICT (more restrictive), the
	// incident gets a new version.
	follow := followUpBundle(t, bundle)
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], follow)
	if status != 201 {
		t.Fatalf("follow-up: %d %v", status, resp)
	}

	// The incident's later version replaced the earlier one in every channel that had it.
	for _, c := range []struct{ org, ch string }{{"mic", "accident-reports"}, {"nisc", "nisc"}, {"carrier-c", "isac-members"}} {
		_, _, raw := export(t, h.base, tokens[c.org], c.ch)
		if !strings.Contains(string(raw), "2026-07-11T09:00:00.000Z") || strings.Count(string(raw), idIncident) < 1 {
			t.Errorf("%s: the follow-up version did not reach %s", c.org, c.ch)
		}
		if strings.Count(string(raw), `"id":"`+idIncident+`"`) != 1 {
			t.Errorf("%s: %s carries more than the latest version of the incident", c.org, c.ch)
		}
	}
	// The re-marked indicator is revoked where it may no longer go: the
	// channel now carries a tombstone (revoked: true) instead of the content.
	for _, c := range []struct{ org, ch string }{{"finance-isac", "cross-sector"}, {"carrier-c", "isac-members"}} {
		_, _, raw := export(t, h.base, tokens[c.org], c.ch)
		var b struct {
			Objects []map[string]any `json:"objects"`
		}
		_ = json.Unmarshal(raw, &b)
		found := false
		for _, o := range b.Objects {
			if o["id"] == idGreen {
				found = true
				if o["revoked"] != true || o["name"] == "Flood source (now amber+strict)" || o["modified"] != "2026-07-11T09:00:00.000Z" {
					t.Errorf("%s/%s: the indicator is not a tombstone: %v", c.org, c.ch, o)
				}
			}
		}
		if !found {
			t.Errorf("%s/%s: no revocation of the re-marked indicator", c.org, c.ch)
		}
	}
	// Where it still may go, the new content arrives.
	_, ids, raw := export(t, h.base, tokens["ict-isac"], "isac-internal")
	if !slices.Contains(ids, idGreen) || !strings.Contains(string(raw), "now amber+strict") {
		t.Error("isac-internal did not get the re-marked indicator")
	}
	auditIntact(t, dir)
}

func TestHoldForReviewAndRelease(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, _ := os.ReadFile("testdata/mixed.json")
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(bundle)+`,"hold_for_review":true}`))
	if status != 201 {
		t.Fatalf("submit: %d %v", status, resp)
	}
	id := resp["submission_id"].(string)
	for _, c := range resp["channels"].([]any) {
		cm := c.(map[string]any)
		want := "held"
		if cm["channel"] == "accident-reports" {
			want = "released" // statutory copies go at once
		}
		if cm["status"] != want {
			t.Errorf("%v: %v, want %s", cm["channel"], cm["status"], want)
		}
	}
	if _, ids, _ := export(t, h.base, tokens["carrier-c"], "isac-members"); len(ids) != 0 {
		t.Errorf("held copy readable before release: %v", ids)
	}
	if _, ids, _ := export(t, h.base, tokens["mic"], "accident-reports"); len(ids) == 0 {
		t.Error("statutory copy held")
	}
	if status, _ := request(t, "POST", h.base+"/api/v1/submissions/"+id+"/release", tokens["carrier-b"], nil); status != 404 {
		t.Errorf("another carrier releases: %d, want 404", status)
	}
	status, rel := request(t, "POST", h.base+"/api/v1/submissions/"+id+"/release", tokens["carrier-a"], nil)
	if status != 200 || rel["released"].(float64) < 1 {
		t.Fatalf("release: %d %v", status, rel)
	}
	if _, ids, _ := export(t, h.base, tokens["carrier-c"], "isac-members"); !slices.Contains(ids, idAmber) {
		t.Errorf("released copy not readable: %v", ids)
	}
	if status, _ := request(t, "POST", h.base+"/api/v1/submissions/"+id+"/release", tokens["carrier-a"], nil); status != 409 {
		t.Errorf("second release: %d, want 409", status)
	}
	auditIntact(t, dir)
}

// TestDisasterSubsumptionShownInBothChannels: one event, one incident id; the
// designated public institution's disaster report subsumes its accident
// report, and both statutory channels show the subsumed obligations with the reason.
func TestDisasterSubsumptionShownInBothChannels(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, _ := os.ReadFile("testdata/quake.json")
	status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], bundle)
	if status != 201 {
		t.Fatalf("submit: %d %v", status, resp)
	}
	const inc = "incident--7f6e5d4c-3b2a-4109-8f8e-7d6c5b4a3928"
	for _, c := range []struct{ org, ch string }{{"mic", "accident-reports"}, {"mic", "disaster-reports"}, {"cabinet-office", "disaster-reports"}} {
		_, _, raw := export(t, h.base, tokens[c.org], c.ch)
		var b struct {
			Objects []map[string]any `json:"objects"`
		}
		_ = json.Unmarshal(raw, &b)
		var incident, note map[string]any
		for _, o := range b.Objects {
			if o["id"] == inc {
				incident = o
			}
			if o["type"] == "note" && o["x_kakehashi_classification"] != nil {
				note = o
			}
		}
		if incident == nil || note == nil {
			t.Fatalf("%s/%s: incident %v, classification note %v", c.org, c.ch, incident != nil, note != nil)
		}
		cls := note["x_kakehashi_classification"].(map[string]any)
		subsumed := 0
		for _, o := range cls["obligations"].([]any) {
			om := o.(map[string]any)
			if om["status"] == "subsumed" && om["subsumed_by"] == "mic-disaster-damage-report" && om["reason"] != "" {
				subsumed++
			}
		}
		if subsumed != 3 || !strings.Contains(note["content"].(string), "subsumed by mic-disaster-damage-report") {
			t.Errorf("%s/%s: %d subsumed obligations in the note, want 3:\n%s", c.org, c.ch, subsumed, note["content"])
		}
	}
	// The carrier's obligation list shows them subsumed too, once.
	status, obl := request(t, "GET", h.base+"/api/v1/obligations?status=subsumed", tokens["carrier-a"], nil)
	if status != 200 || len(obl["obligations"].([]any)) != 3 {
		t.Errorf("subsumed obligations listed: %d %v", status, obl)
	}
	auditIntact(t, dir)
}

func TestServeRefusesWiderTLPPolicy(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "k.yaml")
	_ = os.WriteFile(cfg, []byte("data: "+filepath.Join(dir, "data")+"\ntlp_policy:\n  isac-members:\n    amber+strict: \"yes\"\n"), 0o600)
	e, _, errb := testEnv("")
	if code := run(t.Context(), []string{"serve", "--demo", "--config", cfg, "--addr", "127.0.0.1:0"}, e); code == exitOK || !strings.Contains(errb.String(), "isac-members/amber+strict") {
		t.Errorf("serve with AMBER+STRICT to members: exit %d, stderr %q", code, errb)
	}
}

// TestNamedRecipientsChangeRevokesForThoseDropped: a RED note shared with
// carrier-b, then a later version shared with carrier-c only: carrier-b's
// copy is revoked (a tombstone), carrier-c reads the new version.
func TestNamedRecipientsChangeRevokesForThoseDropped(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tokens := readTokens(t, dir)
	bundle, _ := os.ReadFile("testdata/mixed.json")
	if status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(bundle)+`,"share_with":["carrier-b"]}`)); status != 201 {
		t.Fatalf("submit: %d %v", status, resp)
	}
	follow := bytes.Replace(bundle, []byte(`"id": "note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z",
      "content": "RED: the flood exploited an unpatched vendor firmware; do not forward."`), []byte(`"id": "note--1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e",
      "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-12T01:00:00.000Z",
      "content": "RED, second version: vendor confirmed the firmware bug."`), 1)
	if bytes.Equal(follow, bundle) {
		t.Fatal("fixture edit did not apply")
	}
	if status, resp := request(t, "POST", h.base+"/api/v1/submissions", tokens["carrier-a"], []byte(`{"bundle":`+string(follow)+`,"share_with":["carrier-c"]}`)); status != 201 {
		t.Fatalf("follow-up: %d %v", status, resp)
	}
	note := func(org string) map[string]any {
		_, _, raw := export(t, h.base, tokens[org], "isac-members")
		var b struct {
			Objects []map[string]any `json:"objects"`
		}
		_ = json.Unmarshal(raw, &b)
		for _, o := range b.Objects {
			if o["id"] == idRedNote {
				return o
			}
		}
		return nil
	}
	if n := note("carrier-b"); n == nil || n["revoked"] != true || strings.Contains(fmt.Sprint(n["content"]), "second version") {
		t.Errorf("carrier-b, no longer named, reads %v; want the earlier note revoked", n)
	}
	if n := note("carrier-c"); n == nil || n["revoked"] == true || !strings.Contains(fmt.Sprint(n["content"]), "second version") {
		t.Errorf("carrier-c, now named, reads %v; want the new version", n)
	}
	if n := note("ict-isac"); n != nil {
		t.Errorf("ict-isac, never named, reads the RED note: %v", n)
	}
	auditIntact(t, dir)
}
