package anonymize

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// publicKeeps reports whether an object goes into the public copy: objects
// marked TLP:CLEAR, and the definitions a CLEAR object needs. An unmarked
// object is not CLEAR (its TLP is the submitter's default, never CLEAR by
// assumption): fail closed.
func (t *transform) publicKeeps(r *rec) bool {
	o := r.orig
	switch o.Type {
	case "marking-definition":
		tlp, std := stix.TLPOfMarking(o.ID)
		return std && tlp == stix.TLPClear
	case "extension-definition":
		return o.ID == stix.TelecomExtensionID
	}
	tlp, ok := o.TLP()
	return ok && tlp == stix.TLPClear
}

// publicIncident reduces an incident to its category, region and banded
// figures (SHARING.md §4, public): every free-text property goes, and name and
// description are generated.
func (t *transform) publicIncident(r *rec, props map[string]any) map[string]any {
	out := map[string]any{}
	for _, k := range []string{"type", "spec_version", "id", "created", "modified", "created_by_ref", "object_marking_refs", PseudonymProperty} {
		if v, ok := props[k]; ok {
			out[k] = v
		}
	}
	category := "incident"
	var figures []string
	if ext, ok := extensionOf(props, stix.TelecomExtensionID); ok {
		red := map[string]any{}
		for _, k := range []string{"extension_type", "report_kind", "cause", "occurred_at", "aware_at", "recovered_at"} {
			if v, ok := ext[k]; ok {
				red[k] = v
			}
		}
		if k, ok := ext["report_kind"].(string); ok {
			category = k
		}
		if svcs, ok := ext["services"].([]any); ok {
			var rs []any
			for _, sv := range svcs {
				m, _ := sv.(map[string]any)
				rm := map[string]any{}
				for _, k := range []string{"service_class", "impact", "additional_feature_only", "users_unknown", BandProperty} {
					if v, ok := m[k]; ok {
						rm[k] = v
					}
				}
				if b, ok := m[BandProperty].(string); ok {
					figures = append(figures, fmt.Sprintf("%v: %s users", m["service_class"], b))
				}
				rs = append(rs, rm)
			}
			red["services"] = rs
		}
		if c, ok := ext["cyber"].(map[string]any); ok {
			red["cyber"] = map[string]any{"attack_type": c["attack_type"]}
		}
		if d, ok := ext["disaster"].(map[string]any); ok {
			red["disaster"] = map[string]any{"kind": d["kind"]}
		}
		out["extensions"] = map[string]any{stix.TelecomExtensionID: red}
	}
	name, _ := r.orig.Props["name"].(string)
	desc, _ := r.orig.Props["description"].(string)
	region := t.region(name + "\n" + desc)
	out["name"] = fmt.Sprintf("%s incident (%s)", category, region)
	d := fmt.Sprintf("Category: %s. Region: %s.", category, region)
	if len(figures) > 0 {
		d += " Affected users: " + strings.Join(figures, "; ") + "."
	}
	out["description"] = d
	return out
}

// region names the prefecture an incident text mentions, "multiple
// prefectures" when it mentions several, and "Japan" when none.
func (t *transform) region(text string) string {
	t.s.detect(text, mode{party: -1, except: -1})
	seen := map[string]bool{}
	for _, p := range t.s.prefs {
		if n := prefectureName(strings.ReplaceAll(string(t.s.n.nt.b[p.a:p.z]), " ", "")); n != "" {
			seen[n] = true
		}
	}
	switch len(seen) {
	case 0:
		return "Japan"
	case 1:
		for n := range seen {
			return n
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return "multiple prefectures: " + strings.Join(names, ", ")
}
