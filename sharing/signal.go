package sharing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/outage/post"
	"github.com/kakehashi-hub/kakehashi/outage/ris"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Signals feeds the correlator of sector events (issue #16, docs/signals.md):
// carriers' outage signals from intake, and the hub's outside sources — BGP
// updates (routing) and public posts (user-reports) — through one detector
// each. It is safe for concurrent use: the detectors are not, and expect
// their input in time order, so each sits behind its own lock.
type Signals struct {
	Correlator *outage.Correlator
	Log        *slog.Logger // nil: slog.Default()
	// Observed, if set, is told the time of every message before it is
	// judged; an offline replay drives its correlator's clock with it.
	Observed func(time.Time)
	// Made, if set, is told every outside signal and what became of it.
	Made func(outage.Signal, outage.Result)

	bgpMu  sync.Mutex
	bgp    *ris.Detector
	postMu sync.Mutex
	posts  *post.Detector
}

// NewSignals builds the detectors for the registry's carriers around a
// correlator.
func NewSignals(reg *Registry, c *outage.Correlator) (*Signals, error) {
	carriers := CarriersOf(reg)
	bgp, err := ris.NewDetector(ris.Config{Carriers: carriers})
	if err != nil {
		return nil, fmt.Errorf("routing detector: %w", err)
	}
	posts, err := post.NewDetector(post.Config{Carriers: carriers})
	if err != nil {
		return nil, fmt.Errorf("user-report detector: %w", err)
	}
	return &Signals{Correlator: c, bgp: bgp, posts: posts}, nil
}

// CarriersOf converts the registry's carriers into what the outage package
// knows of them: id, name and aliases, ASNs, networks (INTERFACES §2).
func CarriersOf(reg *Registry) []outage.Carrier {
	var out []outage.Carrier
	for _, o := range reg.Organizations() {
		if o.Role != RoleCarrier {
			continue
		}
		out = append(out, outage.Carrier{ID: o.ID, Names: append([]string{o.Name}, o.Aliases...), ASNs: o.ASNs, Prefixes: o.Networks})
	}
	return out
}

// MayFeed reports whether the caller may send outside-source lines (POST
// /api/v1/signals/bgp and /posts): the hub's operators and organizations
// with role sensor (INTERFACES §9). Carriers send signals through intake.
func MayFeed(caller *Organization) bool {
	return MayOperate(caller) || (caller != nil && caller.Role == RoleSensor && caller.Person == nil)
}

// isOutageSignal reports whether an incident is an outage signal: it is
// acknowledged without statutory classification (issue #16).
func isOutageSignal(o *stix.Object) bool {
	t, ok, err := o.TelecomExtension()
	return err == nil && ok && t.ReportKind == stix.KindOutageSignal
}

func (s *Signals) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// checkSignals is part of intake's check stage: the signal block of every
// outage signal must be one the correlator takes (a JIS X 0401 region, a
// network in canonical CIDR, an observed_at it can place), so that the API,
// TAXII and the console refuse the same values with the same pointers
// instead of storing a signal that is never correlated.
func checkSignals(b *stix.Bundle) []stix.Violation {
	var out []stix.Violation
	for i, o := range b.Objects {
		if o.Type != "incident" {
			continue
		}
		t, ok, err := o.TelecomExtension()
		if err != nil || !ok || t.ReportKind != stix.KindOutageSignal {
			continue
		}
		// The organization is the submitter's, given by the intake.
		if _, err := outage.FromTelecom(o.ID, "submitter", t); err != nil {
			var ve *outage.ValidationError
			if !errors.As(err, &ve) {
				out = append(out, stix.Violation{Path: fmt.Sprintf("/objects/%d/extensions/%s/signal", i, stix.TelecomExtensionID), Message: err.Error()})
				continue
			}
			for _, v := range ve.Violations {
				out = append(out, stix.Violation{Path: fmt.Sprintf("/objects/%d/extensions/%s%s", i, stix.TelecomExtensionID, v.Pointer), Message: v.Message})
			}
		}
	}
	return out
}

// fromIntake correlates the outage signals of a bundle org submitted and
// intake stored. The check stage refused signal blocks the outage package
// would refuse (checkSignals); an error here is logged, not fatal: the
// signal is stored evidence.
func (s *Signals) fromIntake(org *Organization, b *stix.Bundle) {
	if s == nil {
		return
	}
	for _, o := range b.Objects {
		if o.Type != "incident" {
			continue
		}
		t, ok, err := o.TelecomExtension()
		if err != nil || !ok || t.ReportKind != stix.KindOutageSignal {
			continue
		}
		sig, err := outage.FromTelecom(o.ID, org.ID, t)
		if err == nil {
			_, err = s.Correlator.Add(sig)
		}
		if err != nil {
			s.log().Warn("outage signal not correlated", "incident", o.ID, "org", org.ID, "err", err)
		}
	}
}

// FeedSummary is what one feed of outside-source lines did.
type FeedSummary struct {
	Source    string                 `json:"source"`   // routing or user-reports
	Messages  int                    `json:"messages"` // BGP updates or posts read
	Signals   int                    `json:"signals"`  // signals the detector made
	BySymptom map[outage.Symptom]int `json:"by_symptom"`
	Events    []string               `json:"events"` // events the signals opened or joined
}

func (s *Signals) add(f *FeedSummary, sigs []outage.Signal) error {
	for _, sig := range sigs {
		f.Signals++
		f.BySymptom[sig.Symptom]++
		res, err := s.Correlator.Add(sig)
		if err != nil {
			return fmt.Errorf("correlate %s signal: %w", sig.Symptom, err)
		}
		if s.Made != nil {
			s.Made(sig, res)
		}
		if res.EventID != "" && (len(f.Events) == 0 || f.Events[len(f.Events)-1] != res.EventID) {
			f.Events = append(f.Events, res.EventID)
		}
	}
	return nil
}

// progressEvery is how many messages pass between progress calls.
const progressEvery = 1000

// FeedBGP reads RIS Live JSON lines, in time order, into the routing
// detector and correlates the signals it makes. A bad line stops the feed
// with an error naming it (ErrInvalidArgument); the lines before it count.
// progress, if not nil, is called every few thousand messages.
func (s *Signals) FeedBGP(ctx context.Context, caller *Organization, r io.Reader, progress func(FeedSummary)) (FeedSummary, error) {
	sum := FeedSummary{Source: outage.SourceRouting, BySymptom: map[outage.Symptom]int{}, Events: []string{}}
	if !MayFeed(caller) {
		return sum, fmt.Errorf("only the hub's operators and sensor organizations may send BGP updates: %w", ErrForbidden)
	}
	s.bgpMu.Lock()
	defer s.bgpMu.Unlock()
	err := ris.Read(r, func(u ris.Update) error {
		return s.observe(ctx, &sum, u.Time, progress, func() []outage.Signal { return s.bgp.Observe(u) })
	})
	return sum, feedError(err)
}

// observe is one message of a feed: counted, reported every progressEvery,
// its time told to Observed, and the signals its detector makes correlated.
func (s *Signals) observe(ctx context.Context, sum *FeedSummary, at time.Time, progress func(FeedSummary), detect func() []outage.Signal) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sum.Messages++
	if progress != nil && sum.Messages%progressEvery == 0 {
		progress(*sum)
	}
	if s.Observed != nil {
		s.Observed(at)
	}
	return s.add(sum, detect())
}

// FeedPosts reads posts as JSON lines {"time", "text"}, in time order, into
// the user-report detector and correlates the surges it finds. A minute is
// judged when a post of a later minute arrives, or at Tick.
func (s *Signals) FeedPosts(ctx context.Context, caller *Organization, r io.Reader, progress func(FeedSummary)) (FeedSummary, error) {
	sum := FeedSummary{Source: outage.SourceUserReports, BySymptom: map[outage.Symptom]int{}, Events: []string{}}
	if !MayFeed(caller) {
		return sum, fmt.Errorf("only the hub's operators and sensor organizations may send posts: %w", ErrForbidden)
	}
	s.postMu.Lock()
	defer s.postMu.Unlock()
	err := post.Read(r, func(p post.Post) error {
		return s.observe(ctx, &sum, p.Time, progress, func() []outage.Signal { return s.posts.Observe(p) })
	})
	return sum, feedError(err)
}

// FlushPosts judges every minute of posts before now's; the CLI calls it at
// the end of its input with the last post's time.
func (s *Signals) FlushPosts(now time.Time) (FeedSummary, error) {
	sum := FeedSummary{Source: outage.SourceUserReports, BySymptom: map[outage.Symptom]int{}, Events: []string{}}
	s.postMu.Lock()
	defer s.postMu.Unlock()
	return sum, s.add(&sum, s.posts.Flush(now))
}

func feedError(err error) error {
	if err == nil || err == context.Canceled || err == context.DeadlineExceeded {
		return err
	}
	return fmt.Errorf("%v: %w", err, ErrInvalidArgument)
}

// Tick closes quiet events and judges the minutes of posts that ended
// before now. The hub calls it every few seconds.
func (s *Signals) Tick(now time.Time) {
	if _, err := s.FlushPosts(now); err != nil {
		s.log().Warn("user-report signals not correlated", "err", err)
	}
	s.Correlator.Tick()
}
