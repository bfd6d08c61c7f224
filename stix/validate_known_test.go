package stix

import (
	"strings"
	"testing"
)

// TestValidateKnown: objects reported known are not walked again, but the
// checks over the whole bundle still see marking definitions and sensitive
// design references.
func TestValidateKnown(t *testing.T) {
	const head = `"spec_version":"2.1","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z"`
	decode := func(objs ...string) *Bundle {
		t.Helper()
		b, err := DecodeBundle([]byte(`{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[`+strings.Join(objs, ",")+`]}`), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	all := func(*Object) bool { return true }
	none := func(*Object) bool { return false }

	// An indicator without its pattern: invalid, unless known.
	bad := decode(`{"type":"indicator",` + head + `,"id":"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z"}`)
	if Validate(bad) == nil || ValidateKnown(bad, none) == nil {
		t.Fatal("an indicator without a pattern passed Validate")
	}
	if err := ValidateKnown(bad, all); err != nil {
		t.Errorf("a known object was walked again: %v", err)
	}

	// Marking definitions are always walked: a cycle is still found.
	const m1, m2 = "marking-definition--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "marking-definition--2a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
	cycle := decode(
		`{"type":"marking-definition","spec_version":"2.1","id":"`+m1+`","created":"2026-07-10T01:10:00.000Z","name":"a","object_marking_refs":["`+m2+`"]}`,
		`{"type":"marking-definition","spec_version":"2.1","id":"`+m2+`","created":"2026-07-10T01:10:00.000Z","name":"b","object_marking_refs":["`+m1+`"]}`)
	if Validate(cycle) == nil {
		t.Fatal("a marking cycle passed Validate")
	}
	if ValidateKnown(cycle, all) == nil {
		t.Error("a marking cycle of known objects passed ValidateKnown")
	}
}
