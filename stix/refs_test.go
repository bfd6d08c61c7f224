package stix

import (
	"slices"
	"testing"
)

func mustObjects(t *testing.T, raw string) []*Object {
	t.Helper()
	b, err := DecodeBundle([]byte(raw), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range b.Objects {
		o.Props = CloneProps(o.Props)
	}
	return b.Objects
}

func TestPruneReferences(t *testing.T) {
	const bundle = `{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[
	{"type":"indicator","spec_version":"2.1","id":"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "pattern":"[ipv4-addr:value = '198.18.7.7']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z",
	 "created_by_ref":"identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11","object_marking_refs":["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","marking-definition--2d1b8c3e-9a7f-4e6d-8c5b-4a3f2e1d0c9b"],
	 "granular_markings":[{"marking_ref":"marking-definition--2d1b8c3e-9a7f-4e6d-8c5b-4a3f2e1d0c9b","selectors":["name"]},{"marking_ref":"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb","selectors":["pattern"]}]},
	{"type":"relationship","spec_version":"2.1","id":"relationship--2f3e4d5c-6b7a-4898-a0b1-c2d3e4f5a6b7","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "relationship_type":"related-to","source_ref":"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","target_ref":"incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10"},
	{"type":"note","spec_version":"2.1","id":"note--4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "content":"see the relationship","object_refs":["relationship--2f3e4d5c-6b7a-4898-a0b1-c2d3e4f5a6b7"]},
	{"type":"report","spec_version":"2.1","id":"report--5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "name":"r","published":"2026-07-10T01:10:00.000Z","object_refs":["indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b","incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10"]}
	]}`
	objs := PruneReferences(mustObjects(t, bundle), func(id string) bool { _, ok := TLPOfMarking(id); return ok })
	var ids []string
	for _, o := range objs {
		ids = append(ids, o.ID)
	}
	// The relationship loses its target, so it goes, and the note that only pointed at it goes too.
	if want := []string{"indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b", "report--5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"}; !slices.Equal(ids, want) {
		t.Fatalf("kept %v, want %v", ids, want)
	}
	ind := objs[0]
	if _, ok := ind.Props["created_by_ref"]; ok || ind.CreatedByRef != "" {
		t.Error("dangling created_by_ref kept")
	}
	if refs := ind.Props["object_marking_refs"].([]any); len(refs) != 1 || ind.ObjectMarkingRefs[0] != MarkingGreen {
		t.Errorf("object_marking_refs = %v", refs)
	}
	if gm := ind.Props["granular_markings"].([]any); len(gm) != 1 {
		t.Errorf("granular marking with a missing marking kept: %v", gm)
	}
	if refs := objs[1].Props["object_refs"].([]any); len(refs) != 1 {
		t.Errorf("report object_refs = %v", refs)
	}
	b := &Bundle{ID: "bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f", Objects: objs}
	if err := Validate(b); err != nil {
		t.Errorf("pruned copy is not valid STIX: %v", err)
	}
}
