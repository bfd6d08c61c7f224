package outage

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrNotFound is returned for an event the Correlator does not hold.
var ErrNotFound = errors.New("not found")

// Config configures a Correlator.
type Config struct {
	Rules Rules
	// Now is the clock; nil means time.Now. Everything the Correlator does
	// is decided by the signals and this clock, so a replay with a fake
	// clock gives the same events.
	Now func() time.Time
	// Notify, if set, receives every opening, update and closing, in order,
	// one call at a time. It is called after the Correlator's lock is
	// released, so it may read the Correlator, but it holds up the next
	// notification: hand slow work (webhooks, SSE fan-out) to a goroutine.
	Notify func(Notification)
}

// Correlator groups signals into sector events under its Rules (issue #16,
// docs/signals.md). It is safe for concurrent use.
//
// A signal first tries the open events, oldest first: it joins one whose
// families it shares, whose observed times it comes within Window of, and
// with which it shares a region, an upstream ASN or an overlapping prefix.
// Otherwise it looks for held signals it relates to in the same way; when
// those and it come from at least MinOrganizations organizations, they open
// an event together, else it is held for Window. An event closes after Quiet
// without a new signal.
type Correlator struct {
	rules  Rules
	masks  map[Symptom]uint64
	now    func() time.Time
	notify func(Notification)

	mu       sync.Mutex
	queue    []*entry // held signals in arrival order; queue[head:] is live
	head     int
	live     int // held signals not yet grouped or dropped
	dead     int // index references to grouped or dropped signals
	byRegion map[string][]ref
	byASN    map[int64][]ref
	orgs     map[string]uint32 // organization → small number, for refs
	prefixes prefixTrie
	seq      uint64
	gen      uint64
	open     []*eventState // in opening order
	closed   []Event       // most recent last, at most KeepClosed
	pendingN []Notification

	deliver sync.Mutex // keeps notifications in order without holding mu
}

// ref is an index's reference to a held signal, with what the lookup
// filters on copied in, so a scan reads contiguous memory and follows the
// pointer only for the signals that pass.
type ref struct {
	e   *entry
	at  int64  // observed_at, Unix nanoseconds
	org uint32 // Correlator.orgs number of the sender
}

// entry is a held signal.
type entry struct {
	org   uint32
	sig   Signal
	mask  uint64
	seq   uint64
	gone  bool   // grouped into an event or dropped
	stamp uint64 // the gen of the last lookup that saw it
}

// NewCorrelator returns a Correlator for the rules, which it validates.
func NewCorrelator(cfg Config) (*Correlator, error) {
	if err := cfg.Rules.Validate(); err != nil {
		return nil, err
	}
	if cfg.Rules.MaxEventSignals == 0 {
		cfg.Rules.MaxEventSignals = DefaultRules().MaxEventSignals
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Correlator{rules: cfg.Rules, masks: cfg.Rules.familyMasks(), now: cfg.Now, notify: cfg.Notify, orgs: map[string]uint32{}}
	c.resetIndexes()
	return c, nil
}

// Rules returns the rules the Correlator applies.
func (c *Correlator) Rules() Rules { return c.rules }

// Result says what became of a signal.
type Result struct {
	EventID string // the event it opened or joined; empty while it is held
	Opened  bool   // it opened the event
}

// Add validates a signal and correlates it. It returns a *ValidationError
// for a bad signal; the signal then changes nothing.
func (c *Correlator) Add(s Signal) (Result, error) {
	if err := s.Validate(); err != nil {
		return Result{}, err
	}
	s.Regions = slices.Clone(s.Regions)
	s.UpstreamASNs = slices.Clone(s.UpstreamASNs)
	s.Prefixes = slices.Clone(s.Prefixes)
	s.Concerns = slices.Clone(s.Concerns)
	s.normalize()
	s.ObservedAt = s.ObservedAt.UTC()

	c.mu.Lock()
	now := c.now().UTC()
	c.expire(now)
	res := c.correlate(s, now)
	c.flush()
	return res, nil
}

// Tick closes the events that have been quiet for Rules.Quiet and forgets
// held signals older than Rules.Window. The hub calls it every few seconds;
// Add does the same work for every signal.
func (c *Correlator) Tick() {
	c.mu.Lock()
	c.expire(c.now().UTC())
	c.flush()
}

// flush hands the collected notifications to Notify in order and releases
// mu; it must be called with mu held.
func (c *Correlator) flush() {
	ns := c.pendingN
	c.pendingN = nil
	if c.notify == nil || len(ns) == 0 {
		c.mu.Unlock()
		return
	}
	c.deliver.Lock()
	c.mu.Unlock()
	defer c.deliver.Unlock()
	for _, n := range ns {
		c.notify(n)
	}
}

// Events returns snapshots of the events with the status (both when status
// is empty): open events in opening order, then closed ones, oldest first.
func (c *Correlator) Events(status Status) []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Event
	if status == "" || status == StatusOpen {
		for _, e := range c.open {
			out = append(out, e.snapshot())
		}
	}
	if status == "" || status == StatusClosed {
		out = append(out, c.closed...)
	}
	return out
}

// FindEventByID returns a snapshot of one event, or ErrNotFound.
func (c *Correlator) FindEventByID(id string) (Event, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.open {
		if e.ID == id {
			return e.snapshot(), nil
		}
	}
	for _, e := range c.closed {
		if e.ID == id {
			return e, nil
		}
	}
	return Event{}, fmt.Errorf("event %s: %w", id, ErrNotFound)
}

// correlate places one valid, normalized signal.
func (c *Correlator) correlate(s Signal, now time.Time) Result {
	mask := c.masks[s.Symptom]
	if mask == 0 {
		// In no family: it groups with nothing, so holding it is useless.
		return Result{}
	}
	for _, e := range c.open {
		if e.mask&mask != 0 && c.withinEvent(e, s) && e.overlaps(&s) {
			e.add(s, mask, now, c.rules.MaxEventSignals)
			c.pendingN = append(c.pendingN, Notification{Kind: Updated, Event: e.snapshot()})
			return Result{EventID: e.ID}
		}
	}
	cands := c.candidates(&s, mask)
	if ev := c.tryOpen(s, mask, cands, now); ev != nil {
		return Result{EventID: ev.ID, Opened: true}
	}
	c.hold(s, mask)
	return Result{}
}

// withinEvent reports whether a signal was observed within Window of the
// event's signals.
func (c *Correlator) withinEvent(e *eventState, s Signal) bool {
	return !s.ObservedAt.Before(e.firstObserved.Add(-c.rules.Window)) && !s.ObservedAt.After(e.lastObserved.Add(c.rules.Window))
}

// candidates returns the held signals of other organizations related to s —
// a shared family, within
// Window, and a common region, upstream ASN or overlapping prefix — oldest
// first.
func (c *Correlator) candidates(s *Signal, mask uint64) []*entry {
	c.gen++
	gen := c.gen
	var out []*entry
	visit := func(e *entry) {
		if e.gone || e.stamp == gen {
			return
		}
		e.stamp = gen
		// The sender's own held signals cannot help open an event; leaving
		// them out keeps a chatty sender from slowing its own lookups.
		if e.mask&mask == 0 || e.sig.Organization == s.Organization {
			return
		}
		d := e.sig.ObservedAt.Sub(s.ObservedAt)
		if d > c.rules.Window || d < -c.rules.Window {
			return
		}
		out = append(out, e)
	}
	org, at, win := c.orgs[s.Organization], s.ObservedAt.UnixNano(), int64(c.rules.Window)
	scan := func(refs []ref) {
		for _, r := range refs {
			if r.org != org && r.at <= at+win && r.at >= at-win {
				visit(r.e)
			}
		}
	}
	for _, r := range s.Regions {
		scan(c.byRegion[r])
	}
	for _, a := range s.UpstreamASNs {
		scan(c.byASN[a])
	}
	for _, p := range s.Prefixes {
		c.prefixes.overlapping(p, visit)
	}
	slices.SortFunc(out, func(a, b *entry) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// tryOpen opens an event of s and the candidates that share a family with
// all the others, when they come from enough organizations.
func (c *Correlator) tryOpen(s Signal, mask uint64, cands []*entry, now time.Time) *eventState {
	if len(cands) == 0 {
		return nil
	}
	group := mask
	members := cands[:0:0]
	orgs := map[string]bool{s.Organization: true}
	for _, e := range cands {
		if e.mask&group == 0 {
			continue
		}
		group &= e.mask
		members = append(members, e)
		orgs[e.sig.Organization] = true
	}
	if len(orgs) < c.rules.MinOrganizations {
		return nil
	}
	ids := make([]string, 0, len(members)+1)
	for _, e := range members {
		ids = append(ids, e.sig.ID)
	}
	ids = append(ids, s.ID)
	ev := &eventState{mask: group}
	ev.ID = eventID(ids)
	ev.Status = StatusOpen
	ev.OpenedAt = now
	for _, e := range members {
		ev.add(e.sig, e.mask, now, c.rules.MaxEventSignals)
		c.drop(e)
	}
	ev.add(s, mask, now, c.rules.MaxEventSignals)
	c.open = append(c.open, ev)
	c.pendingN = append(c.pendingN, Notification{Kind: Opened, Event: ev.snapshot()})
	return ev
}

// hold keeps a signal to wait for a partner.
func (c *Correlator) hold(s Signal, mask uint64) {
	c.seq++
	org, ok := c.orgs[s.Organization]
	if !ok {
		org = uint32(len(c.orgs) + 1) // 0 is no organization
		c.orgs[s.Organization] = org
	}
	e := &entry{sig: s, mask: mask, seq: c.seq, org: org}
	c.queue = append(c.queue, e)
	c.live++
	c.index(e)
	for c.live > c.rules.MaxPending {
		c.drop(c.queue[c.head])
		c.advance()
	}
}

func (c *Correlator) index(e *entry) {
	r := ref{e: e, at: e.sig.ObservedAt.UnixNano(), org: e.org}
	for _, reg := range e.sig.Regions {
		c.byRegion[reg] = append(c.byRegion[reg], r)
	}
	for _, a := range e.sig.UpstreamASNs {
		c.byASN[a] = append(c.byASN[a], r)
	}
	for _, p := range e.sig.Prefixes {
		c.prefixes.insert(p, e)
	}
}

// drop marks a held signal gone; the indexes forget it at the next rebuild.
func (c *Correlator) drop(e *entry) {
	if e.gone {
		return
	}
	e.gone = true
	c.live--
	c.dead += len(e.sig.Regions) + len(e.sig.UpstreamASNs) + len(e.sig.Prefixes)
}

// advance moves the queue head past gone entries and compacts the queue
// and the indexes when the gone ones outweigh the live ones, so memory
// follows the live signals (amortized constant work per signal).
func (c *Correlator) advance() {
	for c.head < len(c.queue) && c.queue[c.head].gone {
		c.queue[c.head] = nil
		c.head++
	}
	if c.head > 1024 && c.head > len(c.queue)/2 {
		c.queue = append([]*entry(nil), c.queue[c.head:]...)
		c.head = 0
	}
	if c.dead > 4096 && c.dead > 2*c.live {
		c.rebuild()
	}
}

func (c *Correlator) resetIndexes() {
	c.byRegion = map[string][]ref{}
	c.byASN = map[int64][]ref{}
	c.prefixes = prefixTrie{}
	c.dead = 0
}

func (c *Correlator) rebuild() {
	c.resetIndexes()
	live := c.queue[:0]
	for _, e := range c.queue[c.head:] {
		if !e.gone {
			live = append(live, e)
			c.index(e)
		}
	}
	clear(c.queue[len(live):])
	c.queue = live
	c.head = 0
}

// expire closes quiet events and forgets held signals observed more than
// Window before now.
func (c *Correlator) expire(now time.Time) {
	horizon := now.Add(-c.rules.Window)
	for c.head < len(c.queue) {
		e := c.queue[c.head]
		if !e.gone && !e.sig.ObservedAt.Before(horizon) {
			break
		}
		c.drop(e)
		c.queue[c.head] = nil
		c.head++
	}
	c.advance()
	kept := c.open[:0]
	for _, e := range c.open {
		if now.Sub(e.lastArrival) < c.rules.Quiet {
			kept = append(kept, e)
			continue
		}
		e.Status = StatusClosed
		e.ClosedAt = now
		e.UpdatedAt = now
		snap := e.snapshot()
		c.closed = append(c.closed, snap)
		c.pendingN = append(c.pendingN, Notification{Kind: Closed, Event: snap})
	}
	clear(c.open[len(kept):])
	c.open = kept
	if over := len(c.closed) - c.rules.KeepClosed; over > 0 {
		c.closed = slices.Delete(c.closed, 0, over)
	}
}
