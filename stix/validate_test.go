package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const (
	idA   = "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"
	artA  = "artifact--0f7a3a5e-2c8d-4b7e-8f1a-3d9c6b2e4a10"
	incA  = "incident--2b7c9a3e-5d4f-4e1a-9b8c-7f6e5d4c3b2a"
	indA  = "indicator--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
	malA  = "malware--3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
	relA  = "relationship--4f5a6b7c-8d9e-4f0a-b1c2-d3e4f5a6b7c8"
	telID = TelecomExtensionID
)

// fixture returns a fresh decoded copy of the JSON text s.
func fixture(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return m
}

func incidentJSON() string {
	return `{"type":"incident","spec_version":"2.1","id":"` + incA + `","created":"2026-07-10T00:10:00.000Z","modified":"2026-07-10T00:10:00.000Z",
	"name":"Voice core outage in Kanto","created_by_ref":"` + idA + `",
	"object_marking_refs":["` + MarkingAmber + `"],
	"extensions":{"` + telID + `":{"extension_type":"property-extension","report_kind":"service-outage","cause":"telecom-equipment-failure",
	"occurred_at":"2026-07-10T00:00:00Z","aware_at":"2026-07-10T00:05:00Z","recovered_at":"2026-07-10T01:00:00Z","failed_equipment":"core",
	"services":[{"service_class":"emergency-voice","impact":"stop","affected_users":30000,
	"user_profile":[{"start":"2026-07-10T00:00:00Z","end":"2026-07-10T01:00:00Z","users":30000}]}]}}}`
}

func artifactJSON() string {
	return `{"type":"artifact","spec_version":"2.1","id":"` + artA + `","payload_bin":"aGVsbG8="}`
}

// telecomExt returns the telecom extension map of an incident fixture.
func telecomExt(m map[string]any) map[string]any {
	return m["extensions"].(map[string]any)[telID].(map[string]any)
}

// bundleOf wraps objects in a bundle without going through JSON.
func bundleOf(objs ...map[string]any) *Bundle {
	b := &Bundle{ID: "bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"}
	for _, m := range objs {
		o, err := NewObject(m)
		if err != nil {
			panic(err)
		}
		b.Objects = append(b.Objects, o)
	}
	return b
}

// violationsOf runs Validate and returns the violations (nil when valid).
func violationsOf(t *testing.T, b *Bundle) []Violation {
	t.Helper()
	err := Validate(b)
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate returned %T %v, want *ValidationError", err, err)
	}
	return ve.Violations
}

// checkViolations compares the paths exactly and requires each message to
// contain the wanted fragment.
func checkViolations(t *testing.T, got []Violation, want []Violation) {
	t.Helper()
	paths := func(vs []Violation) []string {
		var p []string
		for _, v := range vs {
			p = append(p, v.Path)
		}
		return p
	}
	if diff := cmp.Diff(paths(want), paths(got)); diff != "" {
		t.Fatalf("violation paths (-want +got):\n%s\nall: %+v", diff, got)
	}
	for i := range want {
		if !strings.Contains(got[i].Message, want[i].Message) {
			t.Errorf("%s: message %q does not contain %q", got[i].Path, got[i].Message, want[i].Message)
		}
	}
}

func TestValidateValidBundle(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "valid-bundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := DecodeBundle(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(b); err != nil {
		t.Fatalf("valid bundle rejected: %v", err)
	}
}

func TestValidateTelecomExtension(t *testing.T) {
	p := "/objects/0/extensions/" + telID
	tests := []struct {
		name   string
		mutate func(inc, ext map[string]any)
		extra  []map[string]any // more objects in the bundle
		want   []Violation
	}{
		{name: "valid", mutate: func(inc, ext map[string]any) {}},
		{name: "report_kind missing", mutate: func(inc, ext map[string]any) { delete(ext, "report_kind") },
			want: []Violation{{p + "/report_kind", "is required on a telecom extension"}}},
		{name: "report_kind not in enum", mutate: func(inc, ext map[string]any) { ext["report_kind"] = "outage" },
			want: []Violation{{p + "/report_kind", `"outage" is not one of the allowed values: service-outage, cyber-attack`}}},
		{name: "occurred_at missing", mutate: func(inc, ext map[string]any) { delete(ext, "occurred_at") },
			want: []Violation{{p + "/occurred_at", "is required"}}},
		{name: "occurred_at not UTC", mutate: func(inc, ext map[string]any) { ext["occurred_at"] = "2026-07-10T09:00:00+09:00" },
			want: []Violation{{p + "/occurred_at", `"2026-07-10T09:00:00+09:00" is not an RFC 3339 UTC timestamp`}}},
		{name: "recovered before occurred", mutate: func(inc, ext map[string]any) { ext["recovered_at"] = "2026-07-09T23:00:00Z" },
			want: []Violation{{p + "/recovered_at", "must be equal to or later than occurred_at"}}},
		{name: "cause not in enum", mutate: func(inc, ext map[string]any) { ext["cause"] = "bad-luck" },
			want: []Violation{{p + "/cause", "is not one of the allowed values"}}},
		{name: "failed_equipment not in enum", mutate: func(inc, ext map[string]any) { ext["failed_equipment"] = "router" },
			want: []Violation{{p + "/failed_equipment", `"router" is not one of`}}},
		{name: "same_premises_only not boolean", mutate: func(inc, ext map[string]any) { ext["same_premises_only"] = "yes" },
			want: []Violation{{p + "/same_premises_only", "must be true or false, not a string"}}},
		{name: "services empty", mutate: func(inc, ext map[string]any) { ext["services"] = []any{} },
			want: []Violation{{p + "/services", "must not be an empty list"}}},
		{name: "service without impact", mutate: func(inc, ext map[string]any) {
			delete(ext["services"].([]any)[0].(map[string]any), "impact")
		}, want: []Violation{{p + "/services/0/impact", "is required on a service"}}},
		{name: "service class unknown", mutate: func(inc, ext map[string]any) {
			ext["services"].([]any)[0].(map[string]any)["service_class"] = "5g"
		}, want: []Violation{{p + "/services/0/service_class", `"5g" is not one of`}}},
		{name: "affected_users negative", mutate: func(inc, ext map[string]any) {
			ext["services"].([]any)[0].(map[string]any)["affected_users"] = json.Number("-5")
		}, want: []Violation{{p + "/services/0/affected_users", "must be at least 0, not -5"}}},
		{name: "affected_users fractional", mutate: func(inc, ext map[string]any) {
			ext["services"].([]any)[0].(map[string]any)["affected_users"] = json.Number("2.5")
		}, want: []Violation{{p + "/services/0/affected_users", "must be an integer, not 2.5"}}},
		{name: "user step ends before it starts", mutate: func(inc, ext map[string]any) {
			step := ext["services"].([]any)[0].(map[string]any)["user_profile"].([]any)[0].(map[string]any)
			step["end"] = "2026-07-10T00:00:00Z"
		}, want: []Violation{{p + "/services/0/user_profile/0/end", "must be later than start"}}},
		{name: "user step negative users", mutate: func(inc, ext map[string]any) {
			step := ext["services"].([]any)[0].(map[string]any)["user_profile"].([]any)[0].(map[string]any)
			step["users"] = json.Number("-1")
		}, want: []Violation{{p + "/services/0/user_profile/0/users", "must be at least 0"}}},
		{name: "wholesale partner not an identity", mutate: func(inc, ext map[string]any) {
			ext["services"].([]any)[0].(map[string]any)["wholesale_partner_refs"] = []any{malA}
		}, want: []Violation{{p + "/services/0/wholesale_partner_refs/0", `must reference an identity, not a malware ("` + malA + `")`}}},
		{name: "important facility without duration", mutate: func(inc, ext map[string]any) {
			ext["important_facility"] = map[string]any{"kind": "satellite"}
		}, want: []Violation{{p + "/important_facility/all_traffic_down_seconds", "is required"}}},
		{name: "disaster intensity 8", mutate: func(inc, ext map[string]any) {
			ext["disaster"] = map[string]any{"kind": "earthquake", "seismic_intensity": "8"}
		}, want: []Violation{{p + "/disaster/seismic_intensity", `"8" is not one of`}}},
		{name: "cyber without attack_type", mutate: func(inc, ext map[string]any) {
			ext["cyber"] = map[string]any{"outbound_attack_on_facility": true}
		}, want: []Violation{{p + "/cyber/attack_type", "is required"}}},
		{name: "osore 48 prefectures", mutate: func(inc, ext map[string]any) {
			ext["osore"] = map[string]any{"situation": "other", "prefectures": json.Number("48")}
		}, want: []Violation{{p + "/osore/prefectures", "must be between 0 and 47"}}},
		{name: "sensitive design in bundle", mutate: func(inc, ext map[string]any) {
			ext["sensitive_design_refs"] = []any{artA}
		}, extra: []map[string]any{nil}},
		{name: "sensitive design missing from bundle", mutate: func(inc, ext map[string]any) {
			ext["sensitive_design_refs"] = []any{artA}
		}, want: []Violation{{p + "/sensitive_design_refs/0", "is not an artifact of this bundle"}}},
		{name: "sensitive design not an artifact", mutate: func(inc, ext map[string]any) {
			ext["sensitive_design_refs"] = []any{idA}
		}, want: []Violation{{p + "/sensitive_design_refs/0", "must reference an artifact, not an identity"}}},
		{name: "outage-signal with a signal block only", mutate: func(inc, ext map[string]any) { asSignal(ext) }},
		{name: "outage-signal without signal", mutate: func(inc, ext map[string]any) { asSignal(ext); delete(ext, "signal") },
			want: []Violation{{p + "/signal", "is required on an outage-signal"}}},
		{name: "outage-signal with unknown symptom", mutate: func(inc, ext map[string]any) {
			asSignal(ext)
			ext["signal"].(map[string]any)["symptom"] = "slow"
		}, want: []Violation{{p + "/signal/symptom", `"slow" is not one of`}}},
		{name: "outage-signal without observed_at", mutate: func(inc, ext map[string]any) {
			asSignal(ext)
			delete(ext["signal"].(map[string]any), "observed_at")
		}, want: []Violation{{p + "/signal/observed_at", "is required"}}},
		{name: "unknown custom property allowed", mutate: func(inc, ext map[string]any) { ext["x_carrier_ticket"] = "T-1" }},
		{name: "bad custom property name", mutate: func(inc, ext map[string]any) { ext["Ticket-ID"] = "T-1" },
			want: []Violation{{p + "/Ticket-ID", `"Ticket-ID" is not a valid property name`}}},
		{name: "wrong extension_type", mutate: func(inc, ext map[string]any) { ext["extension_type"] = "new-sdo" },
			want: []Violation{{p + "/extension_type", `"new-sdo" is not one of the allowed values: property-extension`}}},
		{name: "on an indicator", mutate: func(inc, ext map[string]any) {
			inc["type"] = "indicator"
			inc["id"] = indA
			inc["pattern"] = "[ipv4-addr:value = '198.51.100.7']"
			inc["pattern_type"] = "stix"
			inc["valid_from"] = "2026-07-10T00:00:00Z"
		}, want: []Violation{{p, "belongs on incident objects, not on an indicator"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inc := fixture(t, incidentJSON())
			tc.mutate(inc, telecomExt(inc))
			objs := []map[string]any{inc}
			if tc.extra != nil {
				objs = append(objs, fixture(t, artifactJSON()))
			}
			checkViolations(t, violationsOf(t, bundleOf(objs...)), tc.want)
		})
	}
}

// asSignal turns an incident fixture's extension into an outage-signal:
// no outage facts, only a signal block (INTERFACES §9).
func asSignal(ext map[string]any) {
	for k := range ext {
		if k != "extension_type" {
			delete(ext, k)
		}
	}
	ext["report_kind"] = KindOutageSignal
	ext["signal"] = map[string]any{"observed_at": "2026-07-10T05:01:00Z", "symptom": "no-connectivity",
		"regions": []any{"13"}, "upstream_asns": []any{json.Number("64511")}, "prefixes": []any{"203.0.113.0/24"}}
}

func TestTelecomExtensionParsesSignal(t *testing.T) {
	inc := fixture(t, incidentJSON())
	asSignal(telecomExt(inc))
	o, err := NewObject(inc)
	if err != nil {
		t.Fatal(err)
	}
	tel, ok, err := o.TelecomExtension()
	if err != nil || !ok {
		t.Fatalf("TelecomExtension() = %v, %v", ok, err)
	}
	want := time.Date(2026, 7, 10, 5, 1, 0, 0, time.UTC)
	if tel.Signal == nil || tel.Signal.Symptom != "no-connectivity" || len(tel.Signal.UpstreamASNs) != 1 || !tel.OccurredAt.Equal(want) {
		t.Errorf("unexpected signal: %+v %+v", tel, tel.Signal)
	}
}

func TestTelecomExtensionParses(t *testing.T) {
	o, err := NewObject(fixture(t, incidentJSON()))
	if err != nil {
		t.Fatal(err)
	}
	tel, ok, err := o.TelecomExtension()
	if err != nil || !ok {
		t.Fatalf("TelecomExtension() = %v, %v", ok, err)
	}
	if tel.ReportKind != KindServiceOutage || len(tel.Services) != 1 || tel.Services[0].WholesaleRole != "self" {
		t.Errorf("unexpected telecom extension: %+v", tel)
	}
}

func TestTelecomExtensionDefinitionAndSchema(t *testing.T) {
	def := TelecomExtensionDefinition()
	o, err := NewObject(def)
	if err != nil {
		t.Fatal(err)
	}
	if vs := ValidateObject(o, ""); len(vs) > 0 {
		t.Fatalf("the telecom extension definition is invalid: %v", vs)
	}
	if def["created_by_ref"] != HubIdentityID || !ValidID(HubIdentityID, "identity") || !ValidID(CEPTOARIdentityID, "identity") {
		t.Errorf("hub identities are not valid identity ids")
	}
	// The JSON Schema must compile and agree with the own rules on the
	// fixtures of TestValidateTelecomExtension's simple cases.
	c := jsonschema.NewCompiler()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(TelecomExtensionSchema))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(TelecomExtensionSchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(TelecomExtensionSchemaURL)
	if err != nil {
		t.Fatalf("compile telecom schema: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(ext map[string]any)
		valid bool
	}{
		{"valid", func(map[string]any) {}, true},
		{"no report_kind", func(e map[string]any) { delete(e, "report_kind") }, false},
		{"bad occurred_at", func(e map[string]any) { e["occurred_at"] = "2026-13-01" }, false},
		{"bad name", func(e map[string]any) { e["Bad-Name"] = "x" }, false},
		{"custom ok", func(e map[string]any) { e["x_ticket"] = "1" }, true},
		{"outage-signal", asSignal, true},
		{"outage-signal without signal", func(e map[string]any) { asSignal(e); delete(e, "signal") }, false},
		{"outage-signal bad symptom", func(e map[string]any) { asSignal(e); e["signal"].(map[string]any)["symptom"] = "slow" }, false},
		{"null custom", func(e map[string]any) { e["x_ticket"] = nil }, false},
		{"negative users", func(e map[string]any) {
			e["services"].([]any)[0].(map[string]any)["affected_users"] = json.Number("-1")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inc := fixture(t, incidentJSON())
			ext := telecomExt(inc)
			tc.edit(ext)
			schemaOK := sch.Validate(ext) == nil
			ownOK := len(violationsOf(t, bundleOf(inc))) == 0
			if schemaOK != tc.valid || ownOK != tc.valid {
				t.Errorf("schema valid=%v, own valid=%v, want %v", schemaOK, ownOK, tc.valid)
			}
		})
	}
}

func tlp2JSON(id, name, level string) string {
	return `{"type":"marking-definition","spec_version":"2.1","id":"` + id + `","created":"2022-10-01T00:00:00.000Z","name":"` + name + `",
	"extensions":{"` + TLP20ExtensionID + `":{"extension_type":"property-extension","tlp_2_0":"` + level + `"}}}`
}

func TestValidateTLPMarkings(t *testing.T) {
	tests := []struct {
		name string
		obj  string
		want []Violation
	}{
		{name: "TLP 2.0 green", obj: tlp2JSON(MarkingGreen, "TLP:GREEN", "green")},
		{name: "TLP 2.0 amber+strict", obj: tlp2JSON(MarkingAmberStrict, "TLP:AMBER+STRICT", "amber+strict")},
		{name: "TLP 1.0 white", obj: `{"type":"marking-definition","spec_version":"2.1","id":"` + MarkingTLP1White + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:WHITE","definition":{"tlp":"white"}}`},
		{name: "green id redefined as red", obj: tlp2JSON(MarkingGreen, "TLP:RED", "red"), want: []Violation{
			{"/objects/0/extensions", `"tlp_2_0": "green"`},
			{"/objects/0/name", `must be "TLP:GREEN" in the standard TLP:GREEN marking`}}},
		{name: "TLP 1.0 red with wrong definition", obj: `{"type":"marking-definition","spec_version":"2.1","id":"` + MarkingTLP1Red + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:RED","definition":{"tlp":"white"}}`,
			want: []Violation{{"/objects/0/definition", `must be {"tlp": "red"}`}}},
		{name: "TLP 1.0 with extra property", obj: `{"type":"marking-definition","spec_version":"2.1","id":"` + MarkingTLP1Amber + `","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","name":"TLP:AMBER","definition":{"tlp":"amber"},"x_note":"mine"}`,
			want: []Violation{{"/objects/0/x_note", "is not part of the standard TLP:AMBER marking"}}},
		{name: "TLP 2.0 extension under a private id", obj: tlp2JSON("marking-definition--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "TLP:RED", "red"),
			want: []Violation{{"/objects/0/id", "must use the standard id of its level: " + MarkingRed}}},
		{name: "tlp definition type under a private id", obj: `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","created":"2017-01-20T00:00:00.000Z","definition_type":"tlp","definition":{"tlp":"white"}}`,
			want: []Violation{{"/objects/0/definition_type", `"tlp" is reserved for the four TLP 1.0 markings`}}},
		{name: "TLP 2.0 level not in enum", obj: tlp2JSON("marking-definition--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "TLP:BLUE", "blue"),
			want: []Violation{{"/objects/0/extensions/" + TLP20ExtensionID + "/tlp_2_0", `"blue" is not one of the allowed values`}}},
		{name: "statement without statement", obj: `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","created":"2026-01-01T00:00:00.000Z","definition_type":"statement","definition":{"text":"x"}}`,
			want: []Violation{{"/objects/0/definition/statement", "is required for a statement marking"}}},
		{name: "no definition and no extension", obj: `{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","created":"2026-01-01T00:00:00.000Z","name":"x"}`,
			want: []Violation{{"/objects/0/definition", "is required unless"}, {"/objects/0/definition_type", "is required unless"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkViolations(t, violationsOf(t, bundleOf(fixture(t, tc.obj))), tc.want)
		})
	}
}

func TestValidateRefs(t *testing.T) {
	sdo := func(typ, id, extra string) string {
		return `{"type":"` + typ + `","spec_version":"2.1","id":"` + id + `","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z"` + extra + `}`
	}
	tests := []struct {
		name string
		obj  string
		want []Violation
	}{
		{name: "created_by_ref to malware", obj: sdo("malware", malA, `,"is_family":false,"created_by_ref":"`+malA+`"`),
			want: []Violation{{"/objects/0/created_by_ref", `must reference an identity, not a malware ("` + malA + `")`}}},
		{name: "object_marking_refs to identity", obj: sdo("malware", malA, `,"is_family":false,"object_marking_refs":["`+idA+`"]`),
			want: []Violation{{"/objects/0/object_marking_refs/0", "must reference a marking-definition, not an identity"}}},
		{name: "sighting of a relationship", obj: sdo("sighting", "sighting--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"sighting_of_ref":"`+relA+`"`),
			want: []Violation{{"/objects/0/sighting_of_ref", "must reference a STIX domain object, not a relationship"}}},
		{name: "sighting of a custom object", obj: sdo("sighting", "sighting--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"sighting_of_ref":"x-telco-event--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"`)},
		{name: "relationship to a marking", obj: sdo("relationship", relA, `,"relationship_type":"uses","source_ref":"`+malA+`","target_ref":"`+MarkingRed+`"`),
			want: []Violation{{"/objects/0/target_ref", "must reference an SDO or SCO, not a marking-definition"}}},
		{name: "ref with bad uuid variant", obj: sdo("malware", malA, `,"is_family":false,"created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-c a53-6f1b1d9c2b11"`),
			want: []Violation{{"/objects/0/created_by_ref", "does not end in an RFC 4122 UUID"}}},
		{name: "ref with uuid version 0", obj: sdo("malware", malA, `,"is_family":false,"created_by_ref":"identity--6d0bd1b6-5a1c-0c7e-9a53-6f1b1d9c2b11"`),
			want: []Violation{{"/objects/0/created_by_ref", "version 0 is not an RFC 4122 version"}}},
		{name: "SCO ref to wrong type", obj: `{"type":"email-addr","spec_version":"2.1","id":"email-addr--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d","value":"a@example.com","belongs_to_ref":"` + idA + `"}`,
			want: []Violation{{"/objects/0/belongs_to_ref", "must reference a user-account, not an identity"}}},
		{name: "extension-definition needs created_by_ref", obj: sdo("extension-definition", "extension-definition--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"name":"x","schema":"s","version":"1","extension_types":["property-extension"]`),
			want: []Violation{{"/objects/0/created_by_ref", "is required on an extension-definition"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkViolations(t, violationsOf(t, bundleOf(fixture(t, tc.obj))), tc.want)
		})
	}
}

func TestValidatePointersAndMessages(t *testing.T) {
	good := func(i int) string {
		return `{"type":"identity","spec_version":"2.1","id":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b1` + string(rune('0'+i)) + `","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"n"}`
	}
	tests := []struct {
		name string
		obj  string
		want []Violation
	}{
		{name: "bad month", obj: strings.Replace(good(3), `"created":"2026-01-01T00:00:00.000Z"`, `"created":"2026-13-01"`, 1),
			want: []Violation{{"/objects/3/created", `"2026-13-01" is not an RFC 3339 UTC timestamp`}}},
		{name: "no milliseconds", obj: strings.Replace(good(3), `"created":"2026-01-01T00:00:00.000Z"`, `"created":"2026-01-01T00:00:00Z"`, 1),
			want: []Violation{{"/objects/3/created", "must be precise to at least the millisecond"}}},
		{name: "modified before created", obj: strings.Replace(good(3), `"modified":"2026-01-01T00:00:00.000Z"`, `"modified":"2025-12-31T23:59:59.999Z"`, 1),
			want: []Violation{{"/objects/3/modified", `must be equal to or later than created ("2026-01-01T00:00:00.000Z")`}}},
		{name: "several, sorted", obj: `{"type":"identity","spec_version":"2.0","id":"malware--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","labels":[],"confidence":101}`,
			want: []Violation{
				{"/objects/3/confidence", "must be between 0 and 100, not 101"},
				{"/objects/3/id", `must start with "identity--"`},
				{"/objects/3/labels", "must not be an empty list"},
				{"/objects/3/name", "is required on an identity"},
				{"/objects/3/spec_version", `"2.0" is not accepted`}}},
		{name: "key with slash is escaped", obj: strings.Replace(good(3), `"name":"n"`, `"name":"n","extensions":{"a/b~c-ext":{"x":"y"}}`, 1),
			want: []Violation{{"/objects/3/extensions/a~1b~0c-ext", "is not a valid extension key"}}},
		{name: "nested list pointer", obj: strings.Replace(good(3), `"name":"n"`, `"name":"n","external_references":[{"source_name":"a","url":"u"},{"source_name":"cve","external_id":"CVE-1"}]`, 1),
			want: []Violation{{"/objects/3/external_references/1/external_id", `"CVE-1" is not a CVE id`}}},
		{name: "reserved property", obj: strings.Replace(good(3), `"name":"n"`, `"name":"n","severity":"high"`, 1),
			want: []Violation{{"/objects/3/severity", `"severity" is reserved by STIX 2.1`}}},
		{name: "custom null", obj: strings.Replace(good(3), `"name":"n"`, `"name":"n","x_a":null`, 1),
			want: []Violation{{"/objects/3/x_a", "must not be null"}}},
		{name: "wrong type", obj: strings.Replace(good(3), `"name":"n"`, `"name":7`, 1),
			want: []Violation{{"/objects/3/name", "must be a string, not a number"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			objs := []map[string]any{fixture(t, good(0)), fixture(t, good(1)), fixture(t, good(2)), fixture(t, tc.obj)}
			checkViolations(t, violationsOf(t, bundleOf(objs...)), tc.want)
		})
	}
	t.Run("ValidateObject prefix", func(t *testing.T) {
		o, err := NewObject(fixture(t, strings.Replace(good(0), `"name":"n"`, `"name":true`, 1)))
		if err != nil {
			t.Fatal(err)
		}
		checkViolations(t, ValidateObject(o, "/objects/9"), []Violation{{"/objects/9/name", "must be a string, not a boolean"}})
	})
}

func TestValidateCustomObjects(t *testing.T) {
	tests := []struct {
		name string
		obj  string
		want []Violation
	}{
		{name: "custom SDO", obj: `{"type":"x-telco-event","spec_version":"2.1","id":"x-telco-event--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","x_cell":"1"}`},
		{name: "custom SCO", obj: `{"type":"x-telco-cell","id":"x-telco-cell--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d","mcc":"440"}`},
		{name: "custom SDO without modified", obj: `{"type":"x-telco-event","spec_version":"2.1","id":"x-telco-event--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d","created":"2026-01-01T00:00:00.000Z"}`,
			want: []Violation{{"/objects/0/modified", "is required"}}},
		{name: "bad type name", obj: `{"type":"X_Event","id":"X_Event--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"}`,
			want: []Violation{{"/objects/0/type", `"X_Event" is not a valid type name`}}},
		{name: "id of another type", obj: `{"type":"x-telco-cell","id":"x-other--5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d","mcc":"440"}`,
			want: []Violation{{"/objects/0/id", `must start with "x-telco-cell--"`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkViolations(t, violationsOf(t, bundleOf(fixture(t, tc.obj))), tc.want)
		})
	}
}

func TestDecodeBundleLimits(t *testing.T) {
	obj := `{"type":"identity","spec_version":"2.1","id":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","name":"n"%s}`
	bundle := func(objs ...string) []byte {
		return []byte(`{"type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","objects":[` + strings.Join(objs, ",") + `]}`)
	}
	deep := strings.Repeat(`[`, 70) + strings.Repeat(`]`, 70)
	tests := []struct {
		name      string
		data      []byte
		lim       Limits
		wantErr   bool
		wantLimit bool
		msg       string
	}{
		{name: "ok", data: bundle(strings.Replace(obj, "%s", "", 1))},
		{name: "depth over 64", data: bundle(strings.Replace(obj, "%s", `,"x_deep":`+deep, 1)), wantErr: true, msg: "deeper than 64"},
		{name: "string over limit", data: bundle(strings.Replace(obj, "%s", `,"x_long":"`+strings.Repeat("a", 2000)+`"`, 1)),
			lim: Limits{MaxStringBytes: 1000}, wantErr: true, wantLimit: true, msg: "longer than the limit of 1000 bytes"},
		{name: "payload_bin may exceed the string limit", data: bundle(`{"type":"artifact","spec_version":"2.1","id":"artifact--0f7a3a5e-2c8d-4b7e-8f1a-3d9c6b2e4a10","payload_bin":"` + strings.Repeat("QUFB", 500) + `"}`),
			lim: Limits{MaxStringBytes: 1000}},
		{name: "payload_bin over its limit", data: bundle(`{"type":"artifact","spec_version":"2.1","id":"artifact--0f7a3a5e-2c8d-4b7e-8f1a-3d9c6b2e4a10","payload_bin":"` + strings.Repeat("QUFB", 500) + `"}`),
			lim: Limits{MaxStringBytes: 1000, MaxPayloadBytes: 1000}, wantErr: true, wantLimit: true, msg: "payload_bin"},
		{name: "too many objects", data: bundle(strings.Replace(obj, "%s", "", 1), strings.Replace(obj, "%s", "", 1), strings.Replace(obj, "%s", "", 1)),
			lim: Limits{MaxObjects: 2}, wantErr: true, wantLimit: true, msg: "at most 2 are accepted"},
		{name: "not JSON", data: []byte(`{"objects":[`), wantErr: true, msg: "not a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeBundle(tc.data, tc.lim)
			if (err != nil) != tc.wantErr {
				t.Fatalf("DecodeBundle error = %v, want error %v", err, tc.wantErr)
			}
			if err == nil {
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a *ValidationError", err)
			}
			if ve.Limit != tc.wantLimit || errors.Is(err, ErrLimit) != tc.wantLimit {
				t.Errorf("Limit = %v, errors.Is(ErrLimit) = %v, want %v", ve.Limit, errors.Is(err, ErrLimit), tc.wantLimit)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func FuzzDecodeAndValidate(f *testing.F) {
	for _, p := range []string{filepath.Join("testdata", "valid-bundle.json")} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","objects":[` + incidentJSON() + `,` + artifactJSON() + `]}`))
	f.Add([]byte(`{"objects":[{"type":"observed-data","objects":{"0":{"type":"file","extensions":{"ntfs-ext":{}}}}}]}`))
	f.Add([]byte(`{"objects":[{"type":"marking-definition","id":"` + MarkingRed + `","extensions":{"x":1}}]}`))
	f.Add([]byte(`{"objects":[{"type":"language-content","contents":{"ja-JP-x-a":{"name":"x"}},"lang":"en-a-bb-x-c","granular_markings":[{"selectors":["contents.[0]"],"lang":"ja"}]},{"type":"domain-name","value":"a..b"},{"type":"email-addr","value":"\"a b\"@c"}]}`))
	f.Add([]byte(`{"objects":[{"type":"marking-definition","id":"marking-definition--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","object_marking_refs":["marking-definition--2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"]},{"type":"marking-definition","id":"marking-definition--2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e","granular_markings":[{"marking_ref":"marking-definition--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBundle(data, Limits{MaxStringBytes: 1 << 16, MaxObjects: 1000})
		if err != nil {
			return
		}
		err = Validate(b)
		for _, o := range b.Objects {
			_ = ValidateObject(o, "/x")
		}
		for _, w := range Warnings(b, func(string) bool { return false }) {
			if !strings.HasPrefix(w.Path, "/") || w.Message == "" {
				t.Fatalf("warning without pointer or message: %+v", w)
			}
		}
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Violations) == 0 {
				t.Fatalf("Validate returned %v, want a non-empty *ValidationError", err)
			}
		}
	})
}
