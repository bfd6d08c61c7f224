package sharing

import (
	"context"
	"fmt"
	"sync"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Ownership (SHARING.md §1). Every stored object belongs to the organization
// that first submitted it; only the owner adds versions of it. Two families of
// ids are handled differently:
//
//   - SCOs (STIX 2.1 §2.9: the id is a UUIDv5 of the object's value) and
//     marking definitions (immutable, §7.2: no versions) are kept per
//     submitter: two carriers reporting the same e-mail address each store
//     and own their own, and neither can learn from the answer that the
//     other did. They have no later versions, so nobody can replace or
//     revoke another's.
//   - Every other id — SDOs and SROs, whatever their UUID version — is
//     claimed hub-wide by its first submitter. Another organization that
//     submits a version of it is refused with one fixed answer that depends
//     neither on the stored content nor on who owns it. A claimed id cannot
//     be shared: in a channel a later version replaces or revokes the
//     earlier one, so a second owner would rewrite the first's object for
//     every reader. Random ids (UUIDv4, §2.9 SHOULD) can only be asked about
//     by someone who has seen them; deterministic SDO ids (UUIDv5, as some
//     platforms make them) tell a second submitter that the id is in use
//     (docs/threat-model.md).
//
// The registry's identities belong to the organizations they identify (each
// may describe itself; nobody may rename another); the hub's own identities,
// the telecom extension definition and the published statistics belong to the
// hub.

// attributedTypes are the SDOs that speak for an organization: their
// created_by_ref must be absent or the submitter's own identity.
var attributedTypes = map[string]bool{"incident": true, "note": true, "report": true, "grouping": true, "observed-data": true, "opinion": true}

// namespaced reports whether o's id is kept per submitter rather than claimed
// hub-wide.
func namespaced(o *stix.Object) bool {
	return stix.IsObservable(o.Type) || o.Type == "marking-definition"
}

// hubPublished are the hub's own objects that anyone may fetch and embed in a
// bundle (GET /api/v1/stix/extension-definition/telecom-incident.json): a
// byte-for-byte copy is accepted as a reference to them, anything else
// under their ids is a version the submitter does not own.
var hubPublished = sync.OnceValue(func() map[string][]byte {
	m := map[string][]byte{}
	for _, props := range []map[string]any{stix.HubIdentity(), stix.TelecomExtensionDefinition()} {
		if js, err := stix.Canonical(props); err == nil {
			m[props["id"].(string)] = js
		}
	}
	return m
})

// isPublishedCopy reports whether o is exactly one of the hub's published objects.
func isPublishedCopy(o *stix.Object) bool {
	want, ok := hubPublished()[o.ID]
	if !ok {
		return false
	}
	js, err := stix.Canonical(o.Props)
	return err == nil && string(js) == string(want)
}

// refusedVersion is the one answer to a version of an object the submitter
// does not own. It must not vary with the owner or the stored content: it is
// the same for an object of another carrier, of the hub or of the registry.
func refusedVersion(index int, id string) stix.Violation {
	return stix.Violation{Path: fmt.Sprintf("/objects/%d/id", index),
		Message: fmt.Sprintf("%s is not an object of your organization, so you cannot submit a version of it; give a new object a new random id (UUIDv4)", id)}
}

// reservedOwner returns the owner of ids the hub or the registry holds without
// their being stored: registry identities, the hub's identities and extension
// definition, and the ids of the quarterly statistics reports.
func reservedOwner(reg *Registry, id string) (string, bool) {
	switch id {
	case stix.HubIdentityID, stix.CEPTOARIdentityID, stix.TelecomExtensionID:
		return HubOrganization, true
	}
	if org, err := reg.FindOrganizationByIdentity(id); err == nil {
		return org.ID, true
	}
	if statisticsIDs()[id] {
		return HubOrganization, true
	}
	return "", false
}

// statisticsIDs are the report ids of the quarterly statistics of fiscal years
// 2000 to 2100, reserved to the hub so that nobody can publish under one first.
var statisticsIDs = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for fy := 2000; fy <= 2100; fy++ {
		for q := 1; q <= 4; q++ {
			m[statisticsReportID(reporting.Period{FiscalYear: fy, Index: q, Months: 3})] = true
		}
	}
	return m
})

// ownership is what intake learned about the ids of one submission.
type ownership struct {
	refused []stix.Violation
	claims  []string // ids this submission claims for its submitter
}

// checkOwnership decides, for every versioned object of objs, whether org may
// write it, with one query for the claimed ids. objs[i] is the object at
// bundle index idx[i].
func checkOwnership(ctx context.Context, store Store, reg *Registry, org *Organization, objs []*stix.Object, idx []int) (ownership, error) {
	var ids []string
	for _, o := range objs {
		if !namespaced(o) {
			ids = append(ids, o.ID)
		}
	}
	// The registry's and the hub's ids are never namespaced: a marking
	// definition or an SCO cannot carry them, but the rule is checked first
	// so that no exemption can shadow it.
	owners, err := store.FindObjectOwners(ctx, ids)
	if err != nil {
		return ownership{}, fmt.Errorf("find owners: %w", err)
	}
	var out ownership
	claimed := map[string]bool{}
	for i, o := range objs {
		owner, known := reservedOwner(reg, o.ID)
		if known && owner == HubOrganization && isPublishedCopy(o) {
			continue // the hub's own definition, embedded as published
		}
		if !known && namespaced(o) {
			continue
		}
		if !known {
			owner, known = owners[o.ID]
		}
		switch {
		case known && owner != org.ID:
			out.refused = append(out.refused, refusedVersion(idx[i], o.ID))
		case !known && !claimed[o.ID]:
			claimed[o.ID] = true
			out.claims = append(out.claims, o.ID)
		}
	}
	return out, nil
}
