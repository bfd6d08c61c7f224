package stix

import (
	"strings"
	"testing"
)

// The MUST-level rules that the OASIS reference validator (cti-stix-validator,
// v21 musts.py) enforces beyond the JSON schemas, issue #17: each test case
// plants one defect and names the pointer and the section the violation must
// carry, next to the valid variants that must pass.

const (
	statementA = "marking-definition--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	statementB = "marking-definition--2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e"
	statementC = "marking-definition--3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
	uuidV5     = "5a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d"
	uuidV4     = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
)

// sdoJSON is an SDO or SMO of type typ with the common properties and extra
// (which starts with a comma).
func sdoJSON(typ, id, extra string) string {
	return `{"type":"` + typ + `","spec_version":"2.1","id":"` + id + `","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z"` + extra + `}`
}

// scoJSON is an SCO of type typ with uuid and extra (which starts with a comma).
func scoJSON(typ, uuid, extra string) string {
	return `{"type":"` + typ + `","spec_version":"2.1","id":"` + typ + `--` + uuid + `"` + extra + `}`
}

// statementJSON is a statement marking definition with extra properties.
func statementJSON(id, extra string) string {
	return `{"type":"marking-definition","spec_version":"2.1","id":"` + id + `","created":"2026-01-01T00:00:00.000Z","definition_type":"statement","definition":{"statement":"Copyright Sakura Telecom"}` + extra + `}`
}

func TestValidateReferenceMusts(t *testing.T) {
	lc := func(contents string) string {
		return sdoJSON("language-content", "language-content--"+uuidV4, `,"object_ref":"`+malA+`","object_modified":"2026-01-01T00:00:00.000Z","contents":`+contents)
	}
	tests := []struct {
		name string
		objs []string
		want []Violation
	}{
		// language-content contents (STIX 2.1 §7.1).
		{name: "language-content valid", objs: []string{lc(`{"ja":{"name":"ポイズンアイビー","aliases":["毒"]},"zh-Hant":{"name":"毒藤"}}`)}},
		{name: "contents key not a tag", objs: []string{lc(`{"japanese":{"name":"x"}}`)},
			want: []Violation{{"/objects/0/contents/japanese", `"japanese" is not an RFC 5646 language tag such as ja or en-US: a subtag is not in the IANA Language Subtag Registry`}}},
		{name: "contents key with underscore", objs: []string{lc(`{"en_US":{"name":"x"}}`)},
			want: []Violation{{"/objects/0/contents/en_US", "it is not well-formed (RFC 5646 §2.1)"}}},
		{name: "contents key with unregistered language", objs: []string{lc(`{"xx":{"name":"x"}}`)},
			want: []Violation{{"/objects/0/contents/xx", "not in the IANA Language Subtag Registry; contents is keyed by language (STIX 2.1 §7.1)"}}},
		{name: "contents sub-key not a property name", objs: []string{lc(`{"ja":{"Name":"x","ab":"y","description":"z"}}`)},
			want: []Violation{
				{"/objects/0/contents/ja/Name", `"Name" is not a property name`},
				{"/objects/0/contents/ja/ab", `"ab" is not a property name: translations are keyed by the names of the object's properties, 3–250 characters of a–z, 0–9 and _ (STIX 2.1 §3.1, §7.1)`}}},
		{name: "contents entry not an object", objs: []string{lc(`{"ja":"ポイズンアイビー"}`)},
			want: []Violation{{"/objects/0/contents/ja", "must be an object mapping property names to their translations, not a string"}}},
		{name: "contents entry empty", objs: []string{lc(`{"ja":{}}`)},
			want: []Violation{{"/objects/0/contents/ja", "must hold at least one translated property"}}},
		{name: "contents translation null", objs: []string{lc(`{"ja":{"name":null}}`)},
			want: []Violation{{"/objects/0/contents/ja/name", "must not be null"}}},

		// process ids (STIX 2.1 §2.9, §6.13).
		{name: "process with UUIDv4", objs: []string{scoJSON("process", uuidV4, `,"pid":1`)}},
		{name: "process with UUIDv5", objs: []string{scoJSON("process", uuidV5, `,"pid":1`)},
			want: []Violation{{"/objects/0/id", `must be a random UUIDv4, not version 5: a process has no ID contributing properties to derive a UUIDv5 from (STIX 2.1 §2.9, §6.13)`}}},
		{name: "process with UUIDv1", objs: []string{scoJSON("process", "5a6b7c8d-9e0f-1a1b-8c2d-3e4f5a6b7c8d", `,"command_line":"sh"`)},
			want: []Violation{{"/objects/0/id", "not version 1"}}},
		// SCOs without any ID contributing property (STIX 2.1 §2.9).
		{name: "user-account with contributing property and UUIDv5", objs: []string{scoJSON("user-account", uuidV5, `,"user_id":"1001"`)}},
		{name: "user-account without contributing property and UUIDv5", objs: []string{scoJSON("user-account", uuidV5, `,"display_name":"J Doe"`)},
			want: []Violation{{"/objects/0/id", "none of the ID contributing properties of a user-account (account_type, user_id, account_login) is present"}}},
		{name: "email-message without contributing property and UUIDv5", objs: []string{scoJSON("email-message", uuidV5, `,"is_multipart":false,"message_id":"<1@example.com>"`)},
			want: []Violation{{"/objects/0/id", "(from_ref, subject, body) is present to derive a UUIDv5 from (STIX 2.1 §2.9)"}}},
		{name: "x509-certificate without contributing property and UUIDv4", objs: []string{scoJSON("x509-certificate", uuidV4, `,"issuer":"CN=Example"`)}},

		// IANA character sets (STIX 2.1 §6.3, §6.7).
		{name: "name_enc preferred name", objs: []string{scoJSON("file", uuidV5, `,"name":"a.txt","name_enc":"Shift_JIS"`)}},
		{name: "name_enc lower case and alias", objs: []string{scoJSON("file", uuidV5, `,"name":"a.txt","name_enc":"utf-8"`), scoJSON("file", "6a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d", `,"name":"b.txt","name_enc":"latin1"`)}},
		{name: "name_enc registered but not decodable by Go", objs: []string{scoJSON("file", uuidV5, `,"name":"a.txt","name_enc":"UTF-7"`)}},
		{name: "name_enc not registered", objs: []string{scoJSON("file", uuidV5, `,"name":"a.txt","name_enc":"UTF8"`)},
			want: []Violation{{"/objects/0/name_enc", `"UTF8" is not a character set name of the IANA registry, such as UTF-8 or Shift_JIS (STIX 2.1 §6.3, §6.7)`}}},
		{name: "name_enc empty", objs: []string{scoJSON("file", uuidV5, `,"name":"a.txt","name_enc":""`)},
			want: []Violation{{"/objects/0/name_enc", `"" is not a character set name`}}},
		{name: "name_enc with spaces", objs: []string{scoJSON("file", uuidV5, `,"name":"a.txt","name_enc":" UTF-8"`)},
			want: []Violation{{"/objects/0/name_enc", "is not a character set name of the IANA registry"}}},
		{name: "path_enc not registered", objs: []string{scoJSON("directory", uuidV5, `,"path":"C:\\tmp","path_enc":"sjis-2004"`)},
			want: []Violation{{"/objects/0/path_enc", `"sjis-2004" is not a character set name`}}},

		// RFC 5646 language tags (STIX 2.1 §3.2, §6.14, §7.2.3).
		{name: "software languages valid", objs: []string{scoJSON("software", uuidV5, `,"name":"x","languages":["ja","en-US","zh-Hant-TW","fra","x-kh","de-CH-1901","i-klingon"]`)}},
		{name: "software language not a tag", objs: []string{scoJSON("software", uuidV5, `,"name":"x","languages":["ja","english"]`)},
			want: []Violation{{"/objects/0/languages/1", `"english" is not an RFC 5646 language tag`}}},
		{name: "software language repeats a variant", objs: []string{scoJSON("software", uuidV5, `,"name":"x","languages":["de-1901-1901"]`)},
			want: []Violation{{"/objects/0/languages/0", "it is not well-formed"}}},
		{name: "software language repeats a singleton", objs: []string{scoJSON("software", uuidV5, `,"name":"x","languages":["en-a-bbb-a-ccc"]`)},
			want: []Violation{{"/objects/0/languages/0", "it is not well-formed"}}},
		{name: "software language with a too long private subtag", objs: []string{scoJSON("software", uuidV5, `,"name":"x","languages":["ja-x-kakehashi"]`)},
			want: []Violation{{"/objects/0/languages/0", "it is not well-formed"}}},
		{name: "software language with unregistered region", objs: []string{scoJSON("software", uuidV5, `,"name":"x","languages":["en-CB"]`)},
			want: []Violation{{"/objects/0/languages/0", "a subtag is not in the IANA Language Subtag Registry"}}},
		{name: "lang valid, case-insensitive", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"lang":"EN-us"`)}},
		{name: "lang on an SDO not a tag", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"lang":"Japanese"`)},
			want: []Violation{{"/objects/0/lang", `"Japanese" is not an RFC 5646 language tag such as ja or en-US: a subtag is not in the IANA Language Subtag Registry (STIX 2.1 §3.2)`}}},
		{name: "lang empty", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"lang":""`)},
			want: []Violation{{"/objects/0/lang", "it is not well-formed"}}},
		{name: "lang on a custom object", objs: []string{sdoJSON("x-telco-event", "x-telco-event--"+uuidV4, `,"lang":"jp"`)},
			want: []Violation{{"/objects/0/lang", `"jp" is not an RFC 5646 language tag`}}},
		{name: "lang of a granular marking", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"name":"n","granular_markings":[{"selectors":["name"],"lang":"ja-JP-x-hepburnkunrei"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/lang", "it is not well-formed"}}},

		// email-addr value (STIX 2.1 §6.5).
		{name: "email value bare", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"jdoe@example.com","display_name":"John Doe"`)}},
		{name: "email value with quoted local part", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"\"john doe\"@example.com"`)}},
		{name: "email value with display name", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"John Doe <jdoe@example.com>"`)},
			want: []Violation{{"/objects/0/value", `"John Doe <jdoe@example.com>" includes a display name: value holds only the address (jdoe@example.com), the name goes in display_name (STIX 2.1 §6.5)`}}},
		{name: "email value in angle brackets", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"<jdoe@example.com>"`)},
			want: []Violation{{"/objects/0/value", "includes a display name"}}},
		{name: "email value with unquoted space", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"John jdoe@example.com"`)},
			want: []Violation{{"/objects/0/value", "includes a display name"}}},
		{name: "email value without an at sign", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"John Doe"`)},
			want: []Violation{{"/objects/0/value", `"John Doe" is not an email address`}}},
		{name: "email value with a space in the domain", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"jdoe@exa mple.com"`)},
			want: []Violation{{"/objects/0/value", `"jdoe@exa mple.com" is not an email address: the part after @ is not a domain name: a label holds a character other than letters, digits, hyphens and underscores (STIX 2.1 §6.5)`}}},
		{name: "email value with an empty domain label", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"jdoe@example..com"`)},
			want: []Violation{{"/objects/0/value", "the part after @ is not a domain name: it has an empty label"}}},
		{name: "email value with a domain literal", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"jdoe@[192.0.2.1]"`)}},
		{name: "email value with a quoted local part and a space after it", objs: []string{scoJSON("email-addr", uuidV5, `,"value":"\"john\" doe@example.com"`)},
			want: []Violation{{"/objects/0/value", "includes a display name"}}},

		// Custom property names in patterns (STIX 2.1 §9, §11.1).
		{name: "pattern with short custom property", objs: []string{sdoJSON("indicator", indA, `,"pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","pattern":"[x-telco-cell:id = 'a'] AND [x-telco-cell:ci = '17']"`)},
			want: []Violation{{"/objects/0/pattern", `at offset 42: "ci" is not a property of x-telco-cell and not a valid custom property name`}}},
		{name: "pattern with custom property", objs: []string{sdoJSON("indicator", indA, `,"pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","pattern":"[x-telco-cell:cell_id = '17']"`)}},

		// Marking definitions without circular references (STIX 2.1 §3.2).
		{name: "statement marked by another statement", objs: []string{statementJSON(statementA, `,"object_marking_refs":["`+statementB+`"]`), statementJSON(statementB, "")}},
		{name: "statement marking itself", objs: []string{statementJSON(statementA, `,"object_marking_refs":["`+MarkingGreen+`","`+statementA+`"]`)},
			want: []Violation{{"/objects/0/object_marking_refs/1", `a marking definition must not mark itself ("` + statementA + `"): no circular references (STIX 2.1 §3.2)`}}},
		{name: "statement marking itself granularly", objs: []string{statementJSON(statementA, `,"granular_markings":[{"selectors":["definition.statement"],"marking_ref":"`+statementA+`"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/marking_ref", "must not mark itself"}}},
		{name: "two statements marking each other", objs: []string{statementJSON(statementA, `,"object_marking_refs":["`+statementB+`"]`), statementJSON(statementB, `,"object_marking_refs":["`+statementA+`"]`)},
			want: []Violation{{"/objects/1/object_marking_refs/0", `"` + statementA + `" closes a cycle of marking definitions that mark each other (through "` + statementB + `")`}}},
		{name: "three statements in a cycle, granularly", objs: []string{
			statementJSON(statementA, `,"object_marking_refs":["`+statementB+`"]`),
			statementJSON(statementB, `,"granular_markings":[{"selectors":["definition"],"marking_ref":"`+statementC+`"}]`),
			statementJSON(statementC, `,"object_marking_refs":["`+statementA+`"]`)},
			want: []Violation{{"/objects/2/object_marking_refs/0", "closes a cycle of marking definitions"}}},
		{name: "two statements marking a third", objs: []string{
			statementJSON(statementA, `,"object_marking_refs":["`+statementC+`"]`),
			statementJSON(statementB, `,"object_marking_refs":["`+statementC+`"]`),
			statementJSON(statementC, "")}},

		// Beyond the reference's list: MUSTs of the specification found going
		// through it type by type (docs/stix-profile.md §3).
		{name: "domain names", objs: []string{
			scoJSON("domain-name", uuidV5, `,"value":"sakura-telecom.example"`),
			scoJSON("domain-name", "6a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d", `,"value":"_dmarc.example.com."`),
			scoJSON("domain-name", "7a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d", `,"value":"さくら.example"`),
			scoJSON("domain-name", "8a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d", `,"value":"xn--eckwd4c7c.example"`)}},
		{name: "domain name with a space", objs: []string{scoJSON("domain-name", uuidV5, `,"value":"sakura telecom.example"`)},
			want: []Violation{{"/objects/0/value", `"sakura telecom.example" is not a domain name: a label holds a character other than letters, digits, hyphens and underscores (RFC 1034, RFC 5890; STIX 2.1 §6.4)`}}},
		{name: "domain name that is a URL", objs: []string{scoJSON("domain-name", uuidV5, `,"value":"https://example.com/"`)},
			want: []Violation{{"/objects/0/value", "a label holds a character other than"}}},
		{name: "domain name with an empty label", objs: []string{scoJSON("domain-name", uuidV5, `,"value":"example..com"`)},
			want: []Violation{{"/objects/0/value", "it has an empty label"}}},
		{name: "domain name empty", objs: []string{scoJSON("domain-name", uuidV5, `,"value":""`)},
			want: []Violation{{"/objects/0/value", "it is empty"}}},
		{name: "domain name label too long", objs: []string{scoJSON("domain-name", uuidV5, `,"value":"`+strings.Repeat("a", 64)+`.example"`)},
			want: []Violation{{"/objects/0/value", "a label is longer than 63 octets"}}},
		{name: "domain name too long", objs: []string{scoJSON("domain-name", uuidV5, `,"value":"`+strings.Repeat("abcdefghi.", 26)+`example"`)},
			want: []Violation{{"/objects/0/value", "it is longer than 253 characters"}}},
		{name: "domain name label with hyphen edge", objs: []string{scoJSON("domain-name", uuidV5, `,"value":"-sakura.example"`)},
			want: []Violation{{"/objects/0/value", "a label starts or ends with a hyphen"}}},
		{name: "domain name with an ideographic space", objs: []string{scoJSON("domain-name", uuidV5, `,"value":"さくら　テレコム.example"`)},
			want: []Violation{{"/objects/0/value", "a label holds a space or control character"}}},
		{name: "url with a bad escape", objs: []string{scoJSON("url", uuidV5, `,"value":"https://example.com/%zz"`)},
			want: []Violation{{"/objects/0/value", `"https://example.com/%zz" is not a URL as RFC 3986 defines it: invalid URL escape "%zz" (STIX 2.1 §6.15)`}}},
		{name: "url with a space in the host", objs: []string{scoJSON("url", uuidV5, `,"value":"http://exa mple.com/"`)},
			want: []Violation{{"/objects/0/value", "is not a URL as RFC 3986 defines it"}}},
		{name: "cpe", objs: []string{scoJSON("software", uuidV5, `,"name":"x","cpe":"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*"`)}},
		{name: "cpe with text around it", objs: []string{scoJSON("software", uuidV5, `,"name":"x","cpe":"see cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:* here"`)},
			want: []Violation{{"/objects/0/cpe", "is not a CPE 2.3 formatted string"}}},
		{name: "marking definition with modified", objs: []string{statementJSON(statementA, `,"modified":"2026-02-01T00:00:00.000Z","revoked":true`)},
			want: []Violation{
				{"/objects/0/modified", "is not a property of a marking-definition: marking definitions are never versioned or revoked; publish a new one with a new id instead (STIX 2.1 §7.2.1)"},
				{"/objects/0/revoked", "marking definitions are never versioned or revoked"}}},

		// Granular-marking selectors select something (STIX 2.1 §7.2.3.1).
		{name: "selectors present", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"name":"n","labels":["a"],"external_references":[{"source_name":"s","url":"https://example.com/"}],"granular_markings":[{"selectors":["name","labels.[0]","external_references.[0].url","id"],"marking_ref":"`+MarkingRed+`"}]`)}},
		{name: "selector of an absent property", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"name":"n","granular_markings":[{"selectors":["name","description"],"marking_ref":"`+MarkingRed+`"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/selectors/1", `"description" selects nothing in this object: a selector must name a property or list item the object has (STIX 2.1 §7.2.3.1)`}}},
		{name: "selector index out of range", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"labels":["a"],"granular_markings":[{"selectors":["labels.[1]"],"marking_ref":"`+MarkingRed+`"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/selectors/0", `"labels.[1]" selects nothing`}}},
		{name: "selector indexes a string", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"name":"n","granular_markings":[{"selectors":["name.[0]"],"marking_ref":"`+MarkingRed+`"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/selectors/0", `"name.[0]" selects nothing`}}},
		{name: "selector index beyond any integer", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"labels":["a"],"granular_markings":[{"selectors":["labels.[99999999999999999999]"],"marking_ref":"`+MarkingRed+`"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/selectors/0", "selects nothing"}}},
		{name: "selector steps into a string", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"name":"n","granular_markings":[{"selectors":["name.first"],"marking_ref":"`+MarkingRed+`"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/selectors/0", `"name.first" selects nothing`}}},
		{name: "selector names a list item's missing property", objs: []string{sdoJSON("malware", malA, `,"is_family":false,"external_references":[{"source_name":"s","url":"https://example.com/"}],"granular_markings":[{"selectors":["external_references.[0].description"],"marking_ref":"`+MarkingRed+`"}]`)},
			want: []Violation{{"/objects/0/granular_markings/0/selectors/0", "selects nothing"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var objs []map[string]any
			for _, s := range tc.objs {
				objs = append(objs, fixture(t, s))
			}
			checkViolations(t, violationsOf(t, bundleOf(objs...)), tc.want)
		})
	}
}

// TestValidateObjectSelfMarking checks that ValidateObject, which sees one
// object, applies the per-object part of the circular-reference rule.
func TestValidateObjectSelfMarking(t *testing.T) {
	o, err := NewObject(fixture(t, statementJSON(statementA, `,"object_marking_refs":["`+statementA+`"]`)))
	if err != nil {
		t.Fatal(err)
	}
	checkViolations(t, ValidateObject(o, "/objects/4"), []Violation{{"/objects/4/object_marking_refs/0", "must not mark itself"}})
}

// TestLanguageTagAgainstXText pins the choice of issue #17: golang.org/x/text
// alone accepts tags that RFC 5646 does not (underscores, repeated variants
// and singletons), so wellFormedTag runs first; x/text then refuses
// unregistered subtags that the grammar allows.
func TestLanguageTagAgainstXText(t *testing.T) {
	tests := []struct {
		tag        string
		wellFormed bool
		valid      bool
	}{
		{"ja", true, true},
		{"ja-JP", true, true},
		{"zh-min-nan", true, true}, // regular grandfathered, fits the grammar
		{"en-GB-oed", true, true},  // irregular grandfathered
		{"sgn-CH-DE", true, true},  // irregular grandfathered
		{"x-whatever", true, true}, // private use
		{"qaa", true, true},        // private-use language range
		{"en-u-ca-gregory", true, true},
		{"EN-us", true, true},
		{"zh-Hant-TW", true, true},
		{"es-419", true, true},
		{"sl-rozaj-biske", true, true}, // two variants
		{"sl-rozaj-ROZAJ", false, false},
		{"en-US-u-ca-gregory-x-a", true, true},
		{"en-1", false, false},
		{"x-", false, false},
		{"ja-Zzzz-ZZ", true, true},
		{"ja-Hira-XQ", true, true},
		{"en-Qaaa", true, true},
		// x/text checks an extlang only as a registered language, not its
		// registry Prefix: "en-abc" passes though "abc" is no extlang of en.
		{"ja-JPN", true, true},
		{"en-abc", true, true},
		{"en_US", false, false}, // x/text accepts the underscore
		{"de-1901-1901", false, false},
		{"en-a-bbb-a-ccc", false, false},
		{"en-a", false, false},
		{"x", false, false},
		{"en-", false, false},
		{"123", false, false},
		{"ja-jp-jp", false, false},
		{"abcdefghi", false, false},
		{"e", false, false},
		{"xx", true, false}, // well-formed, not registered
		{"en-CB", true, false},
		{"zh-xyz", true, false},
		{strings.Repeat("a", 300), false, false},
	}
	for _, tc := range tests {
		if got := wellFormedTag(tc.tag); got != tc.wellFormed {
			t.Errorf("wellFormedTag(%q) = %v, want %v", tc.tag, got, tc.wellFormed)
		}
		if got := languageTagProblem(tc.tag) == ""; got != tc.valid {
			t.Errorf("languageTagProblem(%q) valid = %v, want %v (%s)", tc.tag, got, tc.valid, languageTagProblem(tc.tag))
		}
	}
}

// TestLanguageTagCheapForCommonTags: language[-script][-region] tags, which
// nearly every producer writes, are checked without allocating.
func TestLanguageTagCheapForCommonTags(t *testing.T) {
	for _, tag := range []string{"en", "ja-JP", "zh-Hant-TW", "es-419"} {
		if n := testing.AllocsPerRun(50, func() { _ = languageTagProblem(tag) }); n != 0 {
			t.Errorf("languageTagProblem(%q) allocates %.0f times", tag, n)
		}
	}
}

// TestDomainProblem covers what JSON cannot carry: a name that is not UTF-8
// (the decoder replaces such bytes with U+FFFD, refused as well).
func TestDomainProblem(t *testing.T) {
	tests := []struct{ name, want string }{
		{"example.com", ""},
		{"example.com.", ""},
		{"\xff.example", "it is not valid UTF-8"},
		{"\ufffd.example", "a label holds a space or control character"},
		{".", "it is empty"},
		{"a-.example", "a label starts or ends with a hyphen"},
	}
	for _, tc := range tests {
		if got := domainProblem(tc.name); got != tc.want {
			t.Errorf("domainProblem(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
