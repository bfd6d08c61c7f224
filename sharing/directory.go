package sharing

import "fmt"

// Listing is what the operators' directory shows of an organization: its
// id, name and role — never its contacts, networks, domains or keys.
type Listing struct {
	ID   string
	Name string
	Role Role
}

// Directory returns the registry's organizations, in registry order, for
// the hub's operators only. Membership itself is confidential (SHARING.md
// §1), so nobody else gets the list.
func (r *Registry) Directory(caller *Organization) ([]Listing, error) {
	if !MayOperate(caller) {
		return nil, fmt.Errorf("the registry's organizations are for the hub's operators: %w", ErrForbidden)
	}
	out := make([]Listing, 0, len(r.orgs))
	for _, o := range r.orgs {
		out = append(out, Listing{ID: o.ID, Name: o.Name, Role: o.Role})
	}
	return out, nil
}
