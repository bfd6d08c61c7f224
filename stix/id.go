package stix

import "strings"

// ValidID reports whether id is "<typ>--<UUID>" with an RFC 4122 UUID (the
// OASIS identifier pattern: version nibble 1–5, variant 8, 9, a or b; STIX 2.1
// §2.9). An empty typ accepts any type prefix of the STIX type-name form.
func ValidID(id, typ string) bool {
	i := strings.Index(id, "--")
	if i <= 0 {
		return false
	}
	if typ != "" && id[:i] != typ {
		return false
	}
	if typ == "" && !ValidTypeName(id[:i]) {
		return false
	}
	return validUUID(id[i+2:])
}

// IDType returns the type part of a STIX identifier ("indicator" for
// "indicator--…"), or "" when id has no "--".
func IDType(id string) string {
	if i := strings.Index(id, "--"); i > 0 {
		return id[:i]
	}
	return ""
}

func validUUID(u string) bool {
	if len(u) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := u[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	if v := u[14]; v < '1' || v > '5' {
		return false
	}
	switch u[19] {
	case '8', '9', 'a', 'b', 'A', 'B':
	default:
		return false
	}
	return true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// ValidTypeName reports whether s is a STIX type name: 3–250 characters of
// lowercase ASCII letters, digits and hyphens, starting with a letter, with no
// double hyphen and no trailing hyphen (STIX 2.1 §3.1 / core.json).
func ValidTypeName(s string) bool {
	if len(s) < 3 || len(s) > 250 {
		return false
	}
	if s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
