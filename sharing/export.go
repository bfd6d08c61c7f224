package sharing

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/crypto/pgp"
)

// Exports produce a channel's content for one reader as a STIX bundle,
// optionally as an OpenPGP message signed by the hub and encrypted to the
// reader's organization (SHARING.md §5), for the API and `kakehashi export`.
type Exports struct {
	Store  Store
	Keys   *Keys
	HubKey *pgp.SecretKey
}

// ExportRequest says what to export for whom. Reader nil is the anonymous
// public reader.
type ExportRequest struct {
	Reader     *Organization
	Channel    Channel
	AddedAfter time.Time
	Sign       bool
	Encrypt    bool // implies Sign
}

// Export is one produced export.
type Export struct {
	Body        []byte
	ContentType string
	Objects     int
	LastAdded   time.Time // date added of the newest entry; zero when empty
}

// Export reads the channel as the reader may see it: the latest released
// version of each object. A channel outside the reader's audience does not
// exist for it (ErrNotFound); the public channel needs no reader. Every
// export is audited.
func (x *Exports) Export(ctx context.Context, req ExportRequest) (Export, error) {
	ch := req.Channel
	if _, err := ParseChannel(string(ch)); err != nil || ch == ChannelIntake {
		return Export{}, fmt.Errorf("no such channel %q: %w", ch, ErrNotFound)
	}
	reader := ""
	switch {
	case req.Reader != nil:
		reader = req.Reader.ID
		if !ch.InAudience(req.Reader) {
			return Export{}, fmt.Errorf("channel %s is not visible to %s: %w", ch, reader, ErrNotFound)
		}
	case ch != ChannelPublic:
		return Export{}, fmt.Errorf("reading %s needs a token: %w", ch, ErrUnauthorized)
	case req.Encrypt:
		return Export{}, fmt.Errorf("encrypt needs a token: the export is encrypted to your organization's key: %w", ErrInvalidArgument)
	}
	entries, err := x.Store.FindChannelEntries(ctx, ChannelFilter{Channel: ch, Reader: reader, AddedAfter: req.AddedAfter})
	if err != nil {
		return Export{}, err
	}
	actor := req.Reader.Actor() // "anonymous" for nil
	if err := x.Store.AppendAudit(ctx, AuditEvent{Actor: actor, Action: AuditChannelRead, Subject: string(ch),
		Detail: map[string]any{"objects": len(entries), "via": "export", "signed": req.Sign || req.Encrypt, "encrypted": req.Encrypt}}); err != nil {
		return Export{}, err
	}
	body, err := entriesBundle("bundle--"+uuid.NewString(), entries)
	if err != nil {
		return Export{}, err
	}
	out := Export{Body: body, ContentType: "application/stix+json;version=2.1", Objects: len(entries)}
	if len(entries) > 0 {
		out.LastAdded = entries[len(entries)-1].DateAdded
	}
	if !req.Sign && !req.Encrypt {
		return out, nil
	}
	var msg bytes.Buffer
	if req.Encrypt {
		key, err := x.Keys.KeyOf(ctx, reader)
		if err != nil {
			return Export{}, err
		}
		if err := pgp.SignAndEncrypt(&msg, bytes.NewReader(out.Body), x.HubKey, []*pgp.PublicKey{key}, true); err != nil {
			return Export{}, fmt.Errorf("encrypt export: %w", err)
		}
		out.ContentType = "application/pgp-encrypted"
	} else {
		if err := pgp.SignMessage(&msg, bytes.NewReader(out.Body), x.HubKey, true); err != nil {
			return Export{}, fmt.Errorf("sign export: %w", err)
		}
		out.ContentType = "application/pgp-signature"
	}
	out.Body = msg.Bytes()
	return out, nil
}
