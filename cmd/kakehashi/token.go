package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

func cmdToken(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		return usageError(e, errors.New("token needs a subcommand: issue or revoke"))
	}
	fs := newFlagSet("token "+args[0], e)
	build := configFlags(fs, e)
	var org *string
	var ttl *time.Duration
	var basic *bool
	switch args[0] {
	case "issue":
		org = fs.String("org", "", "organization id from the registry")
		ttl = fs.Duration("ttl", 0, "lifetime, e.g. 24h or 720h; at most max_token_ttl (default 90 days); default 24h for a token, max_token_ttl for an API key")
		basic = fs.Bool("basic", false, "issue an API key for HTTP Basic (user: the organization id) instead of a token")
	case "revoke":
	default:
		return usageError(e, fmt.Errorf("unknown token subcommand %q; use issue or revoke", args[0]))
	}
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return usageError(e, err)
	}
	h, err := openFromFlags(ctx, build)
	if err != nil {
		return usageError(e, err)
	}
	defer h.Close()
	if args[0] == "issue" {
		if len(pos) != 0 || *org == "" {
			return usageError(e, errors.New("usage: kakehashi token issue --org ID [--ttl DURATION | --basic] [--data DIR]"))
		}
		life := *ttl
		switch {
		case life < 0:
			return usageError(e, fmt.Errorf("--ttl %s must be positive", life))
		case life > h.cfg.MaxTokenTTL:
			return usageError(e, fmt.Errorf("--ttl %s is longer than max_token_ttl %s; issue a shorter one and renew it", life, h.cfg.MaxTokenTTL))
		case life == 0 && *basic:
			life = h.cfg.MaxTokenTTL
		case life == 0:
			life = 24 * time.Hour
		}
		if *basic {
			return issueAPIKey(ctx, h, *org, life, e)
		}
		raw, c, err := h.issueToken(ctx, *org, life, "operator")
		if err != nil {
			return usageError(e, err)
		}
		fmt.Fprintln(e.stdout, raw)
		fmt.Fprintf(e.stderr, "issued token %s for %s, expires %s\n", c.ID, c.Org, c.Expiry.UTC().Format(time.RFC3339))
		return exitOK
	}
	if len(pos) != 1 {
		return usageError(e, errors.New("usage: kakehashi token revoke [--data DIR] JTI"))
	}
	if sharing.IsAPIKeyID(pos[0]) {
		if err := h.db.RevokeAPIKey(ctx, pos[0], time.Now(), sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenRevoke, Subject: pos[0],
			Detail: map[string]any{"kind": "api-key"}}); err != nil {
			return usageError(e, err)
		}
		fmt.Fprintf(e.stderr, "revoked api key %s\n", pos[0])
		return exitOK
	}
	if err := h.db.RevokeToken(ctx, pos[0], sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenRevoke, Subject: pos[0]}); err != nil {
		return usageError(e, err)
	}
	fmt.Fprintf(e.stderr, "revoked token %s\n", pos[0])
	return exitOK
}

// issueAPIKey makes an HTTP Basic API key for org (docs/taxii.md): the key
// goes to stdout once, its id (for `token revoke`) to stderr; only its
// SHA-256 is stored.
func issueAPIKey(ctx context.Context, h *hub, orgID string, ttl time.Duration, e env) int {
	org, err := h.registry.FindOrganizationByID(orgID)
	if err != nil {
		return usageError(e, fmt.Errorf("no organization %q in the registry %s", orgID, h.cfg.RegistryPath()))
	}
	k, secret, err := sharing.NewAPIKey(org.ID, time.Now(), ttl)
	if err != nil {
		return usageError(e, err)
	}
	if err := h.db.CreateAPIKey(ctx, k, sharing.AuditEvent{Actor: "operator", Action: sharing.AuditTokenIssue, Subject: k.ID,
		Detail: map[string]any{"org": org.ID, "role": string(org.Role), "kind": "api-key"}}); err != nil {
		return usageError(e, err)
	}
	fmt.Fprintln(e.stdout, secret)
	fmt.Fprintf(e.stderr, "issued api key %s for %s, expires %s: HTTP Basic with user %q and the key above as password; it is shown only now\n",
		k.ID, org.ID, k.ExpiresAt.Format(time.RFC3339), org.ID)
	return exitOK
}

func cmdAudit(ctx context.Context, args []string, e env) int {
	if len(args) == 0 || args[0] != "verify" {
		return usageError(e, errors.New("usage: kakehashi audit verify [--data DIR] [--checkpoint FILE]"))
	}
	fs := newFlagSet("audit verify", e)
	build := configFlags(fs, e)
	kept := fs.String("checkpoint", "", "a checkpoint saved earlier (GET /api/v1/audit/checkpoint) to verify the log against, besides those the hub keeps")
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return usageError(e, err)
	}
	h, err := openFromFlags(ctx, build)
	if err != nil {
		return usageError(e, err)
	}
	defer h.Close()
	var anchors []sharing.AuditCheckpoint
	for _, p := range []string{filepath.Join(h.cfg.DataDir, auditCheckpointFile), *kept} {
		if p == "" {
			continue
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) && p != *kept {
			continue // a hub that never ran has no checkpoint file yet
		}
		if err != nil {
			return usageError(e, fmt.Errorf("read checkpoint: %w", err))
		}
		var cp sharing.AuditCheckpoint
		if err := json.Unmarshal(b, &cp); err != nil || cp.Signature == "" {
			return usageError(e, fmt.Errorf("%s is not a checkpoint of GET /api/v1/audit/checkpoint", p))
		}
		anchors = append(anchors, cp)
	}
	r, err := h.auditor.Verify(ctx, anchors)
	if err != nil {
		return usageError(e, err)
	}
	if r.Break != nil {
		if r.Break.Seq > 0 {
			fmt.Fprintf(e.stdout, "audit log BROKEN at entry %d: %s\n", r.Break.Seq, r.Break.Reason)
		} else {
			fmt.Fprintf(e.stdout, "audit log BROKEN: %s\n", r.Break.Reason)
		}
		return exitBroken
	}
	fmt.Fprintf(e.stdout, "audit log intact: %d entries, %d signed checkpoints, %d channel entries match their audited releases\n", r.Entries, r.Checkpoints, r.Channel)
	if r.Legacy > 0 {
		fmt.Fprintf(e.stdout, "  %d channel entries were released before releases recorded their recipients and are not checked\n", r.Legacy)
	}
	return exitOK
}
