package sharing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// The channels of sector events (INTERFACES §9). They are not in Channels:
// submissions are never routed to them; the hub fills them from the
// correlator's notifications (Events.publish).
const (
	ChannelSectorEventsRegulator Channel = "sector-events-regulator" // the regulator, identified
	ChannelSectorEvents          Channel = "sector-events"           // the carriers that signalled, isac, nisc; anonymized
)

// EventChannels lists the channels of sector events.
var EventChannels = []Channel{ChannelSectorEventsRegulator, ChannelSectorEvents}

// EventFilter selects stored events.
type EventFilter struct {
	Status outage.Status // "": any
	Limit  int           // 0: DefaultEventLimit
}

// DefaultEventLimit is how many events a list returns at most, newest first.
const DefaultEventLimit = 1000

// EventStore is the persistence of sector events: every notification's
// event is saved, so events outlive the correlator's memory and restarts.
// Implementations return ErrNotFound for an unknown id.
type EventStore interface {
	// SaveEvent creates or replaces the event with its id.
	SaveEvent(ctx context.Context, ev outage.Event) error
	// FindEvents returns events, most recently opened first.
	FindEvents(ctx context.Context, f EventFilter) ([]outage.Event, error)
	// FindEventByID returns one event.
	FindEventByID(ctx context.Context, id string) (outage.Event, error)
}

// LeakChecker is the anonymizer's leak check (anonymize.Anonymizer): the
// hits of the registry parties' terms in a bundle; an unknown submitter
// checks every party.
type LeakChecker interface {
	LeakCheck(b *stix.Bundle, submitter string) []anonymize.Hit
}

// Deliverer pushes an event message to an organization's webhook. It must
// not block: it queues, and drops (and counts) when the queue is full.
type Deliverer interface {
	Deliver(org *Organization, body []byte)
}

// EventMessage is one change of an event as one caller sees it: the body of
// an SSE message (event name Kind) and of a webhook delivery.
type EventMessage struct {
	Kind  outage.NotificationKind `json:"type"` // opened, updated, closed
	Event outage.View             `json:"event"`
}

// JSON encodes the message without HTML escaping ("<3" stays "<3").
func (m EventMessage) JSON() []byte { return EncodeJSON(m) }

// EncodeJSON encodes v as JSON without HTML escaping and without a final
// newline; v must hold only encodable values (an error gives nil).
func EncodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// Events is the sector events service (issue #16): it stores, publishes and
// pushes what the correlator notifies, and decides who sees what. The
// regulator sees each event identified; the carriers that signalled it, the
// ISAC and NISC see it anonymized; everyone else sees nothing, not even that
// it exists.
type Events struct {
	Store    EventStore
	Registry *Registry
	// Publisher stores the STIX form of each event version in the event
	// channels (publish); nil: not published.
	Publisher Store
	Leaks     LeakChecker // the leak check of the anonymized copies; nil: they are not published
	IDKey     []byte      // keys the ids of the anonymized signal copies
	Deliver   Deliverer   // webhooks; nil: none
	Log       *slog.Logger
	Now       func() time.Time

	queue    chan outage.Notification
	once     sync.Once
	carriers []outage.Carrier

	mu      sync.Mutex
	subs    map[*Subscription]struct{}
	closed  bool
	lastMod map[string]time.Time // grouping id → last published modified

	// Withheld counts anonymized copies the leak check stopped.
	Withheld atomic.Int64
}

// eventQueue bounds the notifications waiting for storage and fan-out; a
// full queue makes the correlator wait (it never drops an event).
const eventQueue = 4096

func (e *Events) init() {
	e.once.Do(func() {
		e.queue = make(chan outage.Notification, eventQueue)
		e.subs = map[*Subscription]struct{}{}
		e.lastMod = map[string]time.Time{}
		e.carriers = CarriersOf(e.Registry)
		if e.Log == nil {
			e.Log = slog.Default()
		}
		if e.Now == nil {
			e.Now = time.Now
		}
	})
}

// Notify is the correlator's Config.Notify: it only queues, so the
// correlator is not held up by storage, webhooks or streams.
func (e *Events) Notify(n outage.Notification) {
	e.init()
	e.queue <- n
}

// Run handles queued notifications until ctx ends: the streams first (they
// are what "within a second" is measured on), then storage, the STIX
// channels and the webhooks.
func (e *Events) Run(ctx context.Context) {
	e.init()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-e.queue:
			e.handle(ctx, n)
		}
	}
}

// Drain handles every queued notification and returns; for tests and
// commands that run without Run.
func (e *Events) Drain(ctx context.Context) {
	e.init()
	for {
		select {
		case n := <-e.queue:
			e.handle(ctx, n)
		default:
			return
		}
	}
}

func (e *Events) handle(ctx context.Context, n outage.Notification) {
	ev := n.Event
	identified := EventMessage{Kind: n.Kind, Event: ev.Identified()}
	anonymized := EventMessage{Kind: n.Kind, Event: ev.Anonymized(e.carriers)}
	idJSON, anJSON := identified.JSON(), anonymized.JSON()
	e.fanOut(&ev, idJSON, anJSON, n.Kind)
	if err := e.Store.SaveEvent(ctx, ev); err != nil {
		e.Log.Error("store sector event", "event", ev.ID, "err", err)
	}
	if e.Publisher != nil {
		if err := e.publish(ctx, &ev, identified.Event, anonymized.Event); err != nil {
			e.Log.Error("publish sector event", "event", ev.ID, "err", err)
		}
	}
	if e.Deliver != nil {
		for _, o := range e.Registry.Organizations() {
			if o.Webhook == nil {
				continue
			}
			switch e.sight(o, &ev) {
			case sightIdentified:
				e.Deliver.Deliver(o, idJSON)
			case sightAnonymized:
				e.Deliver.Deliver(o, anJSON)
			}
		}
	}
}

// sight is how much of an event an organization sees.
type sight int

const (
	sightNone sight = iota
	sightAnonymized
	sightIdentified
)

// sight decides who sees what (issue #16 §4, INTERFACES §9): the regulator
// identified; the carriers that signalled the event, the ISAC and NISC
// anonymized; anyone else nothing. A console user must be at least a viewer
// (any person is).
func (e *Events) sight(o *Organization, ev *outage.Event) sight {
	if o == nil {
		return sightNone
	}
	switch o.Role {
	case RoleRegulator:
		return sightIdentified
	case RoleISAC, RoleNISC:
		return sightAnonymized
	case RoleCarrier:
		if slices.Contains(ev.Organizations, o.ID) {
			return sightAnonymized
		}
	}
	return sightNone
}

// View returns the caller's view of an event, and false when the caller may
// not see it.
func (e *Events) View(caller *Organization, ev *outage.Event) (outage.View, bool) {
	e.init()
	switch e.sight(caller, ev) {
	case sightIdentified:
		return ev.Identified(), true
	case sightAnonymized:
		return ev.Anonymized(e.carriers), true
	}
	return outage.View{}, false
}

// List returns the events the caller may see, most recently opened first;
// status "" lists both open and closed ones.
func (e *Events) List(ctx context.Context, caller *Organization, status outage.Status) ([]outage.View, error) {
	if status != "" && status != outage.StatusOpen && status != outage.StatusClosed {
		return nil, fmt.Errorf("status %q must be open or closed: %w", status, ErrInvalidArgument)
	}
	evs, err := e.Store.FindEvents(ctx, EventFilter{Status: status})
	if err != nil {
		return nil, err
	}
	out := []outage.View{}
	for i := range evs {
		if v, ok := e.View(caller, &evs[i]); ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// Find returns one event as the caller sees it; ErrNotFound when it does not
// exist or the caller may not see it (the same answer).
func (e *Events) Find(ctx context.Context, caller *Organization, id string) (outage.View, error) {
	ev, err := e.Store.FindEventByID(ctx, id)
	if err != nil {
		return outage.View{}, err
	}
	v, ok := e.View(caller, &ev)
	if !ok {
		return outage.View{}, fmt.Errorf("event %s: %w", id, ErrNotFound)
	}
	return v, nil
}

// Recover closes the events a previous run left open: the correlator that
// would have grown or closed them is gone. Called once at start.
func (e *Events) Recover(ctx context.Context) (int, error) {
	e.init()
	evs, err := e.Store.FindEvents(ctx, EventFilter{Status: outage.StatusOpen})
	if err != nil {
		return 0, err
	}
	now := e.Now().UTC()
	for _, ev := range evs {
		ev.Status, ev.ClosedAt, ev.UpdatedAt = outage.StatusClosed, now, now
		if err := e.Store.SaveEvent(ctx, ev); err != nil {
			return 0, err
		}
	}
	return len(evs), nil
}

// Subscription is one caller's stream of event messages (SSE).
type Subscription struct {
	caller *Organization
	c      chan StreamMessage
	events *Events
}

// StreamMessage is a message ready to write: its name, event id and JSON.
type StreamMessage struct {
	Kind outage.NotificationKind
	ID   string
	JSON []byte
}

// subscriptionBuffer is how many messages a slow stream may lag behind
// before it is closed (the client reconnects and lists).
const subscriptionBuffer = 256

// Subscribe opens a stream of the changes of the events the caller may see.
// Callers that may see no event get a stream that stays silent, so that the
// stream does not tell them events exist.
func (e *Events) Subscribe(caller *Organization) *Subscription {
	e.init()
	s := &Subscription{caller: caller, c: make(chan StreamMessage, subscriptionBuffer), events: e}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		close(s.c)
		return s
	}
	e.subs[s] = struct{}{}
	return s
}

// C delivers the messages; it is closed when the stream ends (the hub shut
// down, or the stream lagged too far behind and the client should list again).
func (s *Subscription) C() <-chan StreamMessage { return s.c }

// Close ends the subscription.
func (s *Subscription) Close() {
	e := s.events
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.subs[s]; ok {
		delete(e.subs, s)
		close(s.c)
	}
}

// CloseStreams ends every subscription and refuses new ones: the hub is
// shutting down, and open streams would hold it up.
func (e *Events) CloseStreams() {
	e.init()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closed = true
	for s := range e.subs {
		delete(e.subs, s)
		close(s.c)
	}
}

func (e *Events) fanOut(ev *outage.Event, idJSON, anJSON []byte, kind outage.NotificationKind) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.subs {
		var body []byte
		switch e.sight(s.caller, ev) {
		case sightIdentified:
			body = idJSON
		case sightAnonymized:
			body = anJSON
		default:
			continue
		}
		select {
		case s.c <- StreamMessage{Kind: kind, ID: ev.ID, JSON: body}:
		default:
			// Too slow: end its stream rather than hold up the others.
			delete(e.subs, s)
			close(s.c)
		}
	}
}
