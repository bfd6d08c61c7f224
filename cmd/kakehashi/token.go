package main

import (
	"context"
	"errors"
	"fmt"
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
		issue := h.credentials.Issue
		if *basic {
			issue = h.credentials.IssueAPIKey
		}
		c, err := issue(ctx, sharing.CommandLine, *org, *ttl)
		if err != nil {
			return usageError(e, err)
		}
		fmt.Fprintln(e.stdout, c.Secret)
		if *basic {
			fmt.Fprintf(e.stderr, "issued api key %s for %s, expires %s: HTTP Basic with user %q and the key above as password; it is shown only now\n",
				c.ID, c.Organization, c.ExpiresAt.Format(time.RFC3339), c.Organization)
		} else {
			fmt.Fprintf(e.stderr, "issued token %s for %s, expires %s\n", c.ID, c.Organization, c.ExpiresAt.Format(time.RFC3339))
		}
		return exitOK
	}
	if len(pos) != 1 {
		return usageError(e, errors.New("usage: kakehashi token revoke [--data DIR] JTI"))
	}
	c, err := h.credentials.Revoke(ctx, sharing.CommandLine, pos[0])
	if err != nil {
		return usageError(e, err)
	}
	if c.Kind == sharing.CredentialAPIKey {
		fmt.Fprintf(e.stderr, "revoked api key %s\n", c.ID)
	} else {
		fmt.Fprintf(e.stderr, "revoked token %s\n", c.ID)
	}
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
	anchors, err := h.auditAnchors(*kept)
	if err != nil {
		return usageError(e, err)
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
