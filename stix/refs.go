package stix

import (
	"slices"
	"strings"
)

// CloneProps returns a deep copy of a decoded object, so that a copy made for
// one audience can be changed without touching the original or other copies.
func CloneProps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return CloneProps(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

// PruneReferences makes a set of objects self-contained, as every copy sent
// to an audience must be (SHARING.md §3): a reference (a property named
// *_ref or *_refs, at any depth, STIX 2.1 §2.5) to an object outside the set
// is removed; an object whose required reference would be lost (a
// relationship's source or target, a sighting's sighting_of_ref, a report's
// last object_ref, …) is dropped, and so, in turn, are the objects that needed
// it. external(id) says which ids may be referenced without being in the set
// (the standard TLP marking definitions, which every copy can include). The
// objects are modified in place: pass clones.
func PruneReferences(objs []*Object, external func(id string) bool) []*Object {
	for {
		present := make(map[string]bool, len(objs))
		for _, o := range objs {
			present[o.ID] = true
		}
		keep := func(id string) bool { return present[id] || (external != nil && external(id)) }
		out := objs[:0:0]
		dropped := false
		for _, o := range objs {
			spec := specFor[o.Type]
			if pruneMap(o.Props, spec, keep) {
				out = append(out, o)
				o.CreatedByRef, _ = o.Props["created_by_ref"].(string)
				o.ObjectMarkingRefs = stringList(o.Props["object_marking_refs"])
			} else {
				dropped = true
			}
		}
		objs = out
		if !dropped {
			return objs
		}
	}
}

// pruneMap removes dangling references from m and reports whether m is still
// whole (false: a required reference was lost).
func pruneMap(m map[string]any, spec *objSpec, keep func(string) bool) bool {
	required := func(k string) bool { return spec != nil && slices.Contains(spec.required, k) }
	for k, v := range m {
		switch {
		case strings.HasSuffix(k, "_ref"):
			id, ok := v.(string)
			if !ok || !strings.Contains(id, "--") || keep(id) {
				continue
			}
			if required(k) {
				return false
			}
			delete(m, k)
		case strings.HasSuffix(k, "_refs"):
			list, ok := v.([]any)
			if !ok {
				continue
			}
			kept := list[:0:0]
			for _, e := range list {
				if id, ok := e.(string); ok && strings.Contains(id, "--") && !keep(id) {
					continue
				}
				kept = append(kept, e)
			}
			if len(kept) == len(list) {
				continue
			}
			if len(kept) == 0 {
				if required(k) {
					return false
				}
				delete(m, k)
				continue
			}
			m[k] = kept
		default:
			var sub *objSpec
			if spec != nil {
				if p, ok := spec.props[k]; ok {
					sub = p.sub
				}
			}
			switch x := v.(type) {
			case map[string]any:
				if k == "extensions" {
					for _, ext := range x {
						if em, ok := ext.(map[string]any); ok && !pruneMap(em, nil, keep) {
							return false
						}
					}
					continue
				}
				if !pruneMap(x, sub, keep) {
					return false
				}
			case []any:
				kept := x[:0:0]
				for _, e := range x {
					em, ok := e.(map[string]any)
					if !ok {
						kept = append(kept, e)
						continue
					}
					if k == "granular_markings" {
						// A granular marking without its marking means nothing: remove it.
						if ref, _ := em["marking_ref"].(string); ref != "" && !keep(ref) {
							continue
						}
					}
					// A list element that loses a required reference (a granular
					// marking without its marking) is removed, not the object.
					if pruneMap(em, sub, keep) {
						kept = append(kept, e)
					}
				}
				if len(kept) != len(x) {
					if len(kept) == 0 {
						delete(m, k)
					} else {
						m[k] = kept
					}
				}
			}
		}
	}
	return true
}

func stringList(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
