package stix

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkWarnings compares the paths exactly and requires each message to
// contain the wanted fragment.
func checkWarnings(t *testing.T, got, want []Warning) {
	t.Helper()
	paths := func(ws []Warning) []string {
		var p []string
		for _, w := range ws {
			p = append(p, w.Path)
		}
		return p
	}
	if diff := cmp.Diff(paths(want), paths(got)); diff != "" {
		t.Fatalf("warning paths (-want +got):\n%s\nall: %+v", diff, got)
	}
	for i := range want {
		if !strings.Contains(got[i].Message, want[i].Message) {
			t.Errorf("%s: message %q does not contain %q", got[i].Path, got[i].Message, want[i].Message)
		}
	}
}

func TestWarnings(t *testing.T) {
	const (
		fileV5 = "file--5a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d"
		extDef = "extension-definition--9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a"
	)
	ind := func(extra string) string {
		return sdoJSON("indicator", indA, `,"pattern_type":"stix","pattern":"[ipv4-addr:value = '198.51.100.7']","valid_from":"2026-01-01T00:00:00Z"`+extra)
	}
	mal := func(extra string) string { return sdoJSON("malware", malA, `,"is_family":false`+extra) }
	file := func(extra string) string {
		return `{"type":"file","spec_version":"2.1","id":"` + fileV5 + `","name":"a.exe"` + extra + `}`
	}
	tests := []struct {
		name     string
		objs     []string
		resolves func(string) bool
		want     []Warning
	}{
		{name: "none", objs: []string{ind(`,"indicator_types":["malicious-activity"],"object_marking_refs":["` + MarkingGreen + `","` + MarkingTLP1Red + `"]`), file("")}},

		// UUID versions (STIX 2.1 §2.9).
		{name: "SDO with UUIDv1", objs: []string{sdoJSON("identity", "identity--6d0bd1b6-5a1c-1c7e-9a53-6f1b1d9c2b11", `,"name":"n"`)},
			want: []Warning{{"/objects/0/id", `"identity--6d0bd1b6-5a1c-1c7e-9a53-6f1b1d9c2b11" should use a random UUIDv4, not version 1 (STIX 2.1 §2.9)`}}},
		{name: "relationship with UUIDv5", objs: []string{sdoJSON("relationship", "relationship--4f5a6b7c-8d9e-5f0a-b1c2-d3e4f5a6b7c8", `,"relationship_type":"uses","source_ref":"`+malA+`","target_ref":"`+indA+`"`)},
			want: []Warning{{"/objects/0/id", "should use a random UUIDv4, not version 5"}}},
		{name: "SCO with UUIDv4 and contributing properties", objs: []string{`{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--` + uuidV4 + `","value":"198.51.100.7"}`},
			want: []Warning{{"/objects/0/id", "should be the UUIDv5 of the ID contributing properties of an ipv4-addr (value), not a version 4 UUID"}}},
		{name: "process with UUIDv4", objs: []string{scoJSON("process", uuidV4, `,"pid":7`)}},
		{name: "SCO without contributing properties and UUIDv4", objs: []string{scoJSON("user-account", uuidV4, `,"display_name":"J Doe"`)}},
		{name: "custom SCO with UUIDv4", objs: []string{`{"type":"x-telco-cell","id":"x-telco-cell--` + uuidV4 + `","x_mcc":"440"}`}},

		// Custom content prefixes (STIX 2.1 §11).
		{name: "custom type without x-", objs: []string{sdoJSON("telco-event", "telco-event--"+uuidV4, ``)},
			want: []Warning{{"/objects/0/type", `custom object type "telco-event" should start with x- (STIX 2.1 §11.2)`}}},
		{name: "custom property without x_", objs: []string{mal(`,"carrier_ticket":"T-1","x_acme_ticket":"T-2"`)},
			want: []Warning{{"/objects/0/carrier_ticket", `custom property "carrier_ticket" should start with x_ (STIX 2.1 §11.1)`}}},
		{name: "custom property of a toplevel-property-extension", objs: []string{mal(`,"carrier_ticket":"T-1","extensions":{"` + extDef + `":{"extension_type":"toplevel-property-extension"}}`)}},
		{name: "custom properties of a custom object", objs: []string{sdoJSON("x-telco-event", "x-telco-event--"+uuidV4, `,"cell":"1"`)}},
		{name: "custom extension name and property in a predefined extension", objs: []string{file(`,"extensions":{"acme-ext":{"x_a":"1"},"x-acme-ext":{"b":"1"},"ntfs-ext":{"sid":"S-1","owner":"me","x_owner":"me"}}`)},
			want: []Warning{
				{"/objects/0/extensions/acme-ext", `custom extension "acme-ext" should be named x-…-ext (STIX 2.1 §11.1)`},
				{"/objects/0/extensions/ntfs-ext/owner", `custom property "owner" of ntfs-ext should start with x_`}}},

		// Open vocabularies (STIX 2.1 §10).
		{name: "open vocabulary values", objs: []string{ind(`,"indicator_types":["malicious-activity","Malicious Activity","c2","Command_And_Control"]`)},
			want: []Warning{
				{"/objects/0/indicator_types/1", `"Malicious Activity" should be written "malicious-activity", as in indicator-type-ov`},
				{"/objects/0/indicator_types/2", `"c2" is not a value of indicator-type-ov: it is allowed, but a vocabulary value should be used where one fits`},
				{"/objects/0/indicator_types/3", `"Command_And_Control" is not a value of indicator-type-ov; a value outside the vocabulary should still be lowercase with hyphens between words, e.g. "command-and-control"`}}},
		{name: "open vocabulary single value", objs: []string{sdoJSON("identity", "identity--"+uuidV4, `,"name":"n","identity_class":"carrier","sectors":["telecommunications"]`)},
			want: []Warning{{"/objects/0/identity_class", `"carrier" is not a value of identity-class-ov`}}},
		{name: "pattern type outside the vocabulary", objs: []string{sdoJSON("indicator", indA, `,"pattern_type":"kql","pattern":"x","valid_from":"2026-01-01T00:00:00Z"`)},
			want: []Warning{{"/objects/0/pattern_type", `"kql" is not a value of pattern-type-ov`}}},
		{name: "account type", objs: []string{scoJSON("user-account", uuidV5, `,"user_id":"1","account_type":"Windows Domain"`)},
			want: []Warning{{"/objects/0/account_type", `should be written "windows-domain"`}}},
		{name: "pe type", objs: []string{file(`,"extensions":{"windows-pebinary-ext":{"pe_type":"EXE"}}`)},
			want: []Warning{{"/objects/0/extensions/windows-pebinary-ext/pe_type", `"EXE" should be written "exe", as in windows-pebinary-type-ov`}}},

		// Hash algorithm names (STIX 2.1 §2.7, §10).
		{name: "hash names", objs: []string{file(`,"hashes":{"SHA-256":"` + strings.Repeat("a", 64) + `","sha1":"` + strings.Repeat("b", 40) + `","x_acme":"c","acme-hash":"d"}`)},
			want: []Warning{
				{"/objects/0/hashes/acme-hash", `"acme-hash" is not a hash-algorithm-ov name (MD5, SHA-1, SHA-256, SHA-512, SHA3-256, SHA3-512, SSDEEP, TLSH): a custom algorithm name should start with x_`},
				{"/objects/0/hashes/sha1", `"sha1" should be written "SHA-1", as in hash-algorithm-ov`}}},
		{name: "hash names in file extensions", objs: []string{file(`,"extensions":{"windows-pebinary-ext":{"pe_type":"exe","file_header_hashes":{"sha256":"a"},"optional_header":{"hashes":{"Md5":"b"}},"sections":[{"name":".text","hashes":{"ssdeep":"c"}}]},"ntfs-ext":{"alternate_data_streams":[{"name":"s","hashes":{"crc32":"d"}}]}}`)},
			want: []Warning{
				{"/objects/0/extensions/ntfs-ext/alternate_data_streams/0/hashes/crc32", `"crc32" is not a hash-algorithm-ov name`},
				{"/objects/0/extensions/windows-pebinary-ext/file_header_hashes/sha256", `should be written "SHA-256"`},
				{"/objects/0/extensions/windows-pebinary-ext/optional_header/hashes/Md5", `should be written "MD5"`},
				{"/objects/0/extensions/windows-pebinary-ext/sections/0/hashes/ssdeep", `should be written "SSDEEP"`}}},

		// Kill-chain phases (STIX 2.1 §2.8).
		{name: "kill chain names", objs: []string{mal(`,"kill_chain_phases":[{"kill_chain_name":"lockheed-martin-cyber-kill-chain","phase_name":"Lateral Movement"},{"kill_chain_name":"Mitre_Attack","phase_name":"exfiltration"}]`)},
			want: []Warning{
				{"/objects/0/kill_chain_phases/0/phase_name", `"Lateral Movement" should be all lowercase with hyphens between words, e.g. "lateral-movement" (STIX 2.1 §2.8)`},
				{"/objects/0/kill_chain_phases/1/kill_chain_name", `"Mitre_Attack" should be all lowercase with hyphens between words, e.g. "mitre-attack"`}}},

		// Marking references resolve (STIX 2.1 §7.2).
		{name: "marking in the bundle", objs: []string{mal(`,"object_marking_refs":["` + statementA + `"]`), statementJSON(statementA, "")}},
		{name: "marking nowhere", objs: []string{mal(`,"name":"n","object_marking_refs":["` + statementA + `"],"granular_markings":[{"selectors":["name"],"marking_ref":"` + statementB + `"}]`)},
			want: []Warning{
				{"/objects/0/granular_markings/0/marking_ref", `"` + statementB + `" is neither in this bundle nor a marking definition the hub holds`},
				{"/objects/0/object_marking_refs/0", `"` + statementA + `" is neither in this bundle nor a marking definition the hub holds: include the marking-definition object so that every recipient can apply the marking (STIX 2.1 §7.2)`}}},
		{name: "marking known to the caller", objs: []string{mal(`,"name":"n","object_marking_refs":["` + statementA + `"],"granular_markings":[{"selectors":["name"],"marking_ref":"` + statementB + `"}]`)},
			resolves: func(id string) bool { return id == statementA },
			want:     []Warning{{"/objects/0/granular_markings/0/marking_ref", "is neither in this bundle"}}},
		{name: "marking on an SCO and a marking", objs: []string{file(`,"object_marking_refs":["` + statementC + `"]`), statementJSON(statementA, `,"object_marking_refs":["`+statementB+`"]`)},
			want: []Warning{{"/objects/0/object_marking_refs/0", "is neither in this bundle"}, {"/objects/1/object_marking_refs/0", "is neither in this bundle"}}},

		// Extension definitions (STIX 2.1 §7.3).
		{name: "extension-definition described", objs: []string{sdoJSON("extension-definition", extDef, `,"created_by_ref":"`+idA+`","name":"x","description":"d","schema":"s","version":"1","extension_types":["toplevel-property-extension"],"extension_properties":["x_acme_score"]`)}},
		{name: "extension-definition without description or properties", objs: []string{sdoJSON("extension-definition", extDef, `,"created_by_ref":"`+idA+`","name":"x","schema":"s","version":"1","extension_types":["toplevel-property-extension"]`)},
			want: []Warning{
				{"/objects/0/description", "is missing: an extension-definition should describe what its extension conveys and how it is used (STIX 2.1 §7.3)"},
				{"/objects/0/extension_properties", "is missing: a toplevel-property-extension should list the top-level properties it defines (STIX 2.1 §7.3)"}}},

		// Country codes (STIX 2.1 §4.10).
		{name: "country codes", objs: []string{
			sdoJSON("location", "location--"+uuidV4, `,"country":"JP"`),
			sdoJSON("location", "location--6a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"country":"jp"`),
			sdoJSON("location", "location--7a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"country":"Japan"`),
			sdoJSON("location", "location--8a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"country":"JPN"`),
			sdoJSON("location", "location--9a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"country":"EU"`),
			sdoJSON("location", "location--aa6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", `,"country":"Q1"`)},
			want: []Warning{
				{"/objects/2/country", `"Japan" should be an ISO 3166-1 alpha-2 country code such as JP (STIX 2.1 §4.10)`},
				{"/objects/3/country", `"JPN" should be an ISO 3166-1 alpha-2`},
				{"/objects/4/country", `"EU" should be an ISO 3166-1 alpha-2`},
				{"/objects/5/country", `"Q1" should be an ISO 3166-1 alpha-2`}}},

		// Deprecated properties.
		{name: "observed-data objects", objs: []string{sdoJSON("observed-data", "observed-data--"+uuidV4, `,"first_observed":"2026-01-01T00:00:00Z","last_observed":"2026-01-01T00:00:00Z","number_observed":1,"objects":{"0":{"type":"ipv4-addr","value":"198.51.100.7"}}`)},
			want: []Warning{{"/objects/0/objects", "is deprecated in STIX 2.1: submit the cyber-observable objects in the bundle and list them in object_refs (STIX 2.1 §4.14)"}}},

		// Values of the wrong type are Validate's business and skipped here.
		{name: "wrong types are skipped", objs: []string{mal(`,"malware_types":7,"kill_chain_phases":"x","object_marking_refs":"x","granular_markings":[7],"extensions":"x"`), scoJSON("file", uuidV5, `,"name":"a","hashes":[1],"extensions":{"ntfs-ext":7,"windows-pebinary-ext":{"sections":"x","optional_header":1}}`), `{"type":7}`, `{"id":"x"}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var objs []map[string]any
			for _, s := range tc.objs {
				objs = append(objs, fixture(t, s))
			}
			checkWarnings(t, Warnings(bundleOf(objs...), tc.resolves), tc.want)
		})
	}
	t.Run("bundle id", func(t *testing.T) {
		b := bundleOf(fixture(t, mal("")))
		b.ID = "bundle--5d4c3b2a-1f0e-1d9c-8b7a-6f5e4d3c2b1a"
		checkWarnings(t, Warnings(b, nil), []Warning{{"/id", "should use a random UUIDv4 (STIX 2.1 §2.9, §8)"}})
	})
	t.Run("the hub's own objects", func(t *testing.T) {
		checkWarnings(t, Warnings(bundleOf(TelecomExtensionDefinition()), nil), nil)
	})
	t.Run("nil bundle and nil object", func(t *testing.T) {
		if ws := Warnings(nil, nil); ws != nil {
			t.Errorf("Warnings(nil) = %v", ws)
		}
		if ws := Warnings(&Bundle{Objects: []*Object{nil, {}}}, nil); ws != nil {
			t.Errorf("Warnings of nil objects = %v", ws)
		}
	})
}

// TestWarningsNeverRefuse checks that warnings and violations are separate:
// a bundle full of SHOULD departures is valid.
func TestWarningsNeverRefuse(t *testing.T) {
	b := bundleOf(fixture(t, sdoJSON("indicator", "indicator--1c2d3e4f-5a6b-1c7d-8e9f-0a1b2c3d4e5f", `,"pattern_type":"kql","pattern":"x","valid_from":"2026-01-01T00:00:00Z","indicator_types":["Bad Guys"],"carrier_ticket":"T","object_marking_refs":["`+statementA+`"],"kill_chain_phases":[{"kill_chain_name":"K C","phase_name":"P_Q"}]`)))
	if err := Validate(b); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if n := len(Warnings(b, nil)); n != 7 {
		t.Errorf("got %d warnings, want 7: %+v", n, Warnings(b, nil))
	}
}

// TestWarningsOASISExamples pins what the OASIS examples warn about: two
// observables with random ids, and a mistyped TLP 1.0 RED id (…d92d5ec for
// …d92d5ed) in the interop marking example. Everything else follows the
// SHOULDs.
func TestWarningsOASISExamples(t *testing.T) {
	dir := schemaDir(t)
	want := map[string][]string{
		"infrastructure.json":             {"/objects/4/id", "/objects/9/id"},
		"interop-objectmarking-test.json": {"/objects/0/object_marking_refs/1"},
	}
	for _, f := range exampleFiles(t, dir) {
		var got []string
		for _, w := range Warnings(decodeFile(t, f), nil) {
			got = append(got, w.Path)
		}
		if diff := cmp.Diff(want[filepath.Base(f)], got); diff != "" {
			t.Errorf("%s: warning paths (-want +got):\n%s", filepath.Base(f), diff)
		}
	}
}

// TestWarningsCheapWhenNone: a bundle without warnings costs no allocation
// beyond the walk's path stack.
func TestWarningsCheapWhenNone(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(schemaDir(t), "examples", "threat-reports", "apt1.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := DecodeBundle(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if ws := Warnings(b, nil); ws != nil {
		t.Fatalf("apt1.json warns: %v", ws)
	}
	if n := testing.AllocsPerRun(20, func() { _ = Warnings(b, nil) }); n > 3 {
		t.Errorf("Warnings allocates %.0f times on a bundle without warnings, want at most 3", n)
	}
}

// TestWarningsBounded: the caller's marking lookup is asked once per id, and
// a bundle with the same slip everywhere gets at most MaxWarnings warnings and
// a last one saying so.
func TestWarningsBounded(t *testing.T) {
	const n = 3000
	b := &Bundle{ID: "bundle--8a7c0b2e-1d3f-4e5a-9b6c-7d8e9f0a1b2c"}
	for i := range n {
		o, err := NewObject(map[string]any{"type": "indicator", "spec_version": "2.1",
			"id": fmt.Sprintf("indicator--%08x-0000-4000-8000-000000000000", i), "created": "2026-07-10T00:00:00Z", "modified": "2026-07-10T00:00:00Z",
			"pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix", "valid_from": "2026-07-10T00:00:00Z",
			"object_marking_refs": []any{"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41db"}})
		if err != nil {
			t.Fatal(err)
		}
		b.Objects = append(b.Objects, o)
	}
	asked := 0
	ws := Warnings(b, func(string) bool { asked++; return false })
	if asked != 1 {
		t.Errorf("the marking lookup was asked %d times, want once", asked)
	}
	if len(ws) != MaxWarnings+1 || !strings.Contains(ws[MaxWarnings].Message, "were not checked") {
		t.Errorf("%d warnings, last %+v; want %d and a note", len(ws), ws[len(ws)-1], MaxWarnings+1)
	}
}
