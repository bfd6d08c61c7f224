package stix

import "fmt"

// TLP is a Traffic Light Protocol 2.0 level (FIRST TLP 2.0), ordered from the
// least to the most restrictive so that max() gives the stricter level.
type TLP int

// The TLP 2.0 levels, least restrictive first.
const (
	TLPClear TLP = iota + 1
	TLPGreen
	TLPAmber
	TLPAmberStrict
	TLPRed
)

var tlpNames = map[TLP]string{TLPClear: "clear", TLPGreen: "green", TLPAmber: "amber", TLPAmberStrict: "amber+strict", TLPRed: "red"}

// String returns the TLP 2.0 name as used in the registry ("amber+strict").
func (t TLP) String() string {
	if s, ok := tlpNames[t]; ok {
		return s
	}
	return fmt.Sprintf("TLP(%d)", int(t))
}

// ParseTLP reads a registry TLP name.
func ParseTLP(s string) (TLP, error) {
	for t, n := range tlpNames {
		if n == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("%q is not a TLP level; use clear, green, amber, amber+strict or red", s)
}

// TLP20ExtensionID is the OASIS extension definition of TLP 2.0 markings.
const TLP20ExtensionID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// The TLP 2.0 marking-definition ids (PROFILE.md §2, OASIS cti-stix-common-objects).
const (
	MarkingClear       = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
	MarkingGreen       = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	MarkingAmber       = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	MarkingAmberStrict = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
	MarkingRed         = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
)

// The TLP 1.0 marking-definition ids of STIX 2.1 §7.2.1.4.
const (
	MarkingTLP1White = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
	MarkingTLP1Green = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
	MarkingTLP1Amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"
	MarkingTLP1Red   = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
)

// tlpByMarking maps every standard TLP marking id to its TLP 2.0 level;
// TLP 1.0 WHITE maps to CLEAR (PROFILE.md §2).
var tlpByMarking = map[string]TLP{
	MarkingClear: TLPClear, MarkingGreen: TLPGreen, MarkingAmber: TLPAmber,
	MarkingAmberStrict: TLPAmberStrict, MarkingRed: TLPRed,
	MarkingTLP1White: TLPClear, MarkingTLP1Green: TLPGreen, MarkingTLP1Amber: TLPAmber, MarkingTLP1Red: TLPRed,
}

// TLPOfMarking reports the TLP level of a standard TLP marking-definition id.
func TLPOfMarking(id string) (TLP, bool) {
	t, ok := tlpByMarking[id]
	return t, ok
}

// MarkingOf returns the TLP 2.0 marking-definition id of a level.
func MarkingOf(t TLP) string {
	switch t {
	case TLPClear:
		return MarkingClear
	case TLPGreen:
		return MarkingGreen
	case TLPAmber:
		return MarkingAmber
	case TLPAmberStrict:
		return MarkingAmberStrict
	case TLPRed:
		return MarkingRed
	}
	return ""
}

// TLP returns the most restrictive TLP among the object's own
// object_marking_refs (markings do not propagate along references, PROFILE.md
// §2), and false when the object carries no TLP marking.
func (o *Object) TLP() (TLP, bool) {
	var best TLP
	for _, ref := range o.ObjectMarkingRefs {
		if t, ok := tlpByMarking[ref]; ok && t > best {
			best = t
		}
	}
	return best, best != 0
}

// tlpMarkingDefinition describes what a standard marking object must contain,
// so that a bundle cannot redefine a well-known id with other content.
type tlpMarkingDefinition struct {
	name    string
	tlp1    string // definition.tlp for TLP 1.0
	tlp2    string // extensions[TLP20ExtensionID].tlp_2_0 for TLP 2.0
	created string
}

var tlpDefinitions = map[string]tlpMarkingDefinition{
	MarkingClear:       {name: "TLP:CLEAR", tlp2: "clear", created: "2022-10-01T00:00:00.000Z"},
	MarkingGreen:       {name: "TLP:GREEN", tlp2: "green", created: "2022-10-01T00:00:00.000Z"},
	MarkingAmber:       {name: "TLP:AMBER", tlp2: "amber", created: "2022-10-01T00:00:00.000Z"},
	MarkingAmberStrict: {name: "TLP:AMBER+STRICT", tlp2: "amber+strict", created: "2022-10-01T00:00:00.000Z"},
	MarkingRed:         {name: "TLP:RED", tlp2: "red", created: "2022-10-01T00:00:00.000Z"},
	MarkingTLP1White:   {name: "TLP:WHITE", tlp1: "white", created: "2017-01-20T00:00:00.000Z"},
	MarkingTLP1Green:   {name: "TLP:GREEN", tlp1: "green", created: "2017-01-20T00:00:00.000Z"},
	MarkingTLP1Amber:   {name: "TLP:AMBER", tlp1: "amber", created: "2017-01-20T00:00:00.000Z"},
	MarkingTLP1Red:     {name: "TLP:RED", tlp1: "red", created: "2017-01-20T00:00:00.000Z"},
}

// TLPMarkingObject returns the standard marking-definition object of a TLP 2.0
// level, for including in copies that reference it.
func TLPMarkingObject(t TLP) map[string]any {
	id := MarkingOf(t)
	d := tlpDefinitions[id]
	return map[string]any{
		"type": "marking-definition", "spec_version": SpecVersion, "id": id,
		"created": d.created, "name": d.name,
		"extensions": map[string]any{TLP20ExtensionID: map[string]any{
			"extension_type": "property-extension", "tlp_2_0": d.tlp2,
		}},
	}
}

// StandardMarkingObject returns the standard marking-definition object of a
// well-known TLP 1.0 or 2.0 marking id, and false for any other id.
func StandardMarkingObject(id string) (map[string]any, bool) {
	d, ok := tlpDefinitions[id]
	if !ok {
		return nil, false
	}
	if d.tlp2 != "" {
		return TLPMarkingObject(tlpByMarking[id]), true
	}
	return map[string]any{
		"type": "marking-definition", "spec_version": SpecVersion, "id": id,
		"created": d.created, "definition_type": "tlp", "name": d.name,
		"definition": map[string]any{"tlp": d.tlp1},
	}, true
}
