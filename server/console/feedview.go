package console

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// The feed page's view of channel objects: a readable summary per type and
// the versions of an incident as a timeline. Nothing here decides what the
// reader may see; it only shows the objects the TAXII service returned.

// feedItem is one object of a feed page.
type feedItem struct {
	ID       string
	Type     string
	TLP      string // wire name: clear, green, amber, amber+strict, red
	Modified time.Time
	Added    time.Time // when the hub released it to the channel
	Revoked  bool
	Name     string

	// incident
	Kind                       string // report_kind
	KindKnown                  bool   // Kind has a message feed.kind.<Kind>
	Occurred, Aware, Recovered time.Time
	Versions                   []feedVersion // oldest first; empty when the page has none
	// indicator
	Pattern string
	// note, report, opinion and others with text
	Text string
	// sighting, observed-data
	Count       int64
	HasCount    bool
	First, Last time.Time
}

// TLPClass is the label's class in console.css (tlp-amber-strict for amber+strict).
func (it feedItem) TLPClass() string { return "tlp-" + strings.ReplaceAll(it.TLP, "+", "-") }

// TLPLabel is the label's text as FIRST writes it (TLP:AMBER+STRICT).
func (it feedItem) TLPLabel() string { return "TLP:" + strings.ToUpper(it.TLP) }

// summarize builds the item of one object version as the channel carries it.
func summarize(o *stix.Object, tlp stix.TLP, added time.Time) feedItem {
	it := feedItem{ID: o.ID, Type: o.Type, TLP: tlp.String(), Modified: o.Modified, Added: added,
		Name: str(o.Props, "name")}
	it.Revoked, _ = o.Props["revoked"].(bool)
	switch o.Type {
	case "incident":
		if ext, ok, err := o.TelecomExtension(); ok && err == nil {
			it.Kind, it.KindKnown = ext.ReportKind, reportKinds[ext.ReportKind]
			it.Occurred = ext.OccurredAt
			if ext.AwareAt != nil {
				it.Aware = *ext.AwareAt
			}
			if ext.RecoveredAt != nil {
				it.Recovered = *ext.RecoveredAt
			}
		}
		it.Text = str(o.Props, "description")
	case "indicator":
		it.Pattern = str(o.Props, "pattern")
		it.Text = str(o.Props, "description")
	case "note":
		it.Name = str(o.Props, "abstract")
		it.Text = str(o.Props, "content")
	case "opinion":
		it.Name = str(o.Props, "opinion")
		it.Text = str(o.Props, "explanation")
	case "sighting":
		it.Count, it.HasCount = count(o.Props, "count") // optional (STIX 2.1 §5.7); no default
		it.First, it.Last = when(o.Props, "first_seen"), when(o.Props, "last_seen")
	case "observed-data":
		it.Count, it.HasCount = count(o.Props, "number_observed")
		it.First, it.Last = when(o.Props, "first_observed"), when(o.Props, "last_observed")
	default:
		it.Text = str(o.Props, "description")
	}
	if it.Name == "" {
		it.Name = str(o.Props, "value") // SCOs: domain-name, ipv4-addr, …
	}
	return it
}

func str(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

func count(props map[string]any, key string) (int64, bool) {
	switch v := props[key].(type) {
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	case float64:
		return int64(v), true
	case int64:
		return v, true
	case int:
		return int64(v), true
	}
	return 0, false
}

func when(props map[string]any, key string) time.Time {
	t, err := stix.ParseTimestamp(str(props, key))
	if err != nil {
		return time.Time{}
	}
	return t
}

// reportKinds are the report_kind values of PROFILE.md §3 that have a message.
var reportKinds = map[string]bool{"service-outage": true, "cyber-attack": true, "info-leak": true,
	"near-miss": true, "disaster-damage": true, "outage-signal": true}

// feedVersion is one version of an incident on the timeline: 第N報.
type feedVersion struct {
	Number   int // 1 for 第1報
	Modified time.Time
	Kind     string // report_kind of this version
	Changed  []feedChange
	Revoked  bool
}

// feedChange names one property that differs from the previous version.
type feedChange struct {
	Key   string // top-level property, or the telecom extension's property
	Known bool   // has a message feed.field.<Key>
}

// knownFields are the properties with a message feed.field.<name>.
var knownFields = map[string]bool{"name": true, "description": true, "report_kind": true, "cause": true,
	"occurred_at": true, "aware_at": true, "recovered_at": true, "failed_equipment": true, "services": true,
	"disaster": true, "cyber": true, "osore": true, "important_facility": true, "same_premises_only": true,
	"revoked": true, "object_marking_refs": true, "labels": true, "external_references": true, "confidence": true}

// ignoredFields change with every version or say nothing to a reader.
var ignoredFields = map[string]bool{"type": true, "id": true, "spec_version": true, "created": true, "modified": true, "extensions": true}

// timeline orders the versions of one object oldest first (by modified; the
// same modified twice is one version) and says what each changed from the
// one before it. Follow-up reports are new versions of the same incident
// (PROFILE.md §3), so the Nth version is the 第N報.
func timeline(versions []*stix.Object) []feedVersion {
	vs := slices.Clone(versions)
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Modified.Before(vs[j].Modified) })
	vs = slices.CompactFunc(vs, func(a, b *stix.Object) bool { return a.Modified.Equal(b.Modified) })
	out := make([]feedVersion, len(vs))
	for i, o := range vs {
		v := feedVersion{Number: i + 1, Modified: o.Modified}
		v.Revoked, _ = o.Props["revoked"].(bool)
		if ext, ok, err := o.TelecomExtension(); ok && err == nil {
			v.Kind = ext.ReportKind
		}
		if i > 0 {
			v.Changed = changes(vs[i-1], o)
		}
		out[i] = v
	}
	return out
}

// changes lists the properties that differ between two versions, sorted:
// top-level properties and those of the telecom extension (other
// extensions count as one property, their id).
func changes(prev, next *stix.Object) []feedChange {
	keys := map[string]bool{}
	diff := func(a, b map[string]any, skip map[string]bool) {
		for k := range a {
			if !skip[k] && !same(a[k], b[k]) {
				keys[k] = true
			}
		}
		for k := range b {
			if _, in := a[k]; !in && !skip[k] {
				keys[k] = true
			}
		}
	}
	diff(prev.Props, next.Props, ignoredFields)
	pe, _ := prev.Props["extensions"].(map[string]any)
	ne, _ := next.Props["extensions"].(map[string]any)
	for id := range union(pe, ne) {
		if id != stix.TelecomExtensionID {
			if !same(pe[id], ne[id]) {
				keys[id] = true
			}
			continue
		}
		pt, _ := pe[id].(map[string]any)
		nt, _ := ne[id].(map[string]any)
		diff(pt, nt, map[string]bool{"extension_type": true})
	}
	out := make([]feedChange, 0, len(keys))
	for k := range keys {
		out = append(out, feedChange{Key: k, Known: knownFields[k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func union(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// same compares two decoded JSON values; numbers by value, so that 1 and
// 1.0 are the same.
func same(a, b any) bool {
	return reflect.DeepEqual(normal(a), normal(b))
}

func normal(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return strconv.FormatInt(n, 10)
		}
		if f, err := x.Float64(); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normal(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = normal(e)
		}
		return s
	}
	return v
}
