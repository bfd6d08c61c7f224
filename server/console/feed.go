package console

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/sharing"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Feeds (issue #13 item 4): the channels the signed-in organization may read,
// newest first. The TAXII service decides which channels and which entries;
// its reads are audited with the person (caller.Actor()).

const (
	feedPageDefault = 50
	feedPageMax     = 200
	// feedVersionPages bounds the reads for the incidents' timelines of one
	// page (each read is one TAXII page of feedVersionLimit versions).
	feedVersionPages = 10
	feedVersionLimit = 500
	feedVia          = "console"
)

// feedLink is one channel on GET /feeds.
type feedLink struct {
	Channel  string
	TAXIIURL string
}

// handleFeeds is GET /feeds: the channels the caller may read (SHARING.md §2).
func (c *Console) handleFeeds(ctx *fiber.Ctx) error {
	var links []feedLink
	for _, col := range c.cfg.TAXII.Feeds(callerOf(ctx)) {
		links = append(links, feedLink{Channel: string(col.Channel), TAXIIURL: taxiiObjectsURL(col)})
	}
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	return c.render(ctx, fiber.StatusOK, "feeds", page{Title: "feed.list.title", Nav: "feeds", Data: map[string]any{"Feeds": links}})
}

func taxiiObjectsURL(col sharing.Collection) string {
	return "/taxii2/hub/collections/" + col.ID + "/objects/"
}

// feed resolves a channel name the caller may read as a feed; any other
// name, the channels of other audiences included, is ErrNotFound.
func (c *Console) feed(caller *sharing.Organization, name string) (sharing.Collection, error) {
	for _, col := range c.cfg.TAXII.Feeds(caller) {
		if string(col.Channel) == name {
			return col, nil
		}
	}
	return sharing.Collection{}, fmt.Errorf("feed %q: %w", name, sharing.ErrNotFound)
}

// handleFeed is GET /feeds/{channel}?limit=…&next=…: one page of the channel,
// newest first, each incident with its versions in this channel.
func (c *Console) handleFeed(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	col, err := c.feed(caller, ctx.Params("channel"))
	if err != nil {
		return err
	}
	limit, err := feedLimit(ctx.Query("limit"))
	if err != nil {
		return err
	}
	var after *sharing.Cursor
	if v := ctx.Query("next"); v != "" {
		if after, err = c.openFeedCursor(v, col.Channel, caller.ID); err != nil {
			return err
		}
	}
	entries, more, err := c.cfg.TAXII.Read(ctx.UserContext(), caller, col,
		sharing.TAXIIQuery{Limit: limit, After: after, WithJSON: true, Newest: true}, feedVia)
	if err != nil {
		return err
	}
	items := make([]feedItem, 0, len(entries))
	var incidents []string
	for _, e := range entries {
		o, err := stix.DecodeObject(e.JSON)
		if err != nil {
			return fmt.Errorf("feed %s entry %d: %w", col.Channel, e.Seq, err)
		}
		items = append(items, summarize(o, sharing.FeedTLP(c.cfg.Registry, col.Channel, o), e.DateAdded))
		if o.Type == "incident" {
			incidents = append(incidents, o.ID)
		}
	}
	if len(incidents) > 0 {
		versions, err := c.feedVersions(ctx, caller, col, incidents)
		if err != nil {
			return err
		}
		for i := range items {
			if vs := versions[items[i].ID]; len(vs) > 0 {
				items[i].Versions = timeline(vs)
			}
		}
	}
	data := map[string]any{"Channel": string(col.Channel), "TAXIIURL": taxiiObjectsURL(col), "Items": items,
		"Limit": limit, "First": after == nil}
	if more {
		last := entries[len(entries)-1]
		data["Next"] = c.sealFeedCursor(col.Channel, caller.ID, sharing.Cursor{DateAdded: last.DateAdded, Seq: last.Seq})
	}
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	return c.render(ctx, fiber.StatusOK, "feed", page{Title: "feed.page.title", Nav: "feeds", Data: data})
}

// feedVersions reads every version of the incidents that the channel holds
// for the caller, through the same audited TAXII reads.
func (c *Console) feedVersions(ctx *fiber.Ctx, caller *sharing.Organization, col sharing.Collection, ids []string) (map[string][]*stix.Object, error) {
	out := map[string][]*stix.Object{}
	var after *sharing.Cursor
	for range feedVersionPages {
		entries, more, err := c.cfg.TAXII.Read(ctx.UserContext(), caller, col, sharing.TAXIIQuery{IDs: ids,
			Versions: sharing.VersionMatch{All: true}, Limit: feedVersionLimit, After: after, WithJSON: true}, feedVia)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			o, err := stix.DecodeObject(e.JSON)
			if err != nil {
				return nil, fmt.Errorf("feed %s entry %d: %w", col.Channel, e.Seq, err)
			}
			out[o.ID] = append(out[o.ID], o)
		}
		if !more {
			break
		}
		last := entries[len(entries)-1]
		after = &sharing.Cursor{DateAdded: last.DateAdded, Seq: last.Seq}
	}
	return out, nil
}

func feedLimit(v string) (int, error) {
	if v == "" {
		return feedPageDefault, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > feedPageMax {
		return 0, fmt.Errorf("limit %q must be a whole number from 1 to %d: %w", v, feedPageMax, sharing.ErrInvalidArgument)
	}
	return n, nil
}

// handleFeedExport is GET /feeds/{channel}/export: the channel's current
// content for the caller as a bundle signed by the hub (SHARING.md §5),
// downloaded as a file. Exports decides the audience and audits the read.
func (c *Console) handleFeedExport(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	ch := ctx.Params("channel")
	out, err := c.cfg.Exports.Export(ctx.UserContext(), sharing.ExportRequest{Reader: caller, Channel: sharing.Channel(ch), Sign: true})
	if err != nil {
		return err
	}
	name := fmt.Sprintf("kakehashi-%s-%s.json.asc", ch, c.cfg.Now().In(tokyo).Format("20060102-1504"))
	ctx.Set(fiber.HeaderContentType, out.ContentType)
	ctx.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	ctx.Set(fiber.HeaderCacheControl, "no-store")
	ctx.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return ctx.Send(out.Body)
}

// Next tokens of the feed pages are sealed, as the TAXII API's are: the
// position holds the entry's sequence number, which counts the entries of
// every channel and so must not reach a reader. The key is Config.CursorKey
// (newCursorAEAD), so links survive a restart and work on every hub that
// shares it.
// feedToken is what a next token holds: the position, and the channel and
// organization it was issued for.
type feedToken struct {
	Channel string    `json:"c"`
	Org     string    `json:"o"`
	Added   time.Time `json:"d"`
	Seq     int64     `json:"s"`
}

var errFeedCursor = fmt.Errorf("the page link is out of date or was not made for this feed; start again from the newest: %w", sharing.ErrInvalidArgument)

func (c *Console) sealFeedCursor(ch sharing.Channel, org string, cur sharing.Cursor) string {
	aead := c.cursor
	plain, _ := json.Marshal(feedToken{Channel: string(ch), Org: org, Added: cur.DateAdded, Seq: cur.Seq})
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(aead.Seal(nonce, nonce, plain, []byte("kakehashi feed next")))
}

func (c *Console) openFeedCursor(s string, ch sharing.Channel, org string) (*sharing.Cursor, error) {
	aead := c.cursor
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, errFeedCursor
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte("kakehashi feed next"))
	if err != nil {
		return nil, errFeedCursor
	}
	var t feedToken
	if err := json.Unmarshal(plain, &t); err != nil || t.Channel != string(ch) || t.Org != org {
		return nil, errFeedCursor
	}
	return &sharing.Cursor{DateAdded: t.Added, Seq: t.Seq}, nil
}
