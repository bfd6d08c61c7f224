package sharing

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakehashi-hub/kakehashi/stix"
)

const goodRegistry = `organizations:
  - id: carrier-a
    role: carrier
    identity: identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11
    name: Sakura Telecom
    aliases: ["さくらテレコム株式会社", "SKT"]
    domains: ["sakura-telecom.example"]
    networks: ["203.0.113.0/24", "2001:db8:100::/48"]
    asns: [64500]
    contacts:
      - {name: "山田 太郎", email: "yamada@sakura-telecom.example", phone: "03-1234-5678"}
    designated_public_institution: true
    users_at_fy_end: 40000000
    isac_member: true
    default_tlp: amber+strict
    pgp_public_key_file: keys/carrier-a.asc
  - id: mic
    role: regulator
    identity: identity--6d5c4b3e-2a1f-4cab-99e8-f7a6b5c4d3e2
    name: MIC
`

func TestParseRegistry(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "keys", "carrier-a.asc"), []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := ParseRegistry([]byte(goodRegistry), dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := r.FindOrganizationByID("carrier-a")
	if err != nil {
		t.Fatal(err)
	}
	if a.DefaultTLP != stix.TLPAmberStrict || *a.UsersAtFYEnd != 40000000 || !a.DesignatedPublicInstitution || len(a.Networks) != 2 ||
		a.Contacts[0].Phone != "03-1234-5678" || !strings.HasPrefix(a.PGPPublicKey, "-----BEGIN PGP") {
		t.Errorf("carrier-a parsed wrong: %+v", a)
	}
	if o, err := r.FindOrganizationByIdentity("identity--6d5c4b3e-2a1f-4cab-99e8-f7a6b5c4d3e2"); err != nil || o.ID != "mic" {
		t.Errorf("by identity: %v %v", o, err)
	}
	if m, _ := r.FindOrganizationByID("mic"); m.EffectiveDefaultTLP() != stix.TLPAmberStrict || m.UsersAtFYEnd != nil {
		t.Errorf("mic defaults wrong: %+v", m)
	}
	if _, err := r.FindOrganizationByID("nobody"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	// The file format round-trips.
	y, err := MarshalRegistry(r.Organizations())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRegistry(y, dir); err != nil {
		t.Errorf("marshalled registry does not parse: %v\n%s", err, y)
	}
}

func TestParseRegistryErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want string
	}{
		{"unknown organization key", func(s string) string {
			return strings.Replace(s, "    isac_member: true\n", "    isac_membr: true\n", 1)
		}, `line 14: unknown key "isac_membr"`},
		{"unknown top-level key", func(s string) string { return "version: 2\n" + s }, `line 1: unknown key "version"`},
		{"unknown contact key", func(s string) string { return strings.Replace(s, `phone: "03-1234-5678"`, `tel: "03"`, 1) }, `line 11: unknown key "tel" in a contact`},
		{"bad role", func(s string) string { return strings.Replace(s, "role: regulator", "role: ministry", 1) }, `role "ministry"`},
		{"bad identity", func(s string) string { return strings.Replace(s, "identity--6d5c4b3e", "identity--zz5c4b3e", 1) }, "must be a STIX identity id"},
		{"bad network", func(s string) string { return strings.Replace(s, "203.0.113.0/24", "203.0.113.0/33", 1) }, "not a CIDR prefix"},
		{"bad tlp", func(s string) string { return strings.Replace(s, "amber+strict", "orange", 1) }, "not a TLP level"},
		{"duplicate id", func(s string) string { return strings.Replace(s, "id: mic", "id: carrier-a", 1) }, "appears twice"},
		{"bad id", func(s string) string { return strings.Replace(s, "id: mic", "id: MIC_office", 1) }, "lowercase letters"},
		{"missing key file", func(s string) string { return strings.Replace(s, "carrier-a.asc", "nope.asc", 1) }, "pgp_public_key_file"},
		{"not yaml", func(string) string { return "organizations: [" }, "not valid YAML"},
	}
	dir := t.TempDir()
	_ = os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
	_ = os.WriteFile(filepath.Join(dir, "keys", "carrier-a.asc"), []byte("key"), 0o600)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRegistry([]byte(tc.edit(goodRegistry)), dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
