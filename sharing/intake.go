package sharing

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// RefusalKind says why a submission was refused for its content.
type RefusalKind int

// The kinds of refusal; the HTTP layer maps them to 400, 413, 422 and 409.
const (
	RefusedMalformed   RefusalKind = iota + 1 // not a bundle at all: syntax, shape, nesting
	RefusedTooLarge                           // over a size limit
	RefusedInvalid                            // a bundle, but it breaks the STIX profile
	RefusedConflicting                        // a version is already stored with other content
)

// RefusedError is a submission refused for its content, with every violation.
// Nothing of a refused submission is stored.
type RefusedError struct {
	Kind       RefusalKind
	Violations []stix.Violation
}

func (e *RefusedError) Error() string {
	return (&stix.ValidationError{Violations: e.Violations}).Error()
}

// BundleChecker validates a decoded bundle; stix.SchemaValidator is one (strict mode).
type BundleChecker interface {
	Validate(b *stix.Bundle) error
}

// Intake validates, classifies and stores submissions (SHARING.md §6, first steps).
type Intake struct {
	Store    Store
	Registry *Registry
	Limits   stix.Limits
	Strict   BundleChecker      // optional: the OASIS schemas (--stix-schemas)
	Rules    *reporting.RuleSet // nil: the baseline rule set
	Router   *Router            // nil: no routing (the submission is only stored and classified)
	Copier   *Copier
	Designs  *DesignVault // nil: bundles with sensitive designs are refused
	Now      func() time.Time

	// mu serializes classification and storage, so that two versions of one
	// incident arriving together cannot both escalate from the same stored
	// obligations and lose one update. SQLite has one writer anyway.
	mu sync.Mutex
}

// Locker returns the lock that serializes classification and storage, for
// services that change obligations (Obligations.Serialize).
func (in *Intake) Locker() sync.Locker { return &in.mu }

// SubmitRequest is a submission as received: a bundle plus the envelope options
// of INTERFACES.md §6.
type SubmitRequest struct {
	Bundle        *stix.Bundle
	ShareWith     []string
	HoldForReview bool
}

// ParseSubmission decodes a request body: a STIX bundle, a TAXII envelope, or
// {"bundle": {…}, "share_with": […], "hold_for_review": bool}.
func (in *Intake) ParseSubmission(body []byte) (*SubmitRequest, error) {
	req := &SubmitRequest{}
	bundle := body
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && isWrapper(trimmed) {
		var w map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &w); err != nil {
			return nil, &RefusedError{Kind: RefusedMalformed, Violations: []stix.Violation{{Path: "", Message: "the body is not valid JSON: " + err.Error()}}}
		}
		var v []stix.Violation
		for k, raw := range w {
			switch k {
			case "bundle":
				bundle = raw
			case "share_with":
				if err := json.Unmarshal(raw, &req.ShareWith); err != nil {
					v = append(v, stix.Violation{Path: "/share_with", Message: "must be a list of organization ids"})
				}
			case "hold_for_review":
				if err := json.Unmarshal(raw, &req.HoldForReview); err != nil {
					v = append(v, stix.Violation{Path: "/hold_for_review", Message: "must be true or false"})
				}
			default:
				v = append(v, stix.Violation{Path: "/" + k, Message: "is not a submission option; use bundle, share_with or hold_for_review"})
			}
		}
		for i, id := range req.ShareWith {
			if _, err := in.Registry.FindOrganizationByID(id); err != nil {
				v = append(v, stix.Violation{Path: fmt.Sprintf("/share_with/%d", i), Message: fmt.Sprintf("%q is not a registered organization", id)})
			}
		}
		if len(v) > 0 {
			return nil, &RefusedError{Kind: RefusedInvalid, Violations: v}
		}
	}
	b, err := stix.DecodeBundle(bundle, in.Limits)
	if err != nil {
		var ve *stix.ValidationError
		if errors.As(err, &ve) {
			kind := RefusedMalformed
			if ve.Limit {
				kind = RefusedTooLarge
			}
			return nil, &RefusedError{Kind: kind, Violations: prefixed(ve.Violations, bundle, body)}
		}
		return nil, err
	}
	req.Bundle = b
	return req, nil
}

// prefixed moves violation pointers under /bundle when the bundle came wrapped.
func prefixed(v []stix.Violation, bundle, body []byte) []stix.Violation {
	if len(bundle) == len(body) {
		return v
	}
	out := make([]stix.Violation, len(v))
	for i, x := range v {
		out[i] = stix.Violation{Path: "/bundle" + x.Path, Message: x.Message}
	}
	return out
}

// isWrapper reports whether the body is the submission wrapper
// {"bundle": …, "share_with": …} rather than a bundle or a TAXII envelope. It
// scans the body once without building the objects.
func isWrapper(body []byte) bool {
	var probe struct {
		Bundle json.RawMessage `json:"bundle"`
		Type   *string         `json:"type"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Bundle != nil && probe.Type == nil
}

// Submit validates and stores a submission from org. It returns the stored
// submission and whether it is new: an identical re-submission returns the
// earlier one. Refusals are *RefusedError; an incident attributed to another
// registered organization is ErrForbidden.
func (in *Intake) Submit(ctx context.Context, org *Organization, req *SubmitRequest) (*Submission, bool, error) {
	sub, created, err := in.submit(ctx, org, req)
	var re *RefusedError
	if errors.As(err, &re) || errors.Is(err, ErrForbidden) {
		detail := map[string]any{"error": err.Error()}
		if re != nil {
			detail = map[string]any{"violations": len(re.Violations), "kind": int(re.Kind)}
		}
		if aerr := in.Store.AppendAudit(ctx, AuditEvent{Actor: org.ID, Action: AuditIntakeReject, Detail: detail}); aerr != nil {
			return nil, false, fmt.Errorf("audit refusal: %w (refused: %v)", aerr, err)
		}
	}
	return sub, created, err
}

func (in *Intake) submit(ctx context.Context, org *Organization, req *SubmitRequest) (*Submission, bool, error) {
	b := req.Bundle
	var violations []stix.Violation
	if err := stix.Validate(b); err != nil {
		var ve *stix.ValidationError
		if !errors.As(err, &ve) {
			return nil, false, fmt.Errorf("validate: %w", err)
		}
		violations = append(violations, ve.Violations...)
	}
	if in.Strict != nil {
		if err := in.Strict.Validate(b); err != nil {
			var ve *stix.ValidationError
			if !errors.As(err, &ve) {
				return nil, false, fmt.Errorf("schema validate: %w", err)
			}
			violations = mergeViolations(violations, ve.Violations)
		}
	}
	if len(violations) > 0 {
		return nil, false, &RefusedError{Kind: RefusedInvalid, Violations: violations}
	}
	if err := in.checkAttribution(org, b); err != nil {
		return nil, false, err
	}

	// Sensitive designs are encrypted before anything else sees them: from
	// here on the bundle holds only the encrypted artifacts (SHARING.md §5).
	var designMACs map[string]string
	if in.Designs != nil {
		macs, v, err := in.Designs.Seal(ctx, b, org, req.ShareWith)
		if err != nil {
			return nil, false, err
		}
		if len(v) > 0 {
			return nil, false, &RefusedError{Kind: RefusedInvalid, Violations: v}
		}
		designMACs = macs
	} else if len(designRefs(b)) > 0 {
		return nil, false, &RefusedError{Kind: RefusedInvalid, Violations: []stix.Violation{{Path: "", Message: "this hub has no OpenPGP vault configured, so it cannot accept sensitive designs (sensitive_design_refs); nothing was stored"}}}
	}

	now := in.Now().UTC().Truncate(time.Microsecond)
	sub := &Submission{ID: uuid.NewString(), Organization: org.ID, ReceivedAt: now, BundleID: b.ID, ShareWith: req.ShareWith, HoldForReview: req.HoldForReview}
	var objs []*StoredObject
	seen := map[ObjectKey]string{}
	digest := sha256.New()
	for i, o := range b.Objects {
		js, err := Canonical(o.Props)
		if err != nil {
			return nil, false, fmt.Errorf("encode object %d: %w", i, err)
		}
		sum := sha256.Sum256(js)
		d := hex.EncodeToString(sum[:])
		if mac, ok := designMACs[o.ID]; ok {
			d = mac // stands for the submitted design without revealing it
		}
		key := ObjectKey{ID: o.ID, Version: o.Version()}
		if prev, dup := seen[key]; dup {
			if prev != d {
				violations = append(violations, stix.Violation{Path: fmt.Sprintf("/objects/%d", i), Message: fmt.Sprintf("%s appears twice in the bundle with the same version %q but different content; give the later one a later modified", o.ID, key.Version)})
			}
			continue
		}
		seen[key] = d
		fmt.Fprintf(digest, "%s %s %s\n", o.ID, key.Version, d)
		objs = append(objs, &StoredObject{ID: o.ID, Type: o.Type, Version: key.Version, SpecVersion: o.SpecVersion, Organization: org.ID, SubmissionID: sub.ID, DateAdded: now, Digest: d, JSON: js})
	}
	if len(violations) > 0 {
		return nil, false, &RefusedError{Kind: RefusedInvalid, Violations: violations}
	}
	sub.Digest = hex.EncodeToString(digest.Sum(nil))

	if prev, err := in.Store.FindSubmissionByDigest(ctx, org.ID, sub.Digest); err == nil {
		return prev, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, false, fmt.Errorf("find earlier submission: %w", err)
	}

	keys := make([]ObjectKey, len(objs))
	for i, o := range objs {
		keys[i] = ObjectKey{o.ID, o.Version}
	}
	stored, err := in.Store.FindObjectDigests(ctx, keys)
	if err != nil {
		return nil, false, fmt.Errorf("find stored versions: %w", err)
	}
	fresh := objs[:0:0]
	for i, o := range objs {
		d, exists := stored[keys[i]]
		sub.Objects = append(sub.Objects, SubmittedObject{ID: o.ID, Type: o.Type, Version: o.Version, New: !exists})
		switch {
		case !exists:
			fresh = append(fresh, o)
		case d != o.Digest:
			violations = append(violations, stix.Violation{Path: fmt.Sprintf("/objects/%d", indexOf(b, o.ID, o.Version)), Message: fmt.Sprintf("%s version %q is already stored with different content; a changed object needs a later modified", o.ID, o.Version)})
		}
	}
	if len(violations) > 0 {
		return nil, false, &RefusedError{Kind: RefusedConflicting, Violations: violations}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	rec := &IntakeRecord{Submission: sub, Objects: fresh}
	rec.Audit = append(rec.Audit, AuditEvent{Actor: org.ID, Action: AuditIntake, Subject: sub.ID, Detail: map[string]any{"objects": len(objs), "new_objects": len(fresh), "digest": sub.Digest}})
	if err := in.classify(ctx, org, b, now, rec); err != nil {
		return nil, false, err
	}
	if in.Router != nil {
		if err := in.route(ctx, org, req, rec); err != nil {
			return nil, false, err
		}
	}
	if err := in.Store.CreateSubmission(ctx, rec); err != nil {
		if errors.Is(err, ErrConflict) {
			// A concurrent identical submission won the race: answer with it.
			if prev, ferr := in.Store.FindSubmissionByDigest(ctx, org.ID, sub.Digest); ferr == nil {
				return prev, false, nil
			}
		}
		return nil, false, fmt.Errorf("store submission: %w", err)
	}
	return sub, true, nil
}

// classify runs the reporting rules on every telecom incident of the bundle
// for the submitting organization and merges the obligations into those
// already recorded for the incident (they only escalate, product decision 3).
func (in *Intake) classify(ctx context.Context, org *Organization, b *stix.Bundle, now time.Time, rec *IntakeRecord) error {
	rs := in.Rules
	if rs == nil {
		var err error
		if rs, err = reporting.RuleSetByName(reporting.DefaultRuleSet); err != nil {
			return err
		}
	}
	facts := org.ReportingFacts()
	var violations []stix.Violation
	for i, o := range b.Objects {
		if o.Type != "incident" {
			continue
		}
		res, err := reporting.Classify(o, facts, rs, now)
		if errors.Is(err, reporting.ErrNotTelecomIncident) {
			continue
		}
		if err != nil {
			if errors.Is(err, reporting.ErrInvalidIncident) {
				violations = append(violations, stix.Violation{Path: fmt.Sprintf("/objects/%d/extensions/%s", i, stix.TelecomExtensionID), Message: err.Error()})
				continue
			}
			return fmt.Errorf("classify %s: %w", o.ID, err)
		}
		incID, orgID := o.ID, org.ID
		prev, err := in.Store.FindObligations(ctx, reporting.ObligationFilter{IncidentID: &incID, Organization: &orgID})
		if err != nil {
			return fmt.Errorf("find obligations of %s: %w", o.ID, err)
		}
		merged := reporting.Escalate(prev, res.Obligations)
		for j := range merged {
			m := &merged[j]
			if m.ID == "" {
				m.ID = reporting.ObligationID(o.ID, org.ID, m.Kind)
				m.CreatedAt = now
			}
			m.IncidentID, m.Organization, m.UpdatedAt = o.ID, org.ID, now
		}
		// A deadline that has already passed when the report arrives is overdue at once.
		for _, late := range reporting.Sweep(merged, now) {
			for j := range merged {
				if merged[j].ID == late.ID {
					merged[j] = late
				}
			}
		}
		res.Obligations = merged
		rec.Obligations = append(rec.Obligations, merged...)
		rec.Submission.Incidents = append(rec.Submission.Incidents, res)
		kinds := make([]string, len(merged))
		for j, m := range merged {
			kinds[j] = string(m.Kind) + ":" + string(m.Status)
		}
		rec.Audit = append(rec.Audit, AuditEvent{Actor: org.ID, Action: AuditClassification, Subject: o.ID,
			Detail: map[string]any{"submission": rec.Submission.ID, "modified": res.Modified, "rule_set": rs.Name, "classification": string(res.Classification), "provisional": res.Provisional, "obligations": kinds}})
	}
	if len(violations) > 0 {
		return &RefusedError{Kind: RefusedInvalid, Violations: violations}
	}
	return nil
}

// route plans where each object goes, builds every copy (anonymized and
// leak-checked for the community) and records what is released, held or
// withheld, and what earlier copies this version revokes (SHARING.md §6).
func (in *Intake) route(ctx context.Context, org *Organization, req *SubmitRequest, rec *IntakeRecord) error {
	sub := rec.Submission
	rr := RouteRequest{Bundle: req.Bundle, Submitter: org, ShareWith: req.ShareWith, Incidents: sub.Incidents}
	sub.Plan = in.Router.Plan(rr)
	hold := req.HoldForReview || org.HoldForReview
	var candidates []ChannelEntry
	// Copies are independent of each other: build them in parallel.
	copies := make([]Copy, len(sub.Plan.Channels))
	buildErrs := make([]error, len(sub.Plan.Channels))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, route := range sub.Plan.Channels {
		var alsoVisible []string
		if route.Named {
			for _, other := range sub.Plan.Channels {
				if other.Channel == route.Channel && !other.Named {
					alsoVisible = other.Objects
				}
			}
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			copies[i], buildErrs[i] = in.Copier.Build(rr, route, hold, alsoVisible)
		}()
	}
	wg.Wait()
	for i, route := range sub.Plan.Channels {
		cp, err := copies[i], buildErrs[i]
		if err != nil {
			// Fail closed: a copy the hub could not make safely is withheld
			// for review, and the rest of the flow goes on.
			cp = Copy{Route: route, Status: StatusWithheld, Notice: "Withheld: the hub could not build a valid copy for this channel; it is queued for review."}
			rec.Audit = append(rec.Audit, AuditEvent{Actor: "hub", Action: AuditWithheld, Subject: sub.ID,
				Detail: map[string]any{"channel": string(route.Channel), "error": err.Error()}})
		}
		stored := StoredCopy{SubmissionID: sub.ID, Index: i, Route: route, Status: cp.Status, Hits: cp.Hits, Notice: cp.Notice}
		if cp.Bundle != nil {
			if stored.Bundle, err = json.Marshal(cp.Bundle); err != nil {
				return fmt.Errorf("encode copy: %w", err)
			}
		}
		rec.Copies = append(rec.Copies, stored)
		entries, err := entriesOf(cp, sub)
		if err != nil {
			return err
		}
		candidates = append(candidates, entries...)
		detail := map[string]any{"channel": string(route.Channel), "recipients": len(route.Recipients), "objects": len(route.Objects), "status": string(cp.Status)}
		action := AuditRelease
		if cp.Status == StatusWithheld {
			action = AuditWithheld
			var pointers []string
			for _, h := range cp.Hits {
				pointers = append(pointers, h.Pointer+" ("+string(h.Kind)+")")
			}
			detail["hits"] = pointers
		}
		rec.Audit = append(rec.Audit, AuditEvent{Actor: org.ID, Action: action, Subject: sub.ID, Detail: detail})
	}
	// What the channels already hold of these objects, in one query.
	ids := map[string]bool{}
	for _, o := range req.Bundle.Objects {
		ids[o.ID] = true
	}
	for _, e := range candidates {
		ids[e.ObjectID] = true
	}
	prior, err := in.Store.FindReleasedEntries(ctx, slices.Collect(maps.Keys(ids)))
	if err != nil {
		return err
	}
	held := map[string][]ChannelEntry{} // channel + object → released entries
	for _, e := range prior {
		k := string(e.Channel) + " " + e.ObjectID
		held[k] = append(held[k], e)
	}
	for _, e := range candidates {
		prev := held[string(e.Channel)+" "+e.ObjectID]
		if slices.ContainsFunc(prev, func(p ChannelEntry) bool { return p.Version == e.Version && slices.Equal(p.Recipients, e.Recipients) }) {
			continue // this exact version is already in the channel for these readers
		}
		rec.Entries = append(rec.Entries, e)
	}
	revoked, tombstones, err := revocations(sub, req.Bundle, sub.Plan, held)
	if err != nil {
		return err
	}
	rec.Revoked = revoked
	// Tombstones go in before the new entries: a reader who is both in a
	// revoked group and in a group the new version reaches must see the new
	// version, which wins ties by its later seq.
	rec.Entries = append(tombstones, rec.Entries...)
	for _, r := range revoked {
		rec.Audit = append(rec.Audit, AuditEvent{Actor: org.ID, Action: AuditRevoked, Subject: r.ObjectID,
			Detail: map[string]any{"channel": string(r.Channel), "version": r.Version, "by_submission": sub.ID}})
	}
	return nil
}

// checkAttribution refuses incidents carrying the telecom extension that name
// another registered organization as their author (PROFILE.md §1): nobody
// reports on behalf of another carrier.
func (in *Intake) checkAttribution(org *Organization, b *stix.Bundle) error {
	for i, o := range b.Objects {
		if o.Type != "incident" || o.CreatedByRef == "" || o.CreatedByRef == org.Identity {
			continue
		}
		if _, has, _ := o.TelecomExtension(); !has {
			continue
		}
		if other, err := in.Registry.FindOrganizationByIdentity(o.CreatedByRef); err == nil {
			return fmt.Errorf("/objects/%d: incident %s names %s as its author; an organization reports only its own incidents: %w", i, o.ID, other.ID, ErrForbidden)
		}
	}
	return nil
}

func indexOf(b *stix.Bundle, id, version string) int {
	return slices.IndexFunc(b.Objects, func(o *stix.Object) bool { return o.ID == id && o.Version() == version })
}

// mergeViolations appends the strict-mode violations the own validator did not
// already report at the same pointer.
func mergeViolations(own, strict []stix.Violation) []stix.Violation {
	seen := map[string]bool{}
	for _, v := range own {
		seen[v.Path] = true
	}
	for _, v := range strict {
		if !seen[v.Path] {
			own = append(own, v)
			seen[v.Path] = true
		}
	}
	return own
}

// Canonical encodes a decoded STIX object deterministically (keys sorted,
// numbers as written, no HTML escaping), so that the same object always has
// the same digest however it was formatted on the wire.
func Canonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
