package sharing

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kakehashi-hub/kakehashi/anonymize"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Registry is the set of organizations the hub knows (INTERFACES.md §2). It is
// immutable once loaded; lookups are safe for concurrent use.
type Registry struct {
	orgs       []*Organization
	byID       map[string]*Organization
	byIdentity map[string]*Organization
}

// Organizations returns the organizations in file order.
func (r *Registry) Organizations() []*Organization { return r.orgs }

// FindOrganizationByID returns the organization with that id, or ErrNotFound.
func (r *Registry) FindOrganizationByID(id string) (*Organization, error) {
	if o, ok := r.byID[id]; ok {
		return o, nil
	}
	return nil, fmt.Errorf("organization %q: %w", id, ErrNotFound)
}

// FindOrganizationByIdentity returns the organization whose STIX identity is id, or ErrNotFound.
func (r *Registry) FindOrganizationByIdentity(id string) (*Organization, error) {
	if o, ok := r.byIdentity[id]; ok {
		return o, nil
	}
	return nil, fmt.Errorf("organization with identity %q: %w", id, ErrNotFound)
}

// NewRegistry checks a set of organizations together (unique ids and
// identities) and indexes them.
func NewRegistry(orgs []*Organization) (*Registry, error) {
	r := &Registry{orgs: orgs, byID: map[string]*Organization{}, byIdentity: map[string]*Organization{}}
	for _, o := range orgs {
		if err := o.Validate(); err != nil {
			return nil, err
		}
		if _, dup := r.byID[o.ID]; dup {
			return nil, fmt.Errorf("organization id %q appears twice", o.ID)
		}
		if other, dup := r.byIdentity[o.Identity]; dup {
			return nil, fmt.Errorf("organizations %s and %s share the identity %s; each needs its own", other.ID, o.ID, o.Identity)
		}
		r.byID[o.ID] = o
		r.byIdentity[o.Identity] = o
	}
	return r, nil
}

// registryFile and orgFile are the YAML shapes of INTERFACES.md §2.
type registryFile struct {
	Organizations []orgFile `yaml:"organizations"`
}

type orgFile struct {
	ID                          string       `yaml:"id"`
	Role                        string       `yaml:"role"`
	Identity                    string       `yaml:"identity"`
	Name                        string       `yaml:"name"`
	Aliases                     []string     `yaml:"aliases,omitempty"`
	Domains                     []string     `yaml:"domains,omitempty"`
	Networks                    []string     `yaml:"networks,omitempty"`
	ASNs                        []int64      `yaml:"asns,omitempty"`
	Contacts                    []Contact    `yaml:"contacts,omitempty"`
	DesignatedPublicInstitution bool         `yaml:"designated_public_institution,omitempty"`
	UsersAtFYEnd                *int64       `yaml:"users_at_fy_end,omitempty"`
	ISACMember                  bool         `yaml:"isac_member,omitempty"`
	DefaultTLP                  string       `yaml:"default_tlp,omitempty"`
	HoldForReview               bool         `yaml:"hold_for_review,omitempty"`
	PGPPublicKeyFile            string       `yaml:"pgp_public_key_file,omitempty"`
	PGPPublicKey                string       `yaml:"pgp_public_key,omitempty"`
	Webhook                     *webhookFile `yaml:"webhook,omitempty"`
}

var (
	topKeys     = []string{"organizations"}
	orgKeys     = []string{"id", "role", "identity", "name", "aliases", "domains", "networks", "asns", "contacts", "designated_public_institution", "users_at_fy_end", "isac_member", "default_tlp", "hold_for_review", "pgp_public_key_file", "pgp_public_key", "webhook"}
	contactKeys = []string{"name", "email", "phone"}
)

// LoadRegistry reads and checks a registry file. Relative pgp_public_key_file
// paths are resolved against the file's directory.
func LoadRegistry(path string) (*Registry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read registry: %w", err)
	}
	r, err := ParseRegistry(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", path, err)
	}
	return r, nil
}

// ParseRegistry parses registry YAML. Unknown keys are errors naming the key
// and its line, so that a typo never silently drops a fact.
func ParseRegistry(data []byte, dir string) (*Registry, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not valid YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, errors.New("the file is empty; it needs an organizations: list")
	}
	if err := checkKeys(root.Content[0]); err != nil {
		return nil, err
	}
	var f registryFile
	if err := root.Content[0].Decode(&f); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if len(f.Organizations) == 0 {
		return nil, errors.New("organizations: the list is empty")
	}
	orgs := make([]*Organization, 0, len(f.Organizations))
	for i, of := range f.Organizations {
		o, err := of.organization(dir)
		if err != nil {
			return nil, fmt.Errorf("organizations[%d] (%s): %w", i, of.ID, err)
		}
		orgs = append(orgs, o)
	}
	return NewRegistry(orgs)
}

func (of orgFile) organization(dir string) (*Organization, error) {
	o := &Organization{
		ID: of.ID, Role: Role(of.Role), Identity: of.Identity, Name: of.Name, Aliases: of.Aliases,
		Domains: of.Domains, ASNs: of.ASNs, Contacts: of.Contacts,
		DesignatedPublicInstitution: of.DesignatedPublicInstitution, UsersAtFYEnd: of.UsersAtFYEnd,
		ISACMember: of.ISACMember, PGPPublicKey: of.PGPPublicKey, HoldForReview: of.HoldForReview,
	}
	for _, n := range of.Networks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			return nil, fmt.Errorf("networks: %q is not a CIDR prefix such as 203.0.113.0/24", n)
		}
		o.Networks = append(o.Networks, p.Masked())
	}
	for _, d := range of.Domains {
		if d == "" || strings.ContainsAny(d, " /@") {
			return nil, fmt.Errorf("domains: %q is not a domain name", d)
		}
	}
	if of.DefaultTLP != "" {
		t, err := stix.ParseTLP(of.DefaultTLP)
		if err != nil {
			return nil, fmt.Errorf("default_tlp: %w", err)
		}
		o.DefaultTLP = t
	}
	if of.PGPPublicKeyFile != "" {
		if of.PGPPublicKey != "" {
			return nil, errors.New("give either pgp_public_key or pgp_public_key_file, not both")
		}
		p := of.PGPPublicKeyFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		key, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("pgp_public_key_file: %w", err)
		}
		o.PGPPublicKey = string(key)
	}
	// Leading whitespace means nothing to a key block (crypto/pgp drops it),
	// and YAML cannot write back every string that starts with a line break
	// (FuzzParseRegistry): the registry keeps the key without it.
	o.PGPPublicKey = strings.TrimLeft(o.PGPPublicKey, " \t\r\n")
	if of.Webhook != nil {
		w, err := of.Webhook.webhook(dir)
		if err != nil {
			return nil, err
		}
		o.Webhook = w
	}
	return o, nil
}

// checkKeys walks the YAML tree and refuses keys the format does not define.
func checkKeys(doc *yaml.Node) error {
	if doc.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: the registry must be a mapping with an organizations: list", doc.Line)
	}
	if err := knownKeys(doc, topKeys, "the top level"); err != nil {
		return err
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		list := doc.Content[i+1]
		if list.Kind != yaml.SequenceNode {
			return fmt.Errorf("line %d: organizations must be a list", list.Line)
		}
		for _, org := range list.Content {
			if org.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: each organization must be a mapping of keys", org.Line)
			}
			if err := knownKeys(org, orgKeys, "an organization"); err != nil {
				return err
			}
			for j := 0; j+1 < len(org.Content); j += 2 {
				if org.Content[j].Value == "webhook" && org.Content[j+1].Kind == yaml.MappingNode {
					if err := knownKeys(org.Content[j+1], webhookKeys, "a webhook"); err != nil {
						return err
					}
				}
				if org.Content[j].Value != "contacts" {
					continue
				}
				for _, c := range org.Content[j+1].Content {
					if c.Kind == yaml.MappingNode {
						if err := knownKeys(c, contactKeys, "a contact"); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}

func knownKeys(m *yaml.Node, allowed []string, where string) error {
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		if !slices.Contains(allowed, k.Value) {
			return fmt.Errorf("line %d: unknown key %q in %s; known keys are %s", k.Line, k.Value, where, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// MarshalRegistry renders organizations in the registry file format.
func MarshalRegistry(orgs []*Organization) ([]byte, error) {
	f := registryFile{}
	for _, o := range orgs {
		of := orgFile{
			ID: o.ID, Role: string(o.Role), Identity: o.Identity, Name: o.Name, Aliases: o.Aliases,
			Domains: o.Domains, ASNs: o.ASNs, Contacts: o.Contacts,
			DesignatedPublicInstitution: o.DesignatedPublicInstitution, UsersAtFYEnd: o.UsersAtFYEnd,
			ISACMember: o.ISACMember, PGPPublicKey: o.PGPPublicKey, HoldForReview: o.HoldForReview,
		}
		if o.Webhook != nil {
			of.Webhook = &webhookFile{URL: o.Webhook.URL, SecretFile: o.Webhook.SecretFile}
		}
		for _, n := range o.Networks {
			of.Networks = append(of.Networks, n.String())
		}
		if o.DefaultTLP != 0 {
			of.DefaultTLP = o.DefaultTLP.String()
		}
		f.Organizations = append(f.Organizations, of)
	}
	return yaml.Marshal(f)
}

// Parties returns what the anonymizer must scrub of every organization: all
// names, domains, networks, ASNs and contacts of the registry (SHARING.md §4).
func (r *Registry) Parties() []anonymize.Party {
	out := make([]anonymize.Party, 0, len(r.orgs))
	for _, o := range r.orgs {
		p := anonymize.Party{ID: o.ID, Identity: o.Identity, Names: append([]string{o.Name}, o.Aliases...),
			Domains: o.Domains, Networks: o.Networks, ASNs: o.ASNs}
		for _, c := range o.Contacts {
			p.Contacts = append(p.Contacts, anonymize.Contact(c))
		}
		out = append(out, p)
	}
	return out
}
