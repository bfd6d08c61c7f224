package ris

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kakehashi-hub/kakehashi/outage"
)

// Config configures a Detector.
type Config struct {
	// Carriers are the registry carriers with their networks and ASNs.
	Carriers []outage.Carrier
	// WithdrawalBurst is how many withdrawals of one carrier's prefixes
	// (counted per collector peer) within WithdrawalWindow make a
	// routing-withdrawal signal (default 20).
	WithdrawalBurst  int
	WithdrawalWindow time.Duration // default 5 minutes
	// Rearm is how long the same finding stays silent after it made a
	// signal: every RIS peer reports the same hijack (default 15 minutes).
	Rearm time.Duration
}

// Detector turns updates into routing signals. It is not safe for
// concurrent use: one reader feeds it, in time order.
type Detector struct {
	cfg      Config
	owners   []owner
	fired    map[string]time.Time // finding → when it last made a signal
	withdraw map[string]*burst    // carrier id → its recent withdrawals
}

type owner struct {
	prefix  netip.Prefix
	carrier int
}

type burst struct {
	times    []time.Time // the last WithdrawalBurst withdrawals, oldest first
	prefixes []netip.Prefix
}

// NewDetector checks the configuration and fills its defaults.
func NewDetector(cfg Config) (*Detector, error) {
	if cfg.WithdrawalBurst == 0 {
		cfg.WithdrawalBurst = 20
	}
	if cfg.WithdrawalWindow == 0 {
		cfg.WithdrawalWindow = 5 * time.Minute
	}
	if cfg.Rearm == 0 {
		cfg.Rearm = 15 * time.Minute
	}
	if cfg.WithdrawalBurst < 1 || cfg.WithdrawalWindow < 0 || cfg.Rearm < 0 {
		return nil, errors.New("routing detector: withdrawal burst, window and rearm must be positive")
	}
	d := &Detector{cfg: cfg, fired: map[string]time.Time{}, withdraw: map[string]*burst{}}
	for i, c := range cfg.Carriers {
		for _, p := range c.Prefixes {
			d.owners = append(d.owners, owner{prefix: p.Masked(), carrier: i})
		}
	}
	return d, nil
}

// Observe examines one update and returns the signals it makes, if any.
func (d *Detector) Observe(u Update) []outage.Signal {
	var out []outage.Signal
	for _, p := range u.Announcements {
		for _, o := range d.owners {
			// The carrier's prefix or a more-specific of it.
			if o.prefix.Bits() > p.Bits() || !o.prefix.Contains(p.Addr()) {
				continue
			}
			c := &d.cfg.Carriers[o.carrier]
			if u.Origin == 0 || c.OwnsASN(u.Origin) {
				continue // legitimate, or an AS set we cannot judge
			}
			key := "anomaly " + c.ID + " " + p.String() + " " + strconv.FormatInt(u.Origin, 10)
			if !d.arm(key, u.Time) {
				continue
			}
			kind := "a more-specific of"
			if p == o.prefix {
				kind = "the registered network"
			}
			out = append(out, outage.Signal{
				ID:           outage.NewSignalID(outage.SourceRouting, key, u.Time.Format(time.RFC3339)),
				Organization: outage.SourceRouting, ObservedAt: u.Time, Symptom: outage.RoutingAnomaly,
				UpstreamASNs: []int64{u.Origin}, Prefixes: []netip.Prefix{p}, Concerns: []string{c.ID},
				Note: fmt.Sprintf("%s announced with origin AS%d, not %s's; it is %s %s (path %s, seen by AS%d at %s)",
					p, u.Origin, c.ID, kind, o.prefix, pathString(u.Path), u.PeerASN, u.Host),
			})
		}
	}
	for _, p := range u.Withdrawals {
		for _, o := range d.owners {
			if !o.prefix.Overlaps(p) {
				continue
			}
			c := &d.cfg.Carriers[o.carrier]
			if s, ok := d.withdrawn(c, p, u.Time); ok {
				out = append(out, s)
			}
			break // count a withdrawal once per carrier even if two networks overlap it
		}
	}
	return out
}

// withdrawn records a withdrawal of a carrier's prefix and returns a signal
// when it completes a burst.
func (d *Detector) withdrawn(c *outage.Carrier, p netip.Prefix, at time.Time) (outage.Signal, bool) {
	b := d.withdraw[c.ID]
	if b == nil {
		b = &burst{}
		d.withdraw[c.ID] = b
	}
	if len(b.times) == d.cfg.WithdrawalBurst {
		b.times = b.times[1:]
	}
	b.times = append(b.times, at)
	if !slices.Contains(b.prefixes, p) && len(b.prefixes) < 16 {
		b.prefixes = append(b.prefixes, p)
	}
	if len(b.times) < d.cfg.WithdrawalBurst || at.Sub(b.times[0]) > d.cfg.WithdrawalWindow {
		return outage.Signal{}, false
	}
	key := "withdrawal " + c.ID
	if !d.arm(key, at) {
		return outage.Signal{}, false
	}
	s := outage.Signal{
		ID:           outage.NewSignalID(outage.SourceRouting, key, at.Format(time.RFC3339)),
		Organization: outage.SourceRouting, ObservedAt: at, Symptom: outage.RoutingWithdrawal,
		Prefixes: slices.Clone(b.prefixes), Concerns: []string{c.ID},
		Note: fmt.Sprintf("%d withdrawals of %s's prefixes within %s", len(b.times), c.ID, at.Sub(b.times[0])),
	}
	b.prefixes = b.prefixes[:0]
	return s, true
}

// arm reports whether a finding may make a signal now, and if so silences
// it for Rearm. Old findings are forgotten so the map stays small.
func (d *Detector) arm(key string, at time.Time) bool {
	if last, ok := d.fired[key]; ok && at.Sub(last) < d.cfg.Rearm {
		return false
	}
	d.fired[key] = at
	if len(d.fired) > 4096 {
		for k, t := range d.fired {
			if at.Sub(t) >= d.cfg.Rearm {
				delete(d.fired, k)
			}
		}
	}
	return true
}

func pathString(p []int64) string {
	s := make([]string, len(p))
	for i, a := range p {
		s[i] = strconv.FormatInt(a, 10)
	}
	return strings.Join(s, " ")
}
