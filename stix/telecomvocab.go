package stix

import "slices"

// TelecomVocabularies returns the closed vocabularies of the telecom
// extension (PROFILE.md §3) by property name, as the wire values forms and
// tools offer: "report_kind", "cause", "failed_equipment", "service_class",
// "impact", "wholesale_role", "important_facility.kind", "disaster.kind",
// "disaster.seismic_intensity", "cyber.attack_type", "osore.situation".
// The lists are copies of the tables the validator enforces (spec.go), so a
// form can never offer a value the hub refuses.
func TelecomVocabularies() map[string][]string {
	return map[string][]string{
		"report_kind":                slices.Clone(telecomReportKinds),
		"cause":                      slices.Clone(telecomCauses),
		"failed_equipment":           slices.Clone(telecomEquipment),
		"service_class":              slices.Clone(telecomServices),
		"impact":                     slices.Clone(telecomImpacts),
		"wholesale_role":             slices.Clone(telecomWholesale),
		"important_facility.kind":    slices.Clone(telecomFacilities),
		"disaster.kind":              slices.Clone(telecomDisasters),
		"disaster.seismic_intensity": slices.Clone(telecomIntensities),
		"cyber.attack_type":          slices.Clone(telecomAttacks),
		"osore.situation":            slices.Clone(telecomOsore),
	}
}
