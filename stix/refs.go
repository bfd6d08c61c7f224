package stix

import (
	"slices"
	"strconv"
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
	return pruneReferences(objs, external, false)
}

// PruneReferencesShared is PruneReferences for objects that other copies
// share: it changes none of objs. An object that loses a reference is
// cloned, and the clone pruned; every other object comes back as it is, the
// same pointer, so that what was computed from it (its canonical JSON) holds
// for every copy that carries it.
func PruneReferencesShared(objs []*Object, external func(id string) bool) []*Object {
	return pruneReferences(objs, external, true)
}

func pruneReferences(objs []*Object, external func(id string) bool, shared bool) []*Object {
	var own map[*Object]bool // the clones made here, which may be pruned in place
	if shared {
		own = map[*Object]bool{}
	}
	for {
		present := make(map[string]bool, len(objs))
		for _, o := range objs {
			present[o.ID] = true
		}
		keep := func(id string) bool { return present[id] || (external != nil && external(id)) }
		out := objs[:0:0]
		dropped := false
		for _, o := range objs {
			if shared && !own[o] {
				if !losesReference(o, keep) {
					out = append(out, o)
					continue
				}
				o = o.clone()
				own[o] = true
			}
			spec := specFor[o.Type]
			lists := indexedLists(o.Props)
			if pruneMap(o.Props, spec, keep) {
				if lists != nil {
					remapSelectors(o.Props, lists, keep)
				}
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

// losesReference reports whether pruning o would change it: pruneMap, told
// to keep everything, changes nothing and notes what it would have removed.
func losesReference(o *Object, keep func(string) bool) bool {
	lost := false
	pruneMap(o.Props, specFor[o.Type], func(id string) bool {
		if !keep(id) {
			lost = true
		}
		return true
	})
	return lost
}

// clone returns a deep copy of o without Raw, which would no longer match
// once the copy changes.
func (o *Object) clone() *Object {
	return &Object{Type: o.Type, ID: o.ID, SpecVersion: o.SpecVersion, Created: o.Created, Modified: o.Modified,
		CreatedByRef: o.CreatedByRef, ObjectMarkingRefs: slices.Clone(o.ObjectMarkingRefs), Props: CloneProps(o.Props)}
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

// indexedLists returns the top-level reference lists of props that a
// granular-marking selector indexes ("object_refs.[2]"), as they are before
// pruning, or nil when there are none (the usual case).
func indexedLists(props map[string]any) map[string][]any {
	gms, _ := props["granular_markings"].([]any)
	var lists map[string][]any
	for _, g := range gms {
		gm, _ := g.(map[string]any)
		for _, sel := range stringList(gm["selectors"]) {
			top, rest, _ := strings.Cut(sel, ".")
			if !strings.HasSuffix(top, "_refs") || !strings.HasPrefix(rest, "[") {
				continue
			}
			if l, ok := props[top].([]any); ok {
				if lists == nil {
					lists = make(map[string][]any)
				}
				lists[top] = l
			}
		}
	}
	return lists
}

// remapSelectors keeps the granular markings of a pruned object true to what
// they marked (STIX 2.1 §7.2.3.1: selectors select items the object has).
// Pruning removes items from reference lists, which shifts the later ones:
// a selector "object_refs.[2]" is renumbered to the item's new index, and a
// selector of a removed item or a removed list is dropped, as is a marking
// left without selectors. Selectors into nested lists are not renumbered;
// pruning nested reference lists under an index selector is left as is.
func remapSelectors(props map[string]any, before map[string][]any, keep func(string) bool) {
	gms, _ := props["granular_markings"].([]any)
	var kept []any
	for _, g := range gms {
		gm, _ := g.(map[string]any)
		var sels []any
		for _, sel := range stringList(gm["selectors"]) {
			top, rest, _ := strings.Cut(sel, ".")
			old, indexed := before[top]
			if !indexed || !strings.HasPrefix(rest, "[") {
				sels = append(sels, sel)
				continue
			}
			if _, still := props[top]; !still {
				continue
			}
			idx, tail, _ := strings.Cut(rest[1:], "]")
			n, err := strconv.Atoi(idx)
			if err != nil || n >= len(old) {
				sels = append(sels, sel) // selected nothing before pruning either
				continue
			}
			newIdx := 0
			for i := 0; i < n; i++ {
				if !pruned(old[i], keep) {
					newIdx++
				}
			}
			if pruned(old[n], keep) {
				continue
			}
			sels = append(sels, top+".["+strconv.Itoa(newIdx)+"]"+tail)
		}
		if len(sels) > 0 {
			gm["selectors"] = sels
			kept = append(kept, g)
		}
	}
	if len(kept) == 0 {
		delete(props, "granular_markings")
	} else {
		props["granular_markings"] = kept
	}
}

// pruned reports whether pruneMap removes list item v: an identifier that
// keep refuses.
func pruned(v any, keep func(string) bool) bool {
	id, ok := v.(string)
	return ok && strings.Contains(id, "--") && !keep(id)
}
