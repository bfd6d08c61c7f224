package sharing

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/outage"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// The STIX form of a sector event (INTERFACES §9): a grouping owned by the
// hub (STIX 2.1 §4.6) whose object_refs are the signals' copies, released in
// the event channels as a submission of the hub, each version with the
// audit entries that audit verification checks the channels against.
//
//   - sector-events-regulator, for the regulator: the grouping with the
//     identified view, the carriers' signal incidents as they submitted
//     them, and the outside sources' signals as incidents of the hub.
//   - sector-events, for the carriers that signalled, the ISAC and NISC:
//     the grouping with the anonymized view and one incident of the hub per
//     signal (time, source, symptom, regions) under an id keyed with IDKey,
//     so it cannot be linked to the signal's own id. The bundle goes
//     through the anonymizer's leak check for every registry party; on a
//     hit it is not released (Events.Withheld counts it).

// groupingID reuses the UUID of the event id (outage derives it from the
// opening signals).
func groupingID(eventID string) string {
	return "grouping--" + strings.TrimPrefix(eventID, "sector-event--")
}

// publish releases the version of the event in both channels.
func (e *Events) publish(ctx context.Context, ev *outage.Event, identified, anonymized outage.View) error {
	gid := groupingID(ev.ID)
	modified, err := e.nextModified(ctx, gid, ev.UpdatedAt)
	if err != nil {
		return err
	}
	var parts []eventCopy
	regulators := e.audience(ev, sightIdentified)
	if len(regulators) > 0 {
		objs, err := e.identifiedObjects(ctx, ev, identified, gid, modified)
		if err != nil {
			return err
		}
		parts = append(parts, eventCopy{channel: ChannelSectorEventsRegulator, recipients: regulators, objects: objs})
	}
	if readers := e.audience(ev, sightAnonymized); len(readers) > 0 && e.Leaks != nil {
		objs, err := e.anonymizedObjects(ev, anonymized, gid, modified)
		if err != nil {
			return err
		}
		if hits := e.Leaks.LeakCheck(&stix.Bundle{ID: "bundle--" + uuid.NewString(), Objects: objs}, ""); len(hits) > 0 {
			e.Withheld.Add(1)
			e.Log.Error("anonymized sector event withheld by the leak check", "event", ev.ID, "hits", len(hits))
		} else {
			parts = append(parts, eventCopy{channel: ChannelSectorEvents, recipients: readers, objects: objs})
		}
	}
	if len(parts) == 0 {
		return nil
	}
	rec, err := e.release(ctx, parts)
	if err != nil || rec == nil {
		return err
	}
	return e.Publisher.CreateSubmission(ctx, rec)
}

// eventCopy is what one channel receives of an event version.
type eventCopy struct {
	channel    Channel
	recipients []string
	objects    []*stix.Object
}

// audience lists the registry organizations that see the event so.
func (e *Events) audience(ev *outage.Event, s sight) []string {
	var out []string
	for _, o := range e.Registry.Organizations() {
		if e.sight(o, ev) == s {
			out = append(out, o.ID)
		}
	}
	return out
}

// nextModified is the modified of the next version of the grouping: the
// event's update time, later than the last version released (STIX 2.1
// §3.6: every version needs a later modified).
func (e *Events) nextModified(ctx context.Context, gid string, at time.Time) (time.Time, error) {
	at = at.UTC().Truncate(time.Millisecond)
	e.mu.Lock()
	last, known := e.lastMod[gid]
	e.mu.Unlock()
	if !known {
		prior, err := e.Publisher.FindReleasedEntries(ctx, HubOrganization, []string{gid})
		if err != nil {
			return at, err
		}
		for _, p := range prior {
			if t, err := time.Parse(time.RFC3339Nano, p.Version); err == nil && t.After(last) {
				last = t
			}
		}
	}
	if !at.After(last) {
		at = last.Add(time.Millisecond)
	}
	e.mu.Lock()
	e.lastMod[gid] = at
	e.mu.Unlock()
	return at, nil
}

func viewValue(v outage.View) (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(EncodeJSON(v), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func (e *Events) grouping(ev *outage.Event, v outage.View, gid string, modified time.Time, refs []string) (*stix.Object, error) {
	val, err := viewValue(v)
	if err != nil {
		return nil, err
	}
	refList := make([]any, len(refs))
	for i, r := range refs {
		refList[i] = r
	}
	carriers := "fewer than three carriers"
	if v.Carriers.Named {
		carriers = strings.Join(v.Carriers.IDs, ", ")
	} else if v.Carriers.Count >= 3 {
		carriers = fmt.Sprintf("%d carriers", v.Carriers.Count)
	}
	symptoms := make([]string, len(v.Symptoms))
	for i, s := range v.Symptoms {
		symptoms[i] = string(s)
	}
	return stix.NewObject(map[string]any{
		"type": "grouping", "spec_version": stix.SpecVersion, "id": gid,
		"created": stix.FormatTimestamp(ev.OpenedAt), "modified": stix.FormatTimestamp(modified),
		"name": "Sector event " + string(v.Status) + ": " + strings.Join(symptoms, ", "),
		"description": fmt.Sprintf("Outage signals of %s correlated by the hub (regions %s); opened %s.",
			carriers, strings.Join(v.Regions, ", "), stix.FormatTimestamp(ev.OpenedAt)),
		"context": "unspecified", "object_refs": refList, "created_by_ref": stix.HubIdentityID,
		"object_marking_refs": []any{stix.MarkingAmberStrict}, "x_kakehashi_sector_event": val,
	})
}

// signalCopy is an incident of the hub standing for one signal.
func signalCopy(id string, s *outage.Signal, identified bool) (*stix.Object, error) {
	sig := map[string]any{"observed_at": stix.FormatTimestamp(s.ObservedAt), "symptom": string(s.Symptom),
		"source": sourceName(s.Organization)}
	if len(s.Regions) > 0 {
		sig["regions"] = anyList(s.Regions)
	}
	name := "Outage signal: " + string(s.Symptom)
	if identified {
		sig["organization"] = s.Organization
		if len(s.UpstreamASNs) > 0 {
			l := make([]any, len(s.UpstreamASNs))
			for i, a := range s.UpstreamASNs {
				l[i] = a
			}
			sig["upstream_asns"] = l
		}
		if len(s.Prefixes) > 0 {
			l := make([]any, len(s.Prefixes))
			for i, p := range s.Prefixes {
				l[i] = p.String()
			}
			sig["prefixes"] = l
		}
		if s.Note != "" {
			sig["note"] = s.Note
		}
	}
	at := stix.FormatTimestamp(s.ObservedAt)
	return stix.NewObject(map[string]any{
		"type": "incident", "spec_version": stix.SpecVersion, "id": id, "created": at, "modified": at,
		"name": name, "created_by_ref": stix.HubIdentityID, "object_marking_refs": []any{stix.MarkingAmberStrict},
		"x_kakehashi_signal": sig,
	})
}

func sourceName(org string) string {
	if outage.IsOutsideSource(org) {
		return org
	}
	return "carrier"
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// support is the hub identity and the marking the copies use.
func support() ([]*stix.Object, error) {
	m, _ := stix.StandardMarkingObject(stix.MarkingAmberStrict)
	var out []*stix.Object
	for _, props := range []map[string]any{stix.HubIdentity(), m} {
		o, err := stix.NewObject(props)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// identifiedObjects is the regulator's copy: the carriers' signals as stored
// (the copies intake keeps of them), outside signals as the hub's incidents.
func (e *Events) identifiedObjects(ctx context.Context, ev *outage.Event, v outage.View, gid string, modified time.Time) ([]*stix.Object, error) {
	var objs []*stix.Object
	var refs []string
	for i := range ev.Signals {
		s := &ev.Signals[i]
		var o *stix.Object
		if !outage.IsOutsideSource(s.Organization) {
			stored, err := e.Publisher.FindLatestObject(ctx, s.Organization, s.ID)
			switch {
			case err == nil:
				o, err = stix.DecodeObject(stored.JSON)
				if err != nil {
					return nil, fmt.Errorf("stored signal %s: %w", s.ID, err)
				}
			case errors.Is(err, ErrNotFound):
			default:
				return nil, err
			}
		}
		if o == nil {
			var err error
			if o, err = signalCopy(s.ID, s, true); err != nil {
				return nil, err
			}
		}
		if !slices.Contains(refs, o.ID) {
			refs = append(refs, o.ID)
			objs = append(objs, o)
		}
	}
	g, err := e.grouping(ev, v, gid, modified, refs)
	if err != nil {
		return nil, err
	}
	sup, err := support()
	if err != nil {
		return nil, err
	}
	return append(append([]*stix.Object{g}, objs...), sup...), nil
}

// anonymizedObjects is the copy for the carriers that signalled, the ISAC
// and NISC.
func (e *Events) anonymizedObjects(ev *outage.Event, v outage.View, gid string, modified time.Time) ([]*stix.Object, error) {
	var objs []*stix.Object
	var refs []string
	for i := range ev.Signals {
		s := &ev.Signals[i]
		mac := hmac.New(sha256.New, e.IDKey)
		mac.Write([]byte("kakehashi sector event signal\x00" + s.ID))
		id := "incident--" + uuid.NewHash(sha256.New(), uuid.NameSpaceOID, mac.Sum(nil), 5).String()
		o, err := signalCopy(id, s, false)
		if err != nil {
			return nil, err
		}
		refs = append(refs, id)
		objs = append(objs, o)
	}
	g, err := e.grouping(ev, v, gid, modified, refs)
	if err != nil {
		return nil, err
	}
	sup, err := support()
	if err != nil {
		return nil, err
	}
	return append(append([]*stix.Object{g}, objs...), sup...), nil
}

// release is the hub's submission that releases the copies: the entries
// the channels do not hold yet for these readers, and per copy an audit
// entry with the readers and the digests of its entries. nil: nothing new.
func (e *Events) release(ctx context.Context, parts []eventCopy) (*IntakeRecord, error) {
	sub := &Submission{ID: uuid.NewString(), Organization: HubOrganization, ReceivedAt: e.Now().UTC().Truncate(time.Microsecond)}
	var ids []string
	for _, p := range parts {
		for _, o := range p.objects {
			ids = append(ids, o.ID)
		}
	}
	prior, err := e.Publisher.FindReleasedEntries(ctx, HubOrganization, ids)
	if err != nil {
		return nil, err
	}
	rec := &IntakeRecord{Submission: sub}
	digest := sha256.New()
	for _, p := range parts {
		var digests []string
		route := Route{Channel: p.channel, Profile: p.channel.Profile(), Recipients: p.recipients, Named: true}
		for _, o := range p.objects {
			js, err := stix.Canonical(o.Props)
			if err != nil {
				return nil, err
			}
			route.Objects = append(route.Objects, o.ID)
			version := o.Version()
			if slices.ContainsFunc(prior, func(x ChannelEntry) bool {
				return x.Channel == p.channel && x.ObjectID == o.ID && x.Version == version && sameGroup(x.Recipients, p.recipients)
			}) {
				continue
			}
			sum := sha256.Sum256(js)
			d := hex.EncodeToString(sum[:])
			fmt.Fprintf(digest, "%s %s %s %s\n", p.channel, o.ID, version, d)
			digests = append(digests, d)
			rec.Entries = append(rec.Entries, ChannelEntry{Channel: p.channel, ObjectID: o.ID, Version: version, SubmissionID: sub.ID,
				Organization: HubOrganization, Recipients: p.recipients, Status: StatusReleased, DateAdded: sub.ReceivedAt, JSON: js})
		}
		sub.Plan.Channels = append(sub.Plan.Channels, route)
		if len(digests) > 0 {
			rec.Audit = append(rec.Audit, AuditEvent{Actor: HubOrganization, Action: AuditRelease, Subject: sub.ID,
				Detail: map[string]any{"channel": string(p.channel), "named": true, "recipients": p.recipients,
					"status": string(StatusReleased), "entries": digests, "sector_event": true}})
		}
	}
	if len(rec.Entries) == 0 {
		return nil, nil
	}
	sub.Digest = hex.EncodeToString(digest.Sum(nil))
	return rec, nil
}
