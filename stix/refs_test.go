package stix

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
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

// TestPruneReferencesRenumbersSelectors: removing dangling items from a
// reference list shifts the later items, so granular markings that select
// list items by index follow them, and markings of removed items go (STIX
// 2.1 §7.2.3.1); the copy stays valid.
func TestPruneReferencesRenumbersSelectors(t *testing.T) {
	const (
		indA = "indicator--1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b"
		gone = "incident--7a6f5e4d-3c2b-4a19-8f7e-6d5c4b3a2f10"
		malA = "malware--3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7"
	)
	bundle := `{"type":"bundle","id":"bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f","objects":[
	{"type":"indicator","spec_version":"2.1","id":"` + indA + `","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "pattern":"[ipv4-addr:value = '198.18.7.7']","pattern_type":"stix","valid_from":"2026-07-10T00:00:00Z"},
	{"type":"malware","spec_version":"2.1","id":"` + malA + `","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "is_family":false,"name":"m","sample_refs":["file--5a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d"],
	 "granular_markings":[{"marking_ref":"` + MarkingRed + `","selectors":["sample_refs.[0]","name"]}]},
	{"type":"report","spec_version":"2.1","id":"report--5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "name":"r","published":"2026-07-10T01:10:00.000Z","object_refs":["` + indA + `","` + gone + `","` + malA + `"],
	 "granular_markings":[
	  {"marking_ref":"` + MarkingRed + `","selectors":["object_refs.[2]","name","object_refs.[0]"]},
	  {"marking_ref":"` + MarkingAmber + `","selectors":["object_refs.[1]"]}]}
	]}`
	objs := PruneReferences(mustObjects(t, bundle), func(id string) bool { _, ok := TLPOfMarking(id); return ok })
	if len(objs) != 3 {
		t.Fatalf("kept %d objects, want 3", len(objs))
	}
	mal, rep := objs[1].Props, objs[2].Props
	if _, ok := mal["sample_refs"]; ok {
		t.Fatalf("dangling sample_refs kept: %v", mal["sample_refs"])
	}
	wantMal := []any{map[string]any{"marking_ref": MarkingRed, "selectors": []any{"name"}}}
	if diff := cmp.Diff(wantMal, mal["granular_markings"]); diff != "" {
		t.Errorf("malware granular markings (-want +got):\n%s", diff)
	}
	wantRep := []any{map[string]any{"marking_ref": MarkingRed, "selectors": []any{"object_refs.[1]", "name", "object_refs.[0]"}}}
	if diff := cmp.Diff(wantRep, rep["granular_markings"]); diff != "" {
		t.Errorf("report granular markings (-want +got):\n%s", diff)
	}
	if refs := rep["object_refs"].([]any); !slices.Equal(refs, []any{indA, malA}) {
		t.Errorf("report object_refs = %v", refs)
	}
	if err := Validate(&Bundle{ID: "bundle--3b1f0e6c-8a2d-4c5e-9f7a-1d2c3b4a5e6f", Objects: objs}); err != nil {
		t.Errorf("pruned copy is not valid STIX: %v", err)
	}

	// A marking left with no selector goes with the property it marked.
	only := `{"objects":[{"type":"malware","spec_version":"2.1","id":"` + malA + `","created":"2026-07-10T01:10:00.000Z","modified":"2026-07-10T01:10:00.000Z",
	 "is_family":false,"sample_refs":["file--5a6b7c8d-9e0f-5a1b-8c2d-3e4f5a6b7c8d"],
	 "granular_markings":[{"marking_ref":"` + MarkingRed + `","selectors":["sample_refs.[0]"]}]}]}`
	objs = PruneReferences(mustObjects(t, only), func(id string) bool { _, ok := TLPOfMarking(id); return ok })
	if gm, ok := objs[0].Props["granular_markings"]; ok {
		t.Errorf("granular markings of a removed list kept: %v", gm)
	}
}
