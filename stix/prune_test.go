package stix

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPruneReferencesShared: the shared form prunes exactly as
// PruneReferences does on clones, changes none of the objects it is given,
// and returns those it did not need to change as they are.
func TestPruneReferencesShared(t *testing.T) {
	const (
		ind  = "indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
		gone = "incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10"
		mal  = "malware--3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
		rel  = "relationship--2f3e4d5c-6b7a-4898-a0b1-c2d3e4f5a6b7"
	)
	const head = `"spec_version":"2.1","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z"`
	bundle := `{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[
	{"type":"indicator",` + head + `,"id":"` + ind + `","pattern":"[ipv4-addr:value = '198.18.7.7']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z",
	 "object_marking_refs":["` + MarkingGreen + `"]},
	{"type":"indicator",` + head + `,"id":"indicator--9e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","pattern":"[ipv4-addr:value = '198.18.7.8']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z",
	 "created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11"},
	{"type":"malware",` + head + `,"id":"` + mal + `","is_family":false,"name":"m","sample_refs":["file--5a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d"],
	 "granular_markings":[{"marking_ref":"` + MarkingRed + `","selectors":["sample_refs.[0]","name"]}]},
	{"type":"relationship",` + head + `,"id":"` + rel + `","relationship_type":"related-to","source_ref":"` + ind + `","target_ref":"` + gone + `"},
	{"type":"note",` + head + `,"id":"note--4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d","content":"see the relationship","object_refs":["` + rel + `"]},
	{"type":"report",` + head + `,"id":"report--5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e","name":"r","published":"2026-07-10T01:10:00.000Z","object_refs":["` + ind + `","` + gone + `","` + mal + `"],
	 "granular_markings":[{"marking_ref":"` + MarkingRed + `","selectors":["object_refs.[2]","name"]},{"marking_ref":"` + MarkingAmber + `","selectors":["object_refs.[1]"]}]},
	{"type":"report",` + head + `,"id":"report--6b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e","name":"whole","published":"2026-07-10T01:10:00.000Z","object_refs":["` + ind + `","` + mal + `"]}
	]}`
	external := func(id string) bool { _, ok := TLPOfMarking(id); return ok }
	encode := func(objs []*Object) []string {
		var out []string
		for _, o := range objs {
			js, err := json.Marshal(o.Props)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, string(js))
		}
		return out
	}
	want := encode(PruneReferences(mustObjects(t, bundle), external))

	given := mustObjects(t, bundle)
	before := encode(given)
	got := PruneReferencesShared(given, external)
	if diff := cmp.Diff(want, encode(got)); diff != "" {
		t.Errorf("PruneReferencesShared (-PruneReferences +shared):\n%s", diff)
	}
	if diff := cmp.Diff(before, encode(given)); diff != "" {
		t.Errorf("the shared objects changed (-before +after):\n%s", diff)
	}
	same := map[*Object]bool{}
	for _, o := range given {
		same[o] = true
	}
	var kept, cloned []string
	for _, o := range got {
		if same[o] {
			kept = append(kept, o.ID)
		} else {
			cloned = append(cloned, o.ID)
		}
	}
	if diff := cmp.Diff([]string{ind, "report--6b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"}, kept); diff != "" {
		t.Errorf("objects returned as given (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"indicator--9e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", mal, "report--5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"}, cloned); diff != "" {
		t.Errorf("objects cloned (-want +got):\n%s", diff)
	}
}
