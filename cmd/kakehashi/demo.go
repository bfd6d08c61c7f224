package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// demoTokenTTL is how long demo tokens live; they are re-issued at start when
// less than a day remains.
const demoTokenTTL = 90 * 24 * time.Hour

// demoIssuer is who issues the demo tokens: the audit log names it "demo".
var demoIssuer = &sharing.Organization{ID: "demo", Role: sharing.RoleAdmin}

func i64(n int64) *int64 { return &n }

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// demoOrganizations is the demo world of INTERFACES.md §3. Identities are fixed
// so that example bundles and tests can name them.
func demoOrganizations() []*sharing.Organization {
	return []*sharing.Organization{
		{ID: "carrier-a", Role: sharing.RoleCarrier, Identity: "identity--6d0bd1b6-5a1c-4c7e-9a53-6f1b1d9c2b11",
			Name: "Sakura Telecom", Aliases: []string{"さくらテレコム株式会社", "さくらテレコム", "Sakura Telecom Inc.", "SKT"},
			Domains: []string{"sakura-telecom.example"}, Networks: prefixes("203.0.113.0/24", "2001:db8:100::/48"), ASNs: []int64{64500},
			Contacts:                    []sharing.Contact{{Name: "山田 太郎", Email: "yamada@sakura-telecom.example", Phone: "03-1234-5678"}},
			DesignatedPublicInstitution: true, UsersAtFYEnd: i64(40_000_000), ISACMember: true, DefaultTLP: stix.TLPAmber},
		{ID: "carrier-b", Role: sharing.RoleCarrier, Identity: "identity--2f4c8a3e-7b1d-4e6f-9a2c-5d8e1f3b7a90",
			Name: "Kaede Networks", Aliases: []string{"かえでネットワークス株式会社", "かえでネットワークス", "Kaede Networks Co., Ltd."},
			Domains: []string{"kaede-net.example"}, Networks: prefixes("198.51.100.0/24", "2001:db8:200::/48"), ASNs: []int64{64501},
			Contacts:     []sharing.Contact{{Name: "佐藤 花子", Email: "sato@kaede-net.example", Phone: "06-2345-6789"}},
			UsersAtFYEnd: i64(60_000), ISACMember: true, DefaultTLP: stix.TLPAmber},
		{ID: "carrier-c", Role: sharing.RoleCarrier, Identity: "identity--8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d",
			Name: "Tsubaki Mobile", Aliases: []string{"つばきモバイル株式会社", "つばきモバイル", "Tsubaki Mobile Inc."},
			Domains: []string{"tsubaki-mobile.example"}, Networks: prefixes("192.0.2.0/25", "2001:db8:300::/48"), ASNs: []int64{64502},
			Contacts:     []sharing.Contact{{Name: "鈴木 一郎", Email: "suzuki@tsubaki-mobile.example", Phone: "+81-3-9876-5432"}},
			UsersAtFYEnd: i64(20_000), ISACMember: true, DefaultTLP: stix.TLPAmber},
		{ID: "ict-isac", Role: sharing.RoleISAC, Identity: "identity--4b3a2c1d-0e9f-4a8b-b7c6-d5e4f3a2b1c0", Name: "ICT-ISAC Japan",
			Aliases: []string{"一般社団法人ICT-ISAC", "T-CEPTOAR"}, Domains: []string{"ict-isac.example"}},
		{ID: "nisc", Role: sharing.RoleNISC, Identity: "identity--5c4b3a2d-1f0e-4b9a-a8d7-e6f5a4b3c2d1", Name: "National Cybersecurity Office",
			Aliases: []string{"国家サイバー統括室", "NISC"}, Domains: []string{"nisc.example"}},
		{ID: "mic", Role: sharing.RoleRegulator, Identity: "identity--6d5c4b3e-2a1f-4cab-99e8-f7a6b5c4d3e2", Name: "Ministry of Internal Affairs and Communications",
			Aliases: []string{"総務省", "MIC"}, Domains: []string{"mic.example"}},
		{ID: "cabinet-office", Role: sharing.RoleDisasterAuthority, Identity: "identity--7e6d5c4f-3b2a-4dbc-8af9-a8b7c6d5e4f3", Name: "Cabinet Office (Disaster Management)",
			Aliases: []string{"内閣府防災"}, Domains: []string{"cao.example"}},
		{ID: "finance-isac", Role: sharing.RoleMember, Identity: "identity--8f7e6d5a-4c3b-4ecd-9b0a-b9c8d7e6f5a4", Name: "Financials ISAC Japan",
			Aliases: []string{"金融ISAC"}, Domains: []string{"f-isac.example"}},
		{ID: "hub-admin", Role: sharing.RoleAdmin, Identity: "identity--9a8f7e6b-5d4c-4fde-8c1b-cad9e8f7a6b5", Name: "Kakehashi operators",
			Domains: []string{"kakehashi-ops.example"}},
	}
}

// ensureDemoWorld creates the demo registry and the organizations' OpenPGP key
// pairs in dir unless a registry is already there (then it is reused as is).
func ensureDemoWorld(dir string) (created bool, err error) {
	regPath := filepath.Join(dir, "registry.yaml")
	if _, err := os.Stat(regPath); err == nil {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, demoKeysDir), 0o700); err != nil {
		return false, fmt.Errorf("create demo-keys: %w", err)
	}
	orgs := demoOrganizations()
	for _, o := range orgs {
		kp, err := pgp.GenerateKeyPair(o.Name, o.ID+"@demo.kakehashi.invalid")
		if err != nil {
			return false, err
		}
		o.PGPPublicKey = kp.Public
		if err := os.WriteFile(filepath.Join(dir, demoKeysDir, o.ID+".asc"), []byte(kp.Secret), 0o600); err != nil {
			return false, fmt.Errorf("write demo key of %s: %w", o.ID, err)
		}
	}
	if _, err := sharing.NewRegistry(orgs); err != nil {
		return false, fmt.Errorf("demo registry: %w", err)
	}
	y, err := sharing.MarshalRegistry(orgs)
	if err != nil {
		return false, fmt.Errorf("encode demo registry: %w", err)
	}
	head := "# Kakehashi demo world (INTERFACES.md §3). Generated by `kakehashi serve --demo`; edit freely.\n"
	if err := os.WriteFile(regPath, append([]byte(head), y...), 0o600); err != nil {
		return false, fmt.Errorf("write demo registry: %w", err)
	}
	return true, nil
}

// ensureDemoTokensMap is ensureDemoTokens returning the tokens by organization.
func (h *hub) ensureDemoTokensMap(ctx context.Context) (map[string]string, error) {
	path, err := h.ensureDemoTokens(ctx)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read demo tokens: %w", err)
	}
	tokens := map[string]string{}
	if err := json.Unmarshal(b, &tokens); err != nil {
		return nil, fmt.Errorf("decode demo tokens: %w", err)
	}
	return tokens, nil
}

// ensureDemoTokens makes demo-tokens.json hold a valid token for every
// organization, keeping the ones that still verify for at least a day.
func (h *hub) ensureDemoTokens(ctx context.Context) (string, error) {
	path := filepath.Join(h.cfg.DataDir, demoTokensFile)
	tokens := map[string]string{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &tokens); err != nil {
			return "", fmt.Errorf("%s is not a JSON object of tokens: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read demo tokens: %w", err)
	}
	changed := false
	for _, o := range h.registry.Organizations() {
		if raw, ok := tokens[o.ID]; ok {
			c, err := h.signer.Verify(raw)
			if err == nil && c.Org == o.ID && time.Until(c.Expiry) > 24*time.Hour {
				if revoked, err := h.db.IsTokenRevoked(ctx, c.ID); err == nil && !revoked {
					continue
				}
			}
		}
		c, err := h.credentials.Issue(ctx, demoIssuer, o.ID, min(demoTokenTTL, h.credentials.MaxTTLOrDefault()))
		if err != nil {
			return "", err
		}
		tokens[o.ID] = c.Secret
		changed = true
	}
	if changed {
		b, err := json.MarshalIndent(tokens, "", "  ")
		if err != nil {
			return "", fmt.Errorf("encode demo tokens: %w", err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return "", fmt.Errorf("write demo tokens: %w", err)
		}
	}
	return path, nil
}
