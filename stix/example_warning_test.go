package stix_test

import (
	"fmt"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// The intake validates a submission, refuses it on any violation, and
// otherwise reports the warnings with its answer. The lookup tells Warnings
// which marking definitions the hub already holds.
func ExampleWarnings() {
	body := []byte(`{"type":"bundle","id":"bundle--5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a","objects":[
	 {"type":"indicator","spec_version":"2.1","id":"indicator--1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
	  "created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	  "pattern_type":"stix","pattern":"[ipv4-addr:value = '198.51.100.7']","valid_from":"2026-07-10T00:00:00Z",
	  "indicator_types":["Malicious Activity"],
	  "object_marking_refs":["marking-definition--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]}]}`)
	b, err := stix.DecodeBundle(body, stix.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := stix.Validate(b); err != nil {
		fmt.Println(err)
		return
	}
	stored := map[string]bool{} // the marking definitions the hub holds
	for _, w := range stix.Warnings(b, func(id string) bool { return stored[id] }) {
		fmt.Printf("%s: %s\n", w.Path, w.Message)
	}
	// Output:
	// /objects/0/indicator_types/0: "Malicious Activity" should be written "malicious-activity", as in indicator-type-ov (STIX 2.1 §10)
	// /objects/0/object_marking_refs/0: "marking-definition--1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d" is neither in this bundle nor a marking definition the hub holds: include the marking-definition object so that every recipient can apply the marking (STIX 2.1 §7.2)
}
