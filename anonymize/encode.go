package anonymize

import (
	"github.com/kakehashi-hub/kakehashi/stix"
)

// newObject wraps cleaned properties into a stix.Object whose Raw is their
// canonical JSON (stix.Canonical, keys sorted, without reflection): the leak
// check scans exactly these bytes, and intake serves exactly these bytes of
// every object of a copy that it does not change afterwards
// (Intake.route), so what is checked is what is sent.
func newObject(props map[string]any) (*stix.Object, error) {
	raw, err := stix.AppendCanonical(make([]byte, 0, 512), props)
	if err != nil {
		return nil, err
	}
	o := &stix.Object{Props: props, Raw: raw}
	o.Type, _ = props["type"].(string)
	o.ID, _ = props["id"].(string)
	o.SpecVersion, _ = props["spec_version"].(string)
	o.CreatedByRef, _ = props["created_by_ref"].(string)
	if s, ok := props["created"].(string); ok {
		o.Created, _ = stix.ParseTimestamp(s)
	}
	if s, ok := props["modified"].(string); ok {
		o.Modified, _ = stix.ParseTimestamp(s)
	} else {
		o.Modified = o.Created
	}
	o.ObjectMarkingRefs = stringList(props["object_marking_refs"])
	if len(o.ObjectMarkingRefs) == 0 {
		o.ObjectMarkingRefs = nil
	}
	return o, nil
}

// serialize writes the bundle as Bundle.MarshalJSON would, without
// re-compacting each object's JSON.
func serialize(bd *stix.Bundle) []byte {
	n := 64
	for _, o := range bd.Objects {
		if o != nil {
			n += len(o.Raw) + 1
		}
	}
	b := make([]byte, 0, n)
	b = append(b, `{"type":"bundle","id":`...)
	b, _ = stix.AppendCanonical(b, bd.ID) // a string always encodes
	b = append(b, `,"objects":[`...)
	for i, o := range bd.Objects {
		if i > 0 {
			b = append(b, ',')
		}
		if o == nil || len(o.Raw) == 0 {
			b = append(b, "null"...)
			continue
		}
		b = append(b, o.Raw...)
	}
	return append(b, "]}"...)
}
