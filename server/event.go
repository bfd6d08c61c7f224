package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// Sector events and outside sources (INTERFACES §9, docs/signals.md). Who
// sees what is decided by sharing.Events; who may feed by sharing.Signals.

// eventsResponse is GET /api/v1/events.
type eventsResponse struct {
	Events []outage.View `json:"events"`
}

// writeJSON answers v without HTML escaping: "<3" stays "<3".
func writeJSON(c *fiber.Ctx, status int, v any) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Status(status).Send(sharing.EncodeJSON(v))
}

// handleEventList is GET /api/v1/events?status=open|closed.
func (s *Server) handleEventList(c *fiber.Ctx) error {
	views, err := s.cfg.Events.List(c.UserContext(), caller(c).Org, outage.Status(c.Query("status")))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, eventsResponse{Events: views})
}

// handleEventGet is GET /api/v1/events/{id}: 404 for an event the caller may
// not see, as for one that does not exist.
func (s *Server) handleEventGet(c *fiber.Ctx) error {
	v, err := s.cfg.Events.Find(c.UserContext(), caller(c).Org, c.Params("id"))
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, v)
}

// streamKeepAlive is how often an idle stream gets a comment line, so that
// proxies keep it open and a gone client is noticed.
const streamKeepAlive = 15 * time.Second

// handleEventStream is GET /api/v1/events/stream: Server-Sent Events (HTML
// Living Standard §9.2) named opened, updated and closed, each with the
// event as the caller may see it. A caller that may see no event gets a
// stream that stays silent.
func (s *Server) handleEventStream(c *fiber.Ctx) error {
	sub := s.cfg.Events.Subscribe(caller(c).Org)
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no")
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer sub.Close()
		fmt.Fprint(w, "retry: 2000\n\n")
		if w.Flush() != nil {
			return
		}
		tick := time.NewTicker(streamKeepAlive)
		defer tick.Stop()
		for {
			select {
			case m, ok := <-sub.C():
				if !ok {
					return
				}
				fmt.Fprintf(w, "event: %s\nid: %s\ndata: %s\n\n", m.Kind, m.ID, m.JSON)
			case <-tick.C:
				fmt.Fprint(w, ": keep-alive\n\n")
			}
			if w.Flush() != nil {
				return
			}
		}
	})
	return nil
}

// signalMediaTypes are the content types of outside-source lines.
var signalMediaTypes = []string{"application/x-ndjson", "application/json"}

func checkLinesContentType(c *fiber.Ctx) error {
	mt, _, err := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if err == nil {
		for _, ok := range signalMediaTypes {
			if mt == ok {
				return nil
			}
		}
	}
	return newError(fiber.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported content type",
		"send JSON lines as application/x-ndjson (application/json is also accepted)")
}

// handleSignalsBGP is POST /api/v1/signals/bgp: RIS Live JSON lines.
func (s *Server) handleSignalsBGP(c *fiber.Ctx) error {
	return s.feed(c, s.cfg.Signals.FeedBGP)
}

// handleSignalsPosts is POST /api/v1/signals/posts: JSON lines {"time", "text"}.
func (s *Server) handleSignalsPosts(c *fiber.Ctx) error {
	return s.feed(c, s.cfg.Signals.FeedPosts)
}

type feeder func(ctx context.Context, caller *sharing.Organization, r io.Reader, progress func(sharing.FeedSummary)) (sharing.FeedSummary, error)

func (s *Server) feed(c *fiber.Ctx, fn feeder) error {
	org := caller(c).Org
	if !sharing.MayFeed(org) {
		return fmt.Errorf("only the hub's operators and sensor organizations may send outside-source lines: %w", sharing.ErrForbidden)
	}
	if err := checkLinesContentType(c); err != nil {
		return err
	}
	raw, err := s.readBody(c)
	if err != nil {
		return err
	}
	sum, err := fn(c.UserContext(), org, bytes.NewReader(raw), nil)
	if err != nil {
		return err
	}
	return writeJSON(c, fiber.StatusOK, sum)
}
