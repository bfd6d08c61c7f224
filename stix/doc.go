// Package stix holds the STIX 2.1 objects the hub accepts, bundle decoding with
// resource limits, the hub's own validator (PROFILE.md §1), TLP markings (§2)
// and the Kakehashi telecom incident extension (§3).
//
// Objects are kept generic: the common properties are decoded into fields and
// the whole object is kept as a decoded map (numbers as json.Number) plus its
// exact submitted bytes, so unknown properties and extensions pass through
// losslessly. The package imports nothing else of the project.
package stix
