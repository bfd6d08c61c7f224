package stix

// IsObservable reports whether typ is a STIX Cyber-observable Object type
// (STIX 2.1 §6). SCO ids are deterministic (UUIDv5 over their contributing
// properties, §2.9), so two parties reporting the same value produce the same id.
func IsObservable(typ string) bool { return typeFamily[typ] == classSCO }
