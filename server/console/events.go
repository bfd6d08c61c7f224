package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/sharing"
)

// Sector events (issue #16 item 4, docs/signals.md): the events the
// organization may see, as sharing.Events shows them to it — the regulator
// identified; the carriers that signalled, the ISAC and NISC anonymized;
// anyone else nothing. The pages are built only from the caller's view:
// an anonymized viewer's page is made from the anonymized view, never from
// the event.
//
// No live updates: the API's stream takes bearer tokens, not the console's
// cookie, and a page that polled would keep an unattended browser's session
// alive past its idle timeout. The page says when it was rendered; reload it.

// namedOrg is an organization as the regulator's view names it.
type namedOrg struct{ ID, Name string }

// region is a prefecture code with its name in the page's language.
type region struct{ Code, Name string }

// eventView is one event as a page shows it, in the caller's view.
type eventView struct {
	ID         string
	Status     outage.Status
	OpenedAt   time.Time
	UpdatedAt  time.Time
	ClosedAt   time.Time
	Identified bool
	Carriers   []namedOrg // identified view
	Count      string     // anonymized view: "<3", "3", …
	Symptoms   []outage.Symptom
	Regions    []region
	Sources    []string
	ASNs       []int64
	Prefixes   []string
	Signals    int
	Timeline   []timelineEntry
}

// timelineEntry is one signal of an event.
type timelineEntry struct {
	At       time.Time
	Source   string   // carrier, routing, user-reports
	Org      namedOrg // identified view only
	Symptom  outage.Symptom
	Regions  []region
	Note     string // identified view only
	SignalID string // identified view only
}

// eventViewOf converts the caller's view of an event for a page.
func (c *Console) eventViewOf(v outage.View, lang string) (eventView, error) {
	ev := eventView{ID: v.ID, Status: v.Status, OpenedAt: v.OpenedAt, UpdatedAt: v.UpdatedAt, Identified: v.Carriers.Named,
		Symptoms: v.Symptoms, Regions: regionsOf(v.Regions, lang), Sources: v.Sources, ASNs: v.UpstreamASNs, Prefixes: v.Prefixes,
		Signals: v.Signals}
	if v.ClosedAt != nil {
		ev.ClosedAt = *v.ClosedAt
	}
	if v.Carriers.Named {
		for _, id := range v.Carriers.IDs {
			ev.Carriers = append(ev.Carriers, c.orgNamed(id))
		}
	} else {
		// The count as the API writes it ("<3" for one or two, INTERFACES
		// §9): one rule, and the page never holds the exact small number.
		raw, err := v.Carriers.MarshalJSON()
		if err != nil {
			return ev, err
		}
		ev.Count = strings.Trim(string(raw), `"`)
	}
	for _, it := range v.Timeline {
		e := timelineEntry{At: it.At, Source: it.Source, Symptom: it.Symptom, Regions: regionsOf(it.Regions, lang), Note: it.Note, SignalID: it.Signal}
		if it.Organization != "" {
			e.Org = c.orgNamed(it.Organization)
		}
		ev.Timeline = append(ev.Timeline, e)
	}
	return ev, nil
}

func (c *Console) orgNamed(id string) namedOrg {
	if outage.IsOutsideSource(id) {
		return namedOrg{ID: id}
	}
	name := id
	if o, err := c.cfg.Registry.FindOrganizationByID(id); err == nil {
		name = o.Name
	}
	return namedOrg{ID: id, Name: name}
}

func regionsOf(codes []string, lang string) []region {
	out := make([]region, len(codes))
	for i, code := range codes {
		out[i] = region{Code: code, Name: prefectureName(code, lang)}
	}
	return out
}

// eventsPage is the data of GET /events.
type eventsPage struct {
	Events []eventView
	Status string // the filter: "", open or closed
	AsOf   time.Time
}

// mayEvents refuses, as a page that does not exist, organizations that see
// no event at all, and a hub without sector events.
func (c *Console) mayEvents(caller *sharing.Organization) error {
	if c.cfg.Events == nil || !sharing.MaySeeEvents(caller) {
		return fmt.Errorf("sector events: %w", sharing.ErrNotFound)
	}
	return nil
}

// handleEvents is GET /events?status=open|closed: the events the
// organization may see, most recently opened first.
func (c *Console) handleEvents(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if err := c.mayEvents(caller); err != nil {
		return err
	}
	status := ctx.Query("status")
	views, err := c.cfg.Events.List(ctx.UserContext(), caller, outage.Status(status))
	if err != nil {
		return err
	}
	p := eventsPage{Status: status, AsOf: c.cfg.Now()}
	for _, v := range views {
		ev, err := c.eventViewOf(v, langOf(ctx))
		if err != nil {
			return err
		}
		p.Events = append(p.Events, ev)
	}
	return c.render(ctx, fiber.StatusOK, "events", page{Title: "events.title", Nav: "events", Data: p})
}

// handleEvent is GET /events/{id}: one event with its timeline; 404 for one
// the organization may not see, as for one that does not exist.
func (c *Console) handleEvent(ctx *fiber.Ctx) error {
	caller := callerOf(ctx)
	if err := c.mayEvents(caller); err != nil {
		return err
	}
	v, err := c.cfg.Events.Find(ctx.UserContext(), caller, ctx.Params("id"))
	if err != nil {
		return err
	}
	ev, err := c.eventViewOf(v, langOf(ctx))
	if err != nil {
		return err
	}
	return c.render(ctx, fiber.StatusOK, "event", page{Title: "events.event-title", Nav: "events",
		Data: map[string]any{"Event": ev, "AsOf": c.cfg.Now()}})
}
