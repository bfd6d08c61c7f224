package stix

// ValidatePattern parses a STIX 2.1 pattern (pattern_type "stix", STIX 2.1 §9).
// PLACEHOLDER: being replaced by the real parser in this change; not done yet.
func ValidatePattern(p string) error { return nil }
