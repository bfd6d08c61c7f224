package stix

import (
	_ "embed"
)

// Identities the hub itself speaks as (PROFILE.md §4). The ids are fixed
// random UUIDv4s: consumers key on them, so they never change.
const (
	// HubIdentityID is the identity of the Kakehashi hub: created_by_ref of the
	// telecom extension definition and of the notes the hub writes.
	HubIdentityID = "identity--0b5e4c1a-7f3d-4e2a-9c6b-2d8f1a3e5c71"
	// CEPTOARIdentityID is the T-CEPTOAR identity used as created_by_ref on
	// anonymized copies (PROFILE.md §4).
	CEPTOARIdentityID = "identity--7a1c9e54-3b2d-4f86-a0e7-5c9d2b8f4e13"
)

// TelecomExtensionVersion is the version of the telecom extension definition;
// compatible changes bump it and modified, a breaking change gets a new id
// (STIX 2.1 §7.3).
const TelecomExtensionVersion = "1.0.0"

// TelecomExtensionSchemaURL is where the hub publishes the JSON Schema of the
// telecom extension; it is the "schema" property of the extension definition
// and the $id of TelecomExtensionSchema.
const TelecomExtensionSchemaURL = "https://raw.githubusercontent.com/kakehashi-hub/kakehashi/main/stix/telecom-extension.schema.json"

// TelecomExtensionSchema is the JSON Schema (draft 2020-12) of the content of
// the telecom extension, the object under extensions[TelecomExtensionID] of an
// incident (PROFILE.md §3). The hub's own validator enforces the same rules
// from its tables (spec.go) plus the bundle-wide rule on sensitive_design_refs.
//
//go:embed telecom-extension.schema.json
var TelecomExtensionSchema []byte

// TelecomExtensionDefinition returns the extension-definition object of the
// telecom extension (STIX 2.1 §7.3), created by the hub's identity. The hub
// serves it and includes it in feeds that carry the extension.
func TelecomExtensionDefinition() map[string]any {
	return map[string]any{
		"type":            "extension-definition",
		"spec_version":    SpecVersion,
		"id":              TelecomExtensionID,
		"created_by_ref":  HubIdentityID,
		"created":         "2026-01-01T00:00:00.000Z",
		"modified":        "2026-01-01T00:00:00.000Z",
		"name":            "Kakehashi telecom incident",
		"description":     "Facts of a telecommunications incident as reported under the Telecommunications Business Act (電気通信事業法): report kind, cause, times, affected services and users, and the disaster, cyber-attack and serious-accident-risk details the regulator's classification needs.",
		"schema":          TelecomExtensionSchemaURL,
		"version":         TelecomExtensionVersion,
		"extension_types": []any{"property-extension"},
	}
}

// HubIdentity returns the identity object of the hub itself, the author of
// the extension definition and of classification notes.
func HubIdentity() map[string]any {
	return map[string]any{
		"type": "identity", "spec_version": SpecVersion, "id": HubIdentityID,
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
		"name": "Kakehashi hub", "identity_class": "system", "sectors": []any{"communications"},
	}
}
