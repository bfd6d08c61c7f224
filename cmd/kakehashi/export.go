package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kakehashi-hub/kakehashi/sharing"
)

// cmdExport is `kakehashi export`: a channel's content for one organization,
// read from the data directory, optionally signed by the hub and encrypted to
// that organization (SHARING.md §5).
func cmdExport(ctx context.Context, args []string, e env) int {
	fs := newFlagSet("export", e)
	build := configFlags(fs, e)
	channel := fs.String("channel", "", "channel to export (required)")
	orgID := fs.String("org", "", "organization reading the channel (required except for public)")
	addedAfter := fs.String("added-after", "", "only what was added after this RFC 3339 time")
	sign := fs.Bool("sign", false, "sign the export with the hub's OpenPGP key")
	encrypt := fs.Bool("encrypt", false, "sign and encrypt the export to the organization's OpenPGP key")
	outPath := fs.String("out", "", "write to this file instead of standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	if len(pos) != 0 || *channel == "" {
		return usageError(e, errors.New("usage: kakehashi export --channel CHANNEL [--org ID] [--added-after TIME] [--sign] [--encrypt] [--data DIR]"))
	}
	h, err := openFromFlags(ctx, build)
	if err != nil {
		return usageError(e, err)
	}
	defer h.Close()
	req := sharing.ExportRequest{Channel: sharing.Channel(*channel), Sign: *sign, Encrypt: *encrypt}
	if *orgID != "" {
		if req.Reader, err = h.registry.FindOrganizationByID(*orgID); err != nil {
			return usageError(e, err)
		}
	}
	if *addedAfter != "" {
		if req.AddedAfter, err = time.Parse(time.RFC3339Nano, *addedAfter); err != nil {
			return usageError(e, fmt.Errorf("--added-after %q is not an RFC 3339 time", *addedAfter))
		}
	}
	out, err := h.exports.Export(ctx, req)
	if err != nil {
		return usageError(e, err)
	}
	if *outPath != "" {
		if err := os.WriteFile(*outPath, out.Body, 0o600); err != nil {
			return usageError(e, err)
		}
	} else if _, err := e.stdout.Write(out.Body); err != nil {
		return usageError(e, err)
	}
	fmt.Fprintf(e.stderr, "exported %d object(s) of %s as %s\n", out.Objects, req.Channel, out.ContentType)
	return exitOK
}
