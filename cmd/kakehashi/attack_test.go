package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// The write side attacked by every demo carrier (issue #10, SHARING.md §1):
// nobody writes, versions or revokes what another organization owns, and no
// answer to a submitter depends on another organization's objects.

// demoIdentity is the registry identity of each demo carrier.
var demoIdentity = map[string]string{
	"carrier-a": "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
	"carrier-b": "identity--2f4c8a3e-7b1d-4e6f-9a2c-5d8e1f3b7a90",
	"carrier-c": "identity--8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d",
}

var demoCarriers = []string{"carrier-a", "carrier-b", "carrier-c"}

// outageIncident is a serious voice outage (30,000 users for an hour) of org,
// marked AMBER: it goes to MIC identified and to the community anonymized.
func outageIncident(id, modified, org, name string) map[string]any {
	return map[string]any{
		"type": "incident", "spec_version": "2.1", "id": id, "created": "2026-07-10T01:10:00.000Z", "modified": modified,
		"name": name, "created_by_ref": demoIdentity[org],
		"object_marking_refs": []any{stix.MarkingAmber},
		"extensions": map[string]any{stix.TelecomExtensionID: map[string]any{
			"extension_type": "property-extension", "report_kind": "service-outage",
			"occurred_at": "2026-07-10T00:00:00Z", "recovered_at": "2026-07-10T01:00:00Z", "failed_equipment": "core",
			"cyber":    map[string]any{"attack_type": "ddos"},
			"services": []any{map[string]any{"service_class": "emergency-voice", "impact": "stop", "affected_users": 30000}},
		}},
	}
}

func bundleOf(objs ...map[string]any) []byte {
	list := make([]any, len(objs))
	for i, o := range objs {
		list[i] = o
	}
	b, _ := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + fmt.Sprintf("%08x-0000-4000-8000-000000000000", len(objs)), "objects": list})
	return b
}

// volatile parts of an answer: request ids and the object ids an attack names.
var (
	errorIDPattern = regexp.MustCompile(`"error_id":"[^"]*"`)
	stixIDPattern  = regexp.MustCompile(`[a-z0-9-]+--[0-9a-f-]{36}`)
)

// normalized is an answer with what legitimately differs between two attacks
// (the error id, the ids named) blanked, so that two answers can be compared.
func normalized(status int, body map[string]any) string {
	b, _ := json.Marshal(body)
	s := errorIDPattern.ReplaceAllString(string(b), `"error_id":""`)
	s = stixIDPattern.ReplaceAllString(s, "ID")
	return fmt.Sprintf("%d %s", status, s)
}

// post submits a bundle (or a submission wrapper) through the API.
func post(t *testing.T, base, tok string, body []byte) (int, map[string]any) {
	t.Helper()
	return request(t, "POST", base+"/api/v1/submissions", tok, body)
}

// taxiiPost submits objects through the TAXII intake collection and returns
// the status resource.
func taxiiPost(t *testing.T, base, tok string, objs ...map[string]any) taxiiAnswer {
	t.Helper()
	list := make([]any, len(objs))
	for i, o := range objs {
		list[i] = o
	}
	env, _ := json.Marshal(map[string]any{"objects": list})
	c := &taxiiClient{t: t, auth: "Bearer " + tok}
	a := c.do("POST", base+"/taxii2/hub/collections/intake/objects/", env)
	if a.status != http.StatusAccepted {
		t.Fatalf("TAXII POST: %d %s", a.status, a.raw)
	}
	return a
}

// latestIn returns the JSON of the object id as the export of a channel shows
// it to the reader, or nil.
func latestIn(t *testing.T, base, tok, channel, id string) map[string]any {
	t.Helper()
	status, raw := get(t, base+"/api/v1/exports/"+channel, tok)
	if status != 200 {
		t.Fatalf("export %s: %d %s", channel, status, raw)
	}
	var b struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	for _, o := range b.Objects {
		if o["id"] == id {
			return o
		}
	}
	return nil
}

func TestWriteSideAttacks(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	tok := readTokens(t, dir)

	// Every carrier files its own serious outage first.
	incidentOf := map[string]string{
		"carrier-a": "incident--a0000000-0000-4000-8000-00000000000a",
		"carrier-b": "incident--b0000000-0000-4000-8000-00000000000b",
		"carrier-c": "incident--c0000000-0000-4000-8000-00000000000c",
	}
	noteOf := map[string]string{}
	for _, org := range demoCarriers {
		noteOf[org] = strings.Replace(strings.Replace(incidentOf[org], "incident", "note", 1), "-8000-", "-9000-", 1)
		note := map[string]any{"type": "note", "spec_version": "2.1", "id": noteOf[org], "created": "2026-07-10T02:00:00.000Z", "modified": "2026-07-10T02:00:00.000Z",
			"content": "First report of " + org, "object_refs": []any{incidentOf[org]}, "created_by_ref": demoIdentity[org], "object_marking_refs": []any{stix.MarkingAmber}}
		status, body := post(t, h.base, tok[org], bundleOf(outageIncident(incidentOf[org], "2026-07-10T01:10:00.000Z", org, "Outage of "+org), note))
		if status != http.StatusCreated {
			t.Fatalf("%s files its outage: %d %v", org, status, body)
		}
	}

	// victimIntact checks, after the attacks, that every victim still owns
	// its incident everywhere: MIC reads the victim's version and the right
	// operator in the detailed report, the owner reads its own submission,
	// and the community still holds the victim's copy, not a tombstone.
	victimIntact := func(t *testing.T, victim string) {
		t.Helper()
		inc := incidentOf[victim]
		o := latestIn(t, h.base, tok["mic"], "accident-reports", inc)
		if o == nil || o["modified"] != "2026-07-10T01:10:00.000Z" || o["name"] != "Outage of "+victim {
			t.Errorf("MIC's accident-reports holds %v for %s's incident", o, victim)
		}
		status, raw := get(t, h.base+"/api/v1/reports/detailed/"+inc, tok["mic"])
		if status != 200 || !bytes.Contains(raw, []byte(victim)) {
			t.Errorf("MIC's detailed report of %s's incident: %d %s", victim, status, raw)
		}
		for _, other := range demoCarriers {
			if other != victim && bytes.Contains(raw, []byte(`"`+other+`"`)) {
				t.Errorf("the detailed report of %s's incident names %s: %s", victim, other, raw)
			}
		}
		if status, raw := get(t, h.base+"/api/v1/reports/detailed/"+inc, tok[victim]); status != 200 {
			t.Errorf("%s reading its own detailed report: %d %s", victim, status, raw)
		}
		for _, ch := range []string{"nisc", "isac-members"} {
			reader := map[string]string{"nisc": "nisc", "isac-members": "ict-isac"}[ch]
			if c := latestIn(t, h.base, tok[reader], ch, inc); c == nil || c["revoked"] == true || c["modified"] != "2026-07-10T01:10:00.000Z" {
				t.Errorf("%s's copy of %s's incident is %v", ch, victim, c)
			}
		}
		var obls struct {
			Obligations []map[string]any `json:"obligations"`
		}
		status, raw = get(t, h.base+"/api/v1/obligations?organization="+victim, tok["mic"])
		if err := json.Unmarshal(raw, &obls); status != 200 || err != nil {
			t.Fatalf("MIC's obligations of %s: %d %s", victim, status, raw)
		}
		for _, ob := range obls.Obligations {
			if ob["incident_id"] == inc && ob["organization"] != victim {
				t.Errorf("an obligation of %s's incident belongs to %v", victim, ob["organization"])
			}
		}
	}

	for _, attacker := range demoCarriers {
		for _, victim := range demoCarriers {
			if attacker == victim {
				continue
			}
			t.Run(attacker+" attacks "+victim, func(t *testing.T) {
				inc := incidentOf[victim]
				// 1. A later version of the victim's incident, RED so that it
				// would revoke the community copies, under the attacker's own
				// name (attribution passes: only ownership can stop it).
				later := outageIncident(inc, "2026-07-11T00:00:00.000Z", attacker, "Rewritten by "+attacker)
				later["object_marking_refs"] = []any{stix.MarkingRed}
				stLater, bodyLater := post(t, h.base, tok[attacker], bundleOf(later))
				if stLater != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(bodyLater), "/objects/0/id") {
					t.Fatalf("foreign version: %d %v, want 422 at /objects/0/id", stLater, bodyLater)
				}
				// The same refusal for a version with the victim's exact
				// content (no "new": false oracle), for an incident of
				// another owner, for a note and for a registry identity.
				same := outageIncident(inc, "2026-07-10T01:10:00.000Z", attacker, "Outage of "+victim)
				answers := map[string]string{"later version": normalized(stLater, bodyLater)}
				st, body := post(t, h.base, tok[attacker], bundleOf(same))
				answers["identical version"] = normalized(st, body)
				third := slices.IndexFunc(demoCarriers, func(o string) bool { return o != attacker && o != victim })
				st, body = post(t, h.base, tok[attacker], bundleOf(outageIncident(incidentOf[demoCarriers[third]], "2026-07-12T00:00:00.000Z", attacker, "x")))
				answers["another owner's incident"] = normalized(st, body)
				for name, a := range answers {
					if a != answers["later version"] {
						t.Errorf("%s answered %s\nwant the same as a later version: %s", name, a, answers["later version"])
					}
				}
				note := map[string]any{"type": "note", "spec_version": "2.1", "id": noteOf[victim], "created": "2026-07-10T02:00:00.000Z", "modified": "2026-07-12T00:00:00.000Z",
					"content": "all fine", "object_refs": []any{inc}, "created_by_ref": demoIdentity[attacker]}
				if st, body := post(t, h.base, tok[attacker], bundleOf(note)); st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "/objects/0/id") {
					t.Errorf("foreign note: %d %v", st, body)
				}
				renamed := map[string]any{"type": "identity", "spec_version": "2.1", "id": demoIdentity[victim], "created": "2026-07-10T00:00:00.000Z",
					"modified": "2026-07-12T00:00:00.000Z", "name": "Renamed by " + attacker, "identity_class": "organization"}
				if st, body := post(t, h.base, tok[attacker], bundleOf(renamed)); st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "/objects/0/id") {
					t.Errorf("renaming the victim's registry identity: %d %v", st, body)
				}

				// 2. The same attack through TAXII: every object a failure with
				// the API's message, nothing stored.
				a := taxiiPost(t, h.base, tok[attacker], later)
				if a.body["success_count"] != float64(0) || a.body["failure_count"] != float64(1) ||
					!strings.Contains(string(a.raw), "is not an object of your organization") {
					t.Errorf("TAXII foreign version: %s", a.raw)
				}

				// 3. Speaking for the victim: an incident without the telecom
				// extension, a report and a grouping naming the victim as
				// author are refused at created_by_ref, with the same answer
				// as naming an identity that belongs to nobody.
				plain := map[string]any{"type": "incident", "spec_version": "2.1", "id": "incident--d" + attacker[len(attacker)-1:] + victim[len(victim)-1:] + "00000-0000-4000-8000-000000000001",
					"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "name": "plain", "created_by_ref": demoIdentity[victim]}
				stV, bodyV := post(t, h.base, tok[attacker], bundleOf(plain))
				plain["created_by_ref"] = "identity--00000000-0000-4000-8000-0000000000ff"
				stN, bodyN := post(t, h.base, tok[attacker], bundleOf(plain))
				if stV != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(bodyV), "/objects/0/created_by_ref") || normalized(stV, bodyV) != normalized(stN, bodyN) {
					t.Errorf("incident without extension on behalf of %s: %d %v; of nobody: %d %v", victim, stV, bodyV, stN, bodyN)
				}
				plain["created_by_ref"] = demoIdentity[victim]
				if a := taxiiPost(t, h.base, tok[attacker], plain); a.body["failure_count"] != float64(1) || !strings.Contains(string(a.raw), "created_by_ref") {
					t.Errorf("TAXII incident on behalf of %s: %s", victim, a.raw)
				}
				for _, typ := range []string{"report", "grouping", "observed-data"} {
					o := map[string]any{"type": typ, "spec_version": "2.1", "id": typ + "--e" + attacker[len(attacker)-1:] + victim[len(victim)-1:] + "00000-0000-4000-8000-000000000002",
						"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "created_by_ref": demoIdentity[victim]}
					switch typ {
					case "report":
						o["name"], o["published"], o["object_refs"] = "r", "2026-07-10T01:10:00.000Z", []any{inc}
					case "grouping":
						o["context"], o["object_refs"] = "suspicious-activity", []any{inc}
					case "observed-data":
						o["first_observed"], o["last_observed"], o["number_observed"], o["object_refs"] = "2026-07-10T01:10:00.000Z", "2026-07-10T01:10:00.000Z", 1, []any{"ipv4-addr--ff000000-0000-5000-8000-000000000000"}
					}
					if st, body := post(t, h.base, tok[attacker], bundleOf(o)); st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "/objects/0/created_by_ref") {
						t.Errorf("%s on behalf of %s: %d %v", typ, victim, st, body)
					}
				}

				// 4. Re-keying the victim: refused, as for an organization
				// that does not exist.
				key, _ := os.ReadFile(filepath.Join(dir, demoKeysDir, attacker+".asc"))
				stK, bodyK := request(t, "PUT", h.base+"/api/v1/organizations/"+victim+"/pgp-key", tok[attacker], key)
				stU, bodyU := request(t, "PUT", h.base+"/api/v1/organizations/nobody/pgp-key", tok[attacker], key)
				if stK != http.StatusForbidden || normalized(stK, bodyK) != normalized(stU, bodyU) {
					t.Errorf("re-keying %s: %d %v; an unknown organization: %d %v", victim, stK, bodyK, stU, bodyU)
				}
				// Reading keys does not list the membership: another
				// organization's key is the 404 of an unknown one.
				stK, bodyK = request(t, "GET", h.base+"/api/v1/organizations/"+victim+"/pgp-key", tok[attacker], nil)
				stU, bodyU = request(t, "GET", h.base+"/api/v1/organizations/nobody/pgp-key", tok[attacker], nil)
				if stK != http.StatusNotFound || normalized(stK, bodyK) != normalized(stU, bodyU) {
					t.Errorf("reading %s's key: %d %v; an unknown organization's: %d %v", victim, stK, bodyK, stU, bodyU)
				}

				victimIntact(t, victim)
			})
		}
	}

	// 5. Deterministic ids are per submitter: two carriers report the same
	// e-mail address, each owns its own, and the answer to the second is the
	// same as for a value nobody reported ("new": true both times).
	addr := func(v string) map[string]any {
		return map[string]any{"type": "email-addr", "spec_version": "2.1", "id": "email-addr--" + uuid5(v), "value": v, "object_marking_refs": []any{stix.MarkingRed}}
	}
	if st, body := post(t, h.base, tok["carrier-b"], bundleOf(addr("phish@attacker.example"))); st != http.StatusCreated {
		t.Fatalf("carrier-b reports an address: %d %v", st, body)
	}
	for _, v := range []string{"phish@attacker.example", "fresh@attacker.example"} {
		a := addr(v)
		a["object_marking_refs"] = []any{stix.MarkingGreen} // another marking than the first report: not a conflict
		st, body := post(t, h.base, tok["carrier-a"], bundleOf(a))
		objs, _ := body["objects"].([]any)
		if st != http.StatusCreated || len(objs) != 1 || objs[0].(map[string]any)["new"] != true {
			t.Errorf("carrier-a reports %s: %d %v; want 201 and new, whoever reported it before", v, st, body)
		}
	}
	// The idempotent re-submission stays idempotent within one's own objects.
	if st, body := post(t, h.base, tok["carrier-b"], bundleOf(addr("phish@attacker.example"))); st != http.StatusOK {
		t.Errorf("carrier-b re-submits its own address: %d %v, want 200", st, body)
	}

	// 5a. The hub's classification note, which the submitter sees in its
	// preview, belongs to the hub: the submitter cannot version it.
	var subID string
	{
		st, body := post(t, h.base, tok["carrier-a"], bundleOf(outageIncident("incident--a1000000-0000-4000-8000-00000000000a", "2026-07-10T01:10:00.000Z", "carrier-a", "noted")))
		if st != http.StatusCreated {
			t.Fatalf("carrier-a's incident: %d %v", st, body)
		}
		subID = body["submission_id"].(string)
	}
	st, prev := request(t, "GET", h.base+"/api/v1/submissions/"+subID+"/preview/accident-reports", tok["carrier-a"], nil)
	noteID := ""
	for _, c := range prev["copies"].([]any) {
		for _, o := range c.(map[string]any)["bundle"].(map[string]any)["objects"].([]any) {
			if m := o.(map[string]any); m["type"] == "note" && m["created_by_ref"] == stix.HubIdentityID {
				noteID = m["id"].(string)
			}
		}
	}
	if st != 200 || noteID == "" {
		t.Fatalf("no classification note in the preview: %d %v", st, prev)
	}
	forged := map[string]any{"type": "note", "spec_version": "2.1", "id": noteID, "created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-12T00:00:00.000Z",
		"content": "Classification: not reportable", "object_refs": []any{"incident--a1000000-0000-4000-8000-00000000000a"}, "created_by_ref": demoIdentity["carrier-a"]}
	if st, body := post(t, h.base, tok["carrier-a"], bundleOf(forged)); st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "/objects/0/id") {
		t.Errorf("a later version of the hub's classification note: %d %v", st, body)
	}

	// 5b. A deterministic (UUIDv5) SDO id, as some platforms make them, is
	// claimed like any other: another carrier cannot publish a later,
	// revoked version of it into the community channels.
	v5 := map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--2d77a846-6264-5d51-b586-e43822ea1ea3",
		"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "name": "C2 server",
		"pattern": "[ipv4-addr:value = '198.18.55.5']", "pattern_type": "stix", "valid_from": "2026-07-10T01:10:00Z",
		"indicator_types": []any{"malicious-activity"}, "object_marking_refs": []any{stix.MarkingGreen}}
	if st, body := post(t, h.base, tok["carrier-a"], bundleOf(v5)); st != http.StatusCreated {
		t.Fatalf("carrier-a's UUIDv5 indicator: %d %v", st, body)
	}
	fake := map[string]any{}
	for k, v := range v5 {
		fake[k] = v
	}
	fake["modified"], fake["revoked"], fake["name"] = "2026-07-11T00:00:00.000Z", true, "benign, ignore"
	if st, body := post(t, h.base, tok["carrier-b"], bundleOf(fake)); st != http.StatusUnprocessableEntity {
		t.Errorf("carrier-b versioning carrier-a's UUIDv5 indicator: %d %v", st, body)
	}
	if o := latestIn(t, h.base, tok["carrier-c"], "isac-members", v5["id"].(string)); o == nil || o["revoked"] == true || o["name"] != "C2 server" {
		t.Errorf("carrier-c reads %v for carrier-a's indicator", o)
	}

	// 5c. The hub's published definitions may be embedded as published;
	// changed, they are versions of the hub's objects and refused.
	extDef := stix.TelecomExtensionDefinition()
	withDefs := bundleOf(outageIncident("incident--e0000000-0000-4000-8000-00000000000e", "2026-07-10T01:10:00.000Z", "carrier-c", "with definitions"), stix.HubIdentity(), extDef)
	if st, body := post(t, h.base, tok["carrier-c"], withDefs); st != http.StatusCreated {
		t.Errorf("a bundle embedding the hub's published definitions: %d %v", st, body)
	}
	renamedHub := stix.HubIdentity()
	renamedHub["name"] = "Not the hub"
	if st, body := post(t, h.base, tok["carrier-c"], bundleOf(renamedHub)); st != http.StatusUnprocessableEntity {
		t.Errorf("a changed hub identity: %d %v", st, body)
	}

	// 6. Far-future dates are refused with a pointer, and the lists stay up.
	future := outageIncident("incident--f0000000-0000-4000-8000-00000000000f", "2026-07-10T01:10:00.000Z", "carrier-b", "typo")
	ext := future["extensions"].(map[string]any)[stix.TelecomExtensionID].(map[string]any)
	ext["occurred_at"], ext["recovered_at"] = "9999-12-31T00:00:00Z", "9999-12-31T01:00:00Z"
	st, body := post(t, h.base, tok["carrier-b"], bundleOf(future))
	if st != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(body), "/objects/0/extensions/"+stix.TelecomExtensionID+"/occurred_at") {
		t.Errorf("year 9999: %d %v", st, body)
	}
	for _, org := range []string{"mic", "carrier-b"} {
		if st, raw := get(t, h.base+"/api/v1/obligations", tok[org]); st != 200 {
			t.Errorf("%s's obligations after the attempt: %d %s", org, st, raw)
		}
	}
	for _, victim := range demoCarriers {
		victimIntact(t, victim)
	}
}

// uuid5 is a fixed UUIDv5-shaped id for a value (tests only need it stable).
func uuid5(v string) string {
	sum := 0
	for _, r := range v {
		sum = sum*31 + int(r)
	}
	return fmt.Sprintf("%08x-0000-5000-8000-%012x", uint32(sum), uint64(len(v)))
}

// TestNamedRecipientsStayNamed: a RED object shared with every current member
// of the isac-members audience is stored with that list, so an organization
// that joins later does not read it (SHARING.md §3).
func TestNamedRecipientsStayNamed(t *testing.T) {
	dir := t.TempDir()
	h := startHub(t, "--demo", "--data", dir)
	tok := readTokens(t, dir)
	red := map[string]any{"type": "indicator", "spec_version": "2.1", "id": "indicator--ee000000-0000-4000-8000-000000000001",
		"created": "2026-07-10T01:10:00.000Z", "modified": "2026-07-10T01:10:00.000Z", "name": "RED for today's members",
		"pattern": "[ipv4-addr:value = '198.18.99.99']", "pattern_type": "stix", "valid_from": "2026-07-10T01:10:00Z",
		"indicator_types": []any{"malicious-activity"}, "object_marking_refs": []any{stix.MarkingRed}}
	wrapper, _ := json.Marshal(map[string]any{"bundle": json.RawMessage(bundleOf(red)), "share_with": []string{"carrier-b", "carrier-c", "ict-isac"}})
	st, body := post(t, h.base, tok["carrier-a"], wrapper)
	if st != http.StatusCreated {
		t.Fatalf("RED to the whole audience: %d %v", st, body)
	}
	named := false
	for _, c := range body["channels"].([]any) {
		m := c.(map[string]any)
		if m["channel"] == "isac-members" {
			named = m["named"] == true && len(m["recipients"].([]any)) == 3
		}
	}
	if !named {
		t.Errorf("the isac-members route is not named: %v", body["channels"])
	}
	if o := latestIn(t, h.base, tok["carrier-b"], "isac-members", red["id"].(string)); o == nil {
		st, raw := get(t, h.base+"/api/v1/exports/isac-members", tok["carrier-b"])
		t.Errorf("carrier-b, which is named, does not read the RED object: %d %s\n%v", st, raw, body["channels"])
	}
	h.stop(t)

	// A new ISAC member joins.
	reg, err := os.ReadFile(filepath.Join(dir, "registry.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	reg = append(reg, []byte(`
    - id: carrier-d
      role: carrier
      identity: identity--dd000000-0000-4000-8000-00000000000d
      name: Hinoki Cable
      isac_member: true
`)...)
	if err := os.WriteFile(filepath.Join(dir, "registry.yaml"), reg, 0o600); err != nil {
		t.Fatal(err)
	}
	e, stdout, stderr := testEnv("")
	if code := run(context.Background(), []string{"token", "issue", "--org", "carrier-d", "--data", dir}, e); code != exitOK {
		t.Fatalf("token issue: %d %s", code, stderr)
	}
	newcomer := strings.TrimSpace(stdout.String())
	h = startHub(t, "--demo", "--data", dir)
	defer h.stop(t)
	if o := latestIn(t, h.base, newcomer, "isac-members", red["id"].(string)); o != nil {
		t.Errorf("carrier-d, which joined later, reads the RED object: %v", o)
	}
	if o := latestIn(t, h.base, tok["carrier-b"], "isac-members", red["id"].(string)); o == nil {
		t.Error("carrier-b, which was named, no longer reads the RED object")
	}
	c := &taxiiClient{t: t, auth: "Bearer " + newcomer}
	if a := c.get(h.base + "/taxii2/hub/collections/isac-members/objects/"); strings.Contains(string(a.raw), red["id"].(string)) {
		t.Errorf("carrier-d reads the RED object through TAXII: %s", a.raw)
	}
}
