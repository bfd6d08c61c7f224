package stix

// IsObservable reports whether typ is a STIX Cyber-observable Object type
// (STIX 2.1 §6). SCO ids are deterministic (UUIDv5 over their contributing
// properties, §2.9), so two parties reporting the same value produce the same id.
func IsObservable(typ string) bool { return typeFamily[typ] == classSCO }

// UUIDVersion returns the version digit of the UUID part of a STIX id
// (RFC 9562 §4.2), or 0 when id is not of the form type--uuid.
func UUIDVersion(id string) byte {
	for i := 0; i+1 < len(id); i++ {
		if id[i] == '-' && id[i+1] == '-' {
			u := id[i+2:]
			if len(u) != 36 || u[14] < '0' || u[14] > '9' {
				return 0
			}
			return u[14] - '0'
		}
	}
	return 0
}
