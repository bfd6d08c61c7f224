package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
	"github.com/kakehashi-hub/kakehashi/crypto/token"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
	"github.com/kakehashi-hub/kakehashi/store/sqlite"
)

// Files of the data directory.
const (
	dbFile         = "kakehashi.db"
	jwtKeyFile     = "hub-jwt-key.json"
	hubPGPSecret   = "hub-pgp-secret.asc"
	hubPGPPublic   = "hub-pgp-public.asc"
	demoTokensFile = "demo-tokens.json"
	demoKeysDir    = "demo-keys"
)

// hub is an opened data directory: registry, database and keys.
type hub struct {
	cfg         Config
	registry    *sharing.Registry
	db          *sqlite.DB
	signer      *token.Signer
	intake      *sharing.Intake
	obligations *sharing.Obligations
	reports     *sharing.Reports
}

// openHub opens the data directory, creating the hub's keys on first use.
func openHub(ctx context.Context, cfg Config) (*hub, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	reg, err := sharing.LoadRegistry(cfg.RegistryPath())
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no registry at %s: write one (see docs/operator-guide.md) or start with --demo", cfg.RegistryPath())
		}
		return nil, err
	}
	keyJSON, err := token.LoadOrCreateKey(filepath.Join(cfg.DataDir, jwtKeyFile))
	if err != nil {
		return nil, err
	}
	signer, err := token.NewSigner(keyJSON)
	if err != nil {
		return nil, err
	}
	if err := ensureHubPGPKey(cfg.DataDir); err != nil {
		return nil, err
	}
	db, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, dbFile))
	if err != nil {
		return nil, err
	}
	rules, err := reporting.RuleSetByName(cfg.Rules)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("rules: %w", err)
	}
	lim := stix.DefaultLimits()
	lim.MaxObjects = cfg.MaxObjects
	h := &hub{cfg: cfg, registry: reg, db: db, signer: signer,
		intake: &sharing.Intake{Store: db, Registry: reg, Limits: lim, Rules: rules, Now: time.Now}}
	h.obligations = &sharing.Obligations{Store: db, Now: time.Now, Serialize: h.intake.Locker()}
	h.reports = &sharing.Reports{Store: db, Registry: reg, Rules: rules, Now: time.Now}
	if cfg.STIXSchemas != "" {
		sv, err := stix.NewSchemaValidator(cfg.STIXSchemas)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("strict mode (--stix-schemas): %w", err)
		}
		h.intake.Strict = sv
	}
	return h, nil
}

func (h *hub) Close() error { return h.db.Close() }

// ensureHubPGPKey creates the hub's own OpenPGP key pair on first start.
func ensureHubPGPKey(dir string) error {
	sec := filepath.Join(dir, hubPGPSecret)
	if _, err := os.Stat(sec); err == nil {
		return nil
	}
	kp, err := pgp.GenerateKeyPair("Kakehashi hub", "hub@kakehashi.invalid")
	if err != nil {
		return err
	}
	if err := os.WriteFile(sec, []byte(kp.Secret), 0o600); err != nil {
		return fmt.Errorf("write hub openpgp key: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, hubPGPPublic), []byte(kp.Public), 0o644); err != nil {
		return fmt.Errorf("write hub openpgp public key: %w", err)
	}
	return nil
}

// issueToken signs a token for org and records the issuance in the audit log.
func (h *hub) issueToken(ctx context.Context, orgID string, ttl time.Duration, actor string) (string, token.Claims, error) {
	org, err := h.registry.FindOrganizationByID(orgID)
	if err != nil {
		return "", token.Claims{}, fmt.Errorf("no organization %q in the registry %s", orgID, h.cfg.RegistryPath())
	}
	raw, c, err := h.signer.Issue(org.ID, string(org.Role), ttl)
	if err != nil {
		return "", token.Claims{}, err
	}
	err = h.db.AppendAudit(ctx, sharing.AuditEvent{Actor: actor, Action: sharing.AuditTokenIssue, Subject: c.ID,
		Detail: map[string]any{"org": org.ID, "role": string(org.Role), "expires": c.Expiry.UTC().Format(time.RFC3339)}})
	if err != nil {
		return "", token.Claims{}, err
	}
	return raw, c, nil
}
