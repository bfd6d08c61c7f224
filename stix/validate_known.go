package stix

// ValidateKnown is Validate for a bundle some of whose objects were already
// validated, unchanged: known(o) reports such an object, whose own checks
// are then not repeated. A copy for one audience shares most of its objects
// with the other copies of its submission, and checking each again for
// every copy was most of the cost of finishing copies (docs/performance.md).
//
// The checks that need the whole bundle still see what they need: marking
// definitions (marking cycles, STIX 2.1 §3.2) and objects naming sensitive
// designs (sensitive_design_refs must be artifacts of the same bundle) are
// always walked.
func ValidateKnown(b *Bundle, known func(*Object) bool) error {
	return validate(b, known)
}

// bundleWide reports whether the walk of o feeds a check over the whole
// bundle, so that it cannot be skipped.
func bundleWide(o *Object) bool {
	if o.Type == "marking-definition" {
		return true
	}
	exts, _ := o.Props["extensions"].(map[string]any)
	for _, e := range exts {
		if m, ok := e.(map[string]any); ok {
			if _, ok := m["sensitive_design_refs"]; ok {
				return true
			}
		}
	}
	return false
}
