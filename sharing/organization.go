package sharing

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Role is what an organization is to the hub (SHARING.md §1).
type Role string

// The roles of SHARING.md §1.
const (
	RoleCarrier           Role = "carrier"            // 電気通信事業者
	RoleISAC              Role = "isac"               // ICT-ISAC, T-CEPTOAR secretariat
	RoleNISC              Role = "nisc"               // 内閣サイバーセキュリティセンター (NCO since 2025)
	RoleRegulator         Role = "regulator"          // 総務省 (MIC)
	RoleDisasterAuthority Role = "disaster-authority" // 内閣府防災
	RoleMember            Role = "member"             // another sector's CEPTOAR or ISAC
	RoleAdmin             Role = "admin"              // the hub's operators
	RoleSensor            Role = "sensor"             // a machine that feeds outside sources (BGP, posts) only (issue #16)
)

// Roles lists every valid role.
var Roles = []Role{RoleCarrier, RoleISAC, RoleNISC, RoleRegulator, RoleDisasterAuthority, RoleMember, RoleAdmin, RoleSensor}

// Contact is a person at an organization; all of it is scrubbed from anonymized copies.
type Contact struct {
	Name  string `yaml:"name" json:"name"`
	Email string `yaml:"email" json:"email,omitempty"`
	Phone string `yaml:"phone" json:"phone,omitempty"`
}

// Organization is one entry of the registry (INTERFACES.md §2).
type Organization struct {
	ID                          string
	Role                        Role
	Identity                    string // STIX identity id
	Name                        string
	Aliases                     []string
	Domains                     []string
	Networks                    []netip.Prefix
	ASNs                        []int64
	Contacts                    []Contact
	DesignatedPublicInstitution bool   // 指定公共機関
	UsersAtFYEnd                *int64 // users at the end of the previous fiscal year; nil when unknown
	ISACMember                  bool
	DefaultTLP                  stix.TLP // 0 when the registry sets none
	HoldForReview               bool     // community copies wait for the submitter's release by default
	PGPPublicKey                string   // armored; from pgp_public_key or the file pgp_public_key_file names
	Webhook                     *Webhook // sector events pushed to the organization (INTERFACES §9); nil: none
	// Person is set on the per-request copy Users.Resume makes when a
	// console user acts; nil in the registry and for machine credentials.
	Person *Person
}

// EffectiveDefaultTLP is the TLP an unmarked object of this organization takes:
// its registry default, else AMBER+STRICT (PROFILE.md §2).
func (o *Organization) EffectiveDefaultTLP() stix.TLP {
	if o.DefaultTLP == 0 {
		return stix.TLPAmberStrict
	}
	return o.DefaultTLP
}

// ReportingFacts returns what the reporting rules need to know of the
// organization; these come from the registry, never from an incident.
func (o *Organization) ReportingFacts() reporting.Organization {
	return reporting.Organization{ID: o.ID, Name: o.Name, DesignatedPublicInstitution: o.DesignatedPublicInstitution, UsersAtFYEnd: o.UsersAtFYEnd}
}

var orgIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Validate checks one organization on its own; Registry.Validate checks them together.
func (o *Organization) Validate() error {
	if !orgIDPattern.MatchString(o.ID) {
		return fmt.Errorf("id %q must be a short id of lowercase letters, digits and hyphens", o.ID)
	}
	if !slices.Contains(Roles, o.Role) {
		return fmt.Errorf("organization %s: role %q is not one of carrier, isac, nisc, regulator, disaster-authority, member, admin, sensor", o.ID, o.Role)
	}
	if !stix.ValidID(o.Identity, "identity") {
		return fmt.Errorf("organization %s: identity %q must be a STIX identity id (identity--<uuid>)", o.ID, o.Identity)
	}
	if o.Name == "" {
		return fmt.Errorf("organization %s: name is required", o.ID)
	}
	if o.UsersAtFYEnd != nil && *o.UsersAtFYEnd < 0 {
		return fmt.Errorf("organization %s: users_at_fy_end must not be negative", o.ID)
	}
	return nil
}
