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
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/kakehashi-hub/kakehashi/anonymize"
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
	Signals  *Signals     // nil: outage signals are stored but not correlated (signal.go)
	Now      func() time.Time
	// Earliest and FutureSkew bound the times of the telecom extension
	// (TimeWindow); zero values: DefaultEarliest and DefaultFutureSkew.
	Earliest   time.Time
	FutureSkew time.Duration

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

// ParseSubmission decodes a request body from caller: a STIX bundle, a TAXII
// envelope, or {"bundle": {…}, "share_with": […], "hold_for_review": bool}.
// A caller whose role may not submit is ErrForbidden before the body is read.
func (in *Intake) ParseSubmission(caller *Organization, body []byte) (*SubmitRequest, error) {
	if !MaySubmit(caller) {
		return nil, fmt.Errorf("your organization's role may not submit: %w", ErrForbidden)
	}
	req := &SubmitRequest{}
	bundle := body
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' && mayBeWrapper(trimmed) && isWrapper(trimmed) {
		var w map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &w); err != nil {
			return nil, &RefusedError{Kind: RefusedMalformed, Violations: []stix.Violation{{Path: "", Message: "the body is not valid JSON: " + err.Error()}}}
		}
		var v []stix.Violation
		for _, k := range slices.Sorted(maps.Keys(w)) { // in a stable order
			raw := w[k]
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
				v = append(v, stix.Violation{Path: "/" + pointerToken(k), Message: "is not a submission option; use bundle, share_with or hold_for_review"})
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

// pointerToken escapes a member name for a JSON pointer (RFC 6901 §3).
func pointerToken(k string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(k)
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

// mayBeWrapper is a quick test before isWrapper, which decodes the whole
// body (3 % of a 1,000-object intake): it is false when no member name of
// the body can be "bundle" in any case — no `bundle"` followed by a colon,
// and no \u escape that could spell one — and then isWrapper is false too.
// encoding/json matches member names case-insensitively, and no non-ASCII
// letter folds to one of b, u, n, d, l, e.
func mayBeWrapper(body []byte) bool {
	if bytes.Contains(body, []byte(`\u`)) {
		return true
	}
	for i := 0; ; i++ {
		q := bytes.IndexByte(body[i:], '"')
		if q < 0 {
			return false
		}
		i += q
		if i < 6 || !endsBundle(body[i-6:i]) {
			continue
		}
		j := i + 1
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
			j++
		}
		if j < len(body) && body[j] == ':' {
			return true
		}
	}
}

// endsBundle reports whether b is "bundle" in any ASCII case (c|0x20 is the
// lower case of an ASCII letter, and only of it).
func endsBundle(b []byte) bool {
	for k, c := range []byte("bundle") {
		if b[k]|0x20 != c {
			return false
		}
	}
	return true
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
// earlier one. Refusals of the content — invalid STIX, an object speaking for
// another organization, a version of an object org does not own — are
// *RefusedError; a role that may not submit is ErrForbidden.
func (in *Intake) Submit(ctx context.Context, org *Organization, req *SubmitRequest) (*Submission, bool, error) {
	sub, _, created, err := in.SubmitCopies(ctx, org, req)
	return sub, created, err
}

// SubmitCopies is Submit that also returns, for a new submission, the
// copies intake stored in the submission's transaction, in plan order, with
// their status as stored: what FindCopies would read back (without their
// bundles), so that the intake answer need not read the submission again.
// They are nil when the submission is not new: an earlier submission's
// copies may have changed since (released after review) and are to be read.
func (in *Intake) SubmitCopies(ctx context.Context, org *Organization, req *SubmitRequest) (*Submission, []StoredCopy, bool, error) {
	if !MaySubmit(org) {
		return nil, nil, false, fmt.Errorf("your organization's role may not submit: %w", ErrForbidden)
	}
	sub, copies, created, err := in.submit(ctx, org, req)
	var re *RefusedError
	if errors.As(err, &re) || errors.Is(err, ErrForbidden) {
		detail := map[string]any{"error": err.Error()}
		if re != nil {
			detail = map[string]any{"violations": len(re.Violations), "kind": int(re.Kind)}
		}
		if aerr := in.Store.AppendAudit(ctx, AuditEvent{Actor: org.Actor(), Action: AuditIntakeReject, Detail: detail}); aerr != nil {
			return nil, nil, false, fmt.Errorf("audit refusal: %w (refused: %v)", aerr, err)
		}
	}
	if !created {
		copies = nil
	}
	return sub, copies, created, err
}

func (in *Intake) submit(ctx context.Context, org *Organization, req *SubmitRequest) (*Submission, []StoredCopy, bool, error) {
	now := in.Now().UTC().Truncate(time.Microsecond)
	recv, warnings, err := in.receive(ctx, org, req, now)
	if err != nil {
		return nil, nil, false, err
	}
	defer warnings() // nothing outlives the submission
	sub, objs := recv.sub, recv.objs
	if prev, err := in.Store.FindSubmissionByDigest(ctx, org.ID, sub.Digest); err == nil {
		prev.Warnings = warnings()
		return prev, nil, false, nil // idempotent: the same bundle from the same organization
	} else if !errors.Is(err, ErrNotFound) {
		return nil, nil, false, fmt.Errorf("find earlier submission: %w", err)
	}

	in.mu.Lock()
	defer in.mu.Unlock()
	own, err := in.own(ctx, org, req.Bundle, recv)
	if err != nil {
		return nil, nil, false, err
	}
	sub.Objects = own.submitted
	fresh := own.fresh
	classified, err := in.classify(ctx, org, req.Bundle, sub.ID, now)
	if err != nil {
		return nil, nil, false, err
	}
	sub.Incidents = classified.results
	rec := &IntakeRecord{Submission: sub, Objects: fresh, Claims: own.claims, Obligations: classified.obligations}
	rec.Audit = append(rec.Audit, AuditEvent{Actor: org.Actor(), Action: AuditIntake, Subject: sub.ID, Detail: map[string]any{"objects": len(objs), "new_objects": len(fresh), "digest": sub.Digest}})
	rec.Audit = append(rec.Audit, classified.audit...)
	routed := in.routeBeside(ctx, org, req, sub, recv.encoded, rec)
	err = in.Store.CreateSubmission(ctx, rec)
	copies, routeErr := routed() // routing is over (the store may have failed before it waited)
	if err != nil {
		if routeErr != nil && errors.Is(err, routeErr) {
			return nil, nil, false, routeErr // as if routing had failed before the transaction
		}
		if errors.Is(err, ErrConflict) {
			// A concurrent identical submission won the race: answer with it.
			if prev, ferr := in.Store.FindSubmissionByDigest(ctx, org.ID, sub.Digest); ferr == nil {
				prev.Warnings = warnings()
				return prev, nil, false, nil
			}
		}
		return nil, nil, false, fmt.Errorf("store submission: %w", err)
	}
	in.Signals.fromIntake(org, req.Bundle)
	sub.Warnings = warnings()
	return sub, copies, true, nil
}

// receive is the stages before the intake lock: the bundle is checked,
// its sensitive designs sealed, its objects encoded and the submission
// digested (newSubmission). A bundle without sensitive designs is final as
// received: its objects are encoded on the other core while they are
// checked, and its warnings found beside the later stages; the returned
// function waits for them.
func (in *Intake) receive(ctx context.Context, org *Organization, req *SubmitRequest, now time.Time) (*received, func() []stix.Warning, error) {
	var (
		pre     *received
		preErr  error
		preDone = make(chan struct{})
	)
	final := len(designRefs(req.Bundle)) == 0
	if final {
		go func() {
			defer close(preDone)
			pre, preErr = newSubmission(org, req, nil, now)
		}()
	} else {
		close(preDone)
	}
	if err := in.check(org, req.Bundle, now); err != nil {
		<-preDone
		return nil, nil, err
	}
	warnings := in.warnLater(ctx, org, req.Bundle, final)
	// Sensitive designs are encrypted before anything else sees them: from
	// here on the bundle holds only the encrypted artifacts (SHARING.md §5).
	designMACs, err := in.sealDesigns(ctx, org, req)
	<-preDone
	recv := pre
	if err == nil {
		err = preErr
		if pre == nil && preErr == nil || designMACs != nil { // not encoded ahead, or designs sealed since
			recv, err = newSubmission(org, req, designMACs, now)
		}
	}
	if err != nil {
		warnings()
		return nil, nil, err
	}
	return recv, warnings, nil
}

// routeBeside starts routing (plan, copies, anonymization) on another core
// while the store writes the submission's objects in the transaction it
// then completes with what routing made, part by part (rec.Routing); the
// intake lock is held throughout. The channel holds every part routing can
// give, so that routing never waits for a store that has failed. The
// returned function waits for routing to end and gives its copies.
func (in *Intake) routeBeside(ctx context.Context, org *Organization, req *SubmitRequest, sub *Submission, enc encodings, rec *IntakeRecord) func() ([]StoredCopy, error) {
	if in.Router == nil {
		return func() ([]StoredCopy, error) { return nil, nil }
	}
	var (
		copies   []StoredCopy
		routeErr error
		done     = make(chan struct{})
		parts    = make(chan RoutedPart, routedParts)
	)
	go func() {
		defer close(done)
		defer close(parts)
		copies, routeErr = in.route(ctx, org, req, sub, enc, func(p RoutedPart) { parts <- p })
	}()
	rec.Routing = func() (RoutedPart, bool, error) {
		p, ok := <-parts
		if !ok {
			return RoutedPart{}, false, routeErr // closed after routing returned
		}
		return p, true, nil
	}
	return func() ([]StoredCopy, error) { <-done; return copies, routeErr }
}

// warnLater finds what the reference validator would warn about in b (told,
// never refused), on another goroutine when async — the bundle is final, so
// nothing changes it meanwhile — and returns the function that waits for the
// answer.
func (in *Intake) warnLater(ctx context.Context, org *Organization, b *stix.Bundle, async bool) func() []stix.Warning {
	var ws []stix.Warning
	done := make(chan struct{})
	find := func() {
		defer close(done)
		ws = stix.Warnings(b, func(id string) bool {
			_, err := in.Store.FindLatestObject(ctx, org.ID, id)
			return err == nil
		})
	}
	if async {
		go find()
	} else {
		find()
	}
	return func() []stix.Warning { <-done; return ws }
}

// check is the first stage: the bundle is valid STIX under the hub's profile
// (and the OASIS schemas in strict mode), speaks only for its submitter, and
// its telecom times are plausible. It reads nothing stored.
func (in *Intake) check(org *Organization, b *stix.Bundle, now time.Time) error {
	var violations []stix.Violation
	if err := stix.Validate(b); err != nil {
		var ve *stix.ValidationError
		if !errors.As(err, &ve) {
			return fmt.Errorf("validate: %w", err)
		}
		violations = append(violations, ve.Violations...)
	}
	if in.Strict != nil {
		if err := in.Strict.Validate(b); err != nil {
			var ve *stix.ValidationError
			if !errors.As(err, &ve) {
				return fmt.Errorf("schema validate: %w", err)
			}
			violations = mergeViolations(violations, ve.Violations)
		}
	}
	violations = append(violations, checkAttribution(org, b)...)
	violations = append(violations, in.window(now).check(b)...)
	violations = append(violations, checkSignals(b)...)
	if len(violations) > 0 {
		return &RefusedError{Kind: RefusedInvalid, Violations: violations}
	}
	return nil
}

// sealDesigns is the second stage: sensitive designs are encrypted to the
// organizations entitled to them. It returns, per design, the MAC that stands
// for its plaintext in the submission digest.
func (in *Intake) sealDesigns(ctx context.Context, org *Organization, req *SubmitRequest) (map[string]string, error) {
	if in.Designs == nil {
		if len(designRefs(req.Bundle)) > 0 {
			return nil, &RefusedError{Kind: RefusedInvalid, Violations: []stix.Violation{{Path: "", Message: "this hub has no OpenPGP vault configured, so it cannot accept sensitive designs (sensitive_design_refs); nothing was stored"}}}
		}
		return nil, nil
	}
	macs, v, err := in.Designs.Seal(ctx, req.Bundle, org, req.ShareWith)
	if err != nil {
		return nil, err
	}
	if len(v) > 0 {
		return nil, &RefusedError{Kind: RefusedInvalid, Violations: v}
	}
	return macs, nil
}

// received is a submission as newSubmission reads it.
type received struct {
	sub   *Submission
	objs  []*StoredObject // each version once, in bundle order
	index []int           // the bundle index of each of objs
	// encoded is the canonical JSON of every object of the bundle, for the
	// statutory copies, which carry the submitted objects as they are.
	encoded encodings
}

// newSubmission is the third stage: the canonical form and digest of every
// object, and the submission's digest (equal digests from one organization
// are an idempotent re-submission).
func newSubmission(org *Organization, req *SubmitRequest, designMACs map[string]string, now time.Time) (*received, error) {
	b := req.Bundle
	sub := &Submission{ID: uuid.NewString(), Organization: org.ID, ReceivedAt: now, BundleID: b.ID, ShareWith: req.ShareWith, HoldForReview: req.HoldForReview}
	out := &received{sub: sub, encoded: make(encodings, len(b.Objects))}
	var violations []stix.Violation
	seen := map[ObjectKey]string{}
	digest := sha256.New()
	for i, o := range b.Objects {
		js, err := out.encoded.of(o)
		if err != nil {
			return nil, fmt.Errorf("encode object %d: %w", i, err)
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
		out.objs = append(out.objs, &StoredObject{ID: o.ID, Type: o.Type, Version: key.Version, SpecVersion: o.SpecVersion, Organization: org.ID, SubmissionID: sub.ID, DateAdded: now, Digest: d, JSON: js})
		out.index = append(out.index, i)
	}
	if len(violations) > 0 {
		return nil, &RefusedError{Kind: RefusedInvalid, Violations: violations}
	}
	sub.Digest = hex.EncodeToString(digest.Sum(nil))
	return out, nil
}

// encodings holds the canonical JSON of the objects encoded so far in one
// submission, by object: the statutory copies carry the submitted objects
// and the community copies of one profile share their anonymized objects
// (Copier.BuildShared), so each is encoded once, not once per copy. Copies
// never change an object they share (stix.PruneReferencesShared clones
// what it prunes), so an object's JSON stays true.
type encodings map[*stix.Object][]byte

// of returns the canonical JSON of o, encoding it the first time.
func (e encodings) of(o *stix.Object) ([]byte, error) {
	if js, ok := e[o]; ok {
		return js, nil
	}
	js, err := stix.Canonical(o.Props)
	if err != nil {
		return nil, err
	}
	e[o] = js
	return js, nil
}

// adopt takes, as the encoding of each object the anonymizer made for the
// copies, the canonical JSON it carries (anonymize encodes every object it
// makes with stix.Canonical, and its leak check scans those bytes): such an
// object is never changed once made (finishing clones what it prunes), so
// the bytes stay true, and what the leak check scanned is what is served.
func (e encodings) adopt(copies []built) {
	for _, b := range copies {
		for _, o := range b.cp.anonymized {
			if _, ok := e[o]; !ok && o.Raw != nil {
				e[o] = o.Raw
			}
		}
	}
}

// prepare encodes the objects of the copies that are not encoded yet, on
// every core: the store is waiting for routing by then (Intake.submit), so
// these encodings (about 2,000 for a 1,000-object bundle) are on the
// acknowledgement's path. Canonical only reads the objects, and nothing
// changes them once the copies are built. An object that cannot be encoded
// is left out, for of to encode again and report; prepare reports whether
// every object is encoded, so that the copies may be read concurrently.
func (e encodings) prepare(copies []built) bool {
	var todo []*stix.Object
	seen := map[*stix.Object]bool{}
	for _, b := range copies {
		if b.cp.Bundle == nil {
			continue
		}
		for _, o := range b.cp.Bundle.Objects {
			if _, ok := e[o]; !ok && !seen[o] {
				seen[o] = true
				todo = append(todo, o)
			}
		}
	}
	js := make([][]byte, len(todo))
	onEveryCore(len(todo), 64, func(i int) { js[i], _ = stix.Canonical(todo[i].Props) })
	complete := true
	for i, o := range todo {
		if js[i] != nil {
			e[o] = js[i]
		} else {
			complete = false
		}
	}
	return complete
}

// owned is what the ownership stage decided.
type owned struct {
	submitted []SubmittedObject // every object of the submission, and whether it is new
	fresh     []*StoredObject   // the versions to store
	claims    []string          // the ids the submission claims for its submitter
}

// own is the fourth stage, under the intake lock: every object must be new or
// a version of the submitter's own (SHARING.md §1). It compares content only
// with the submitter's own stored versions, so that no answer depends on
// another organization's objects.
func (in *Intake) own(ctx context.Context, org *Organization, b *stix.Bundle, recv *received) (owned, error) {
	var out owned
	objs, idx := recv.objs, recv.index
	decoded := make([]*stix.Object, len(objs))
	for i := range objs {
		decoded[i] = b.Objects[idx[i]]
	}
	checked, err := checkOwnership(ctx, in.Store, in.Registry, org, decoded, idx)
	if err != nil {
		return out, err
	}
	if len(checked.refused) > 0 {
		return out, &RefusedError{Kind: RefusedInvalid, Violations: checked.refused}
	}
	keys := make([]ObjectKey, len(objs))
	for i, o := range objs {
		keys[i] = ObjectKey{o.ID, o.Version}
	}
	stored, err := in.Store.FindObjectDigests(ctx, org.ID, keys)
	if err != nil {
		return out, fmt.Errorf("find stored versions: %w", err)
	}
	var violations []stix.Violation
	for i, o := range objs {
		d, exists := stored[keys[i]]
		out.submitted = append(out.submitted, SubmittedObject{ID: o.ID, Type: o.Type, Version: o.Version, New: !exists})
		switch {
		case !exists:
			out.fresh = append(out.fresh, o)
		case d != o.Digest:
			violations = append(violations, stix.Violation{Path: fmt.Sprintf("/objects/%d", idx[i]), Message: fmt.Sprintf("%s version %q is already stored with different content; a changed object needs a later modified", o.ID, o.Version)})
		}
	}
	if len(violations) > 0 {
		return out, &RefusedError{Kind: RefusedConflicting, Violations: violations}
	}
	out.claims = checked.claims
	return out, nil
}

// classified is what classification adds to a submission.
type classified struct {
	results     []reporting.Result
	obligations []reporting.Obligation
	audit       []AuditEvent
}

// classify is the fifth stage: the reporting rules run on every telecom
// incident of the bundle for the submitting organization, and the obligations
// merge into those already recorded for the incident (they only escalate,
// product decision 3).
func (in *Intake) classify(ctx context.Context, org *Organization, b *stix.Bundle, submissionID string, now time.Time) (classified, error) {
	var out classified
	rs := in.Rules
	if rs == nil {
		var err error
		if rs, err = reporting.RuleSetByName(reporting.DefaultRuleSet); err != nil {
			return out, err
		}
	}
	facts := org.ReportingFacts()
	var violations []stix.Violation
	for i, o := range b.Objects {
		if o.Type != "incident" || isOutageSignal(o) {
			continue // an outage signal has no statutory classification (issue #16)
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
			return out, fmt.Errorf("classify %s: %w", o.ID, err)
		}
		incID, orgID := o.ID, org.ID
		prev, err := in.Store.FindObligations(ctx, reporting.ObligationFilter{IncidentID: &incID, Organization: &orgID})
		if err != nil {
			return out, fmt.Errorf("find obligations of %s: %w", o.ID, err)
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
		out.obligations = append(out.obligations, merged...)
		out.results = append(out.results, res)
		kinds := make([]string, len(merged))
		for j, m := range merged {
			kinds[j] = string(m.Kind) + ":" + string(m.Status)
		}
		out.audit = append(out.audit, AuditEvent{Actor: org.Actor(), Action: AuditClassification, Subject: o.ID,
			Detail: map[string]any{"submission": submissionID, "modified": res.Modified, "rule_set": rs.Name, "classification": string(res.Classification), "provisional": res.Provisional, "obligations": kinds}})
	}
	if len(violations) > 0 {
		return out, &RefusedError{Kind: RefusedInvalid, Violations: violations}
	}
	return out, nil
}

// routedParts is how many parts route gives at most: the identified
// profile's copies, then the others.
const routedParts = 2

// route is the last stage: it plans where each object goes, builds every
// copy (anonymized and leak-checked for the community) and records what is
// released, held or withheld, and which of the submitter's earlier copies
// this version revokes (SHARING.md §6). It gives the store its work in two
// parts (IntakeRecord.Routing): the copies of the identified profile — the
// statutory channels, which need no anonymization — as soon as they are
// made, while the community copies are still being built on the other
// core, then the rest. It returns every copy as recorded, in plan order.
func (in *Intake) route(ctx context.Context, org *Organization, req *SubmitRequest, sub *Submission, enc encodings, give func(RoutedPart)) ([]StoredCopy, error) {
	rr := RouteRequest{Bundle: req.Bundle, Submitter: org, ShareWith: req.ShareWith, Incidents: sub.Incidents}
	plan := in.Router.Plan(rr)
	sub.Plan = plan
	hold := req.HoldForReview || org.HoldForReview
	var identified, community []int
	for i, r := range plan.Channels {
		if r.Profile == anonymize.ProfileIdentified {
			identified = append(identified, i)
		} else {
			community = append(community, i)
		}
	}
	var (
		later []built
		made  = make(chan struct{})
	)
	go func() {
		defer close(made)
		later = in.buildCopies(rr, plan, community, hold)
	}()
	r := &recorder{in: in, ctx: ctx, org: org, req: req, sub: sub, plan: plan, enc: enc,
		held: map[entryKey][]ChannelEntry{}, looked: map[string]bool{}, copies: make([]StoredCopy, len(plan.Channels))}
	first, err := r.part(identified, in.buildCopies(rr, plan, identified, hold), identifiedChannel)
	if err != nil {
		<-made
		return nil, err
	}
	give(first)
	<-made
	rest, err := r.part(community, later, func(ch Channel) bool { return !identifiedChannel(ch) })
	if err != nil {
		return nil, err
	}
	give(rest)
	return r.copies, nil
}

// identifiedChannel reports whether a channel's copies keep the submitter's
// identity: they need no anonymization, and go in routing's first part.
func identifiedChannel(ch Channel) bool { return ch.Profile() == anonymize.ProfileIdentified }

// recorder records the copies of one submission, part by part, and keeps
// what the channels already hold of the submitter's objects, looked up once
// per object across the parts.
type recorder struct {
	in     *Intake
	ctx    context.Context
	org    *Organization
	req    *SubmitRequest
	sub    *Submission
	plan   Plan
	enc    encodings
	held   map[entryKey][]ChannelEntry
	looked map[string]bool // object ids whose earlier entries are in held
	copies []StoredCopy    // by plan index
}

// part records the copies of the routes idx (made holds them, by plan
// index) and the revocations in the channels mine selects: their copies,
// entries (each channel's tombstones first), revoked entries, hub claims
// and audit entries. The submitter's earlier entries are looked up while
// the copies' objects are encoded and recorded.
func (r *recorder) part(idx []int, made []built, mine func(Channel) bool) (RoutedPart, error) {
	var p RoutedPart
	sel := make([]built, 0, len(idx))
	for _, i := range idx {
		sel = append(sel, made[i])
	}
	var ids []string
	want := func(id string) {
		if !r.looked[id] {
			r.looked[id] = true
			ids = append(ids, id)
		}
	}
	if len(r.looked) == 0 { // the first part: revocations look at every submitted object
		for _, o := range r.req.Bundle.Objects {
			want(o.ID)
		}
	}
	for _, b := range sel {
		if b.cp.Bundle != nil {
			for _, o := range b.cp.Bundle.Objects {
				want(o.ID)
			}
		}
	}
	var (
		prior    []ChannelEntry
		priorErr error
		looked   = make(chan struct{})
	)
	go func() {
		defer close(looked)
		if len(ids) > 0 {
			slices.Sort(ids)
			prior, priorErr = r.in.Store.FindReleasedEntries(r.ctx, r.org.ID, ids)
		}
	}()
	r.enc.adopt(sel)
	records, err := r.record(idx, made, r.enc.prepare(sel))
	<-looked
	if err != nil {
		return p, err
	}
	if priorErr != nil {
		return p, priorErr
	}
	for _, e := range prior {
		k := entryKey{e.Channel, e.ObjectID}
		r.held[k] = append(r.held[k], e)
	}
	n := 0
	for _, rc := range records {
		n += len(rc.entries)
	}
	fresh := make([]ChannelEntry, 0, n)
	for k, rc := range records {
		r.copies[idx[k]] = rc.stored
		p.Copies = append(p.Copies, rc.stored)
		p.HubClaims = append(p.HubClaims, rc.hubClaims...)
		p.Audit = append(p.Audit, rc.audit...)
		for _, e := range rc.entries {
			prev := r.held[entryKey{e.Channel, e.ObjectID}]
			if slices.ContainsFunc(prev, func(p ChannelEntry) bool { return p.Version == e.Version && sameGroup(p.Recipients, e.Recipients) }) {
				continue // this exact version is already in the channel for these readers
			}
			fresh = append(fresh, e)
		}
	}
	revoked, tombstones, err := revocations(r.sub, r.req.Bundle, r.plan, r.held, mine)
	if err != nil {
		return p, err
	}
	p.Revoked = revoked
	// Tombstones go in before the new entries: a reader who is both in a
	// revoked group and in a group the new version reaches must see the new
	// version, which wins ties by its later seq.
	p.Entries = append(slices.Grow(tombstones, len(fresh)), fresh...)
	p.Audit = append(p.Audit, revocationAudit(r.org, r.sub, revoked, tombstones)...)
	return p, nil
}

// record records the copies of the routes idx, each on a core of its own
// when every object is already encoded (encoded: encodings.prepare), since
// they then only read the encodings; one by one otherwise, so that the
// object that could not be encoded is reported.
func (r *recorder) record(idx []int, made []built, encoded bool) ([]recorded, error) {
	out := make([]recorded, len(idx))
	errs := make([]error, len(idx))
	one := func(k int) {
		i := idx[k]
		out[k], errs[k] = recordCopy(r.org, r.sub, i, r.plan.Channels[i], made[i], r.enc)
	}
	if encoded && len(idx) > 1 {
		var wg sync.WaitGroup
		for k := range idx {
			wg.Go(func() { one(k) })
		}
		wg.Wait()
	} else {
		for k := range idx {
			one(k)
		}
	}
	return out, errors.Join(errs...)
}

// recorded is one copy as intake records it.
type recorded struct {
	stored    StoredCopy
	entries   []ChannelEntry
	hubClaims []string
	audit     []AuditEvent
}

// recordCopy turns the copy built for route i into what is stored: the copy
// (withheld for review when it could not be built: fail closed), its channel
// entries, the ids of the hub's notes in it, and the audit entries that name
// who may read it and what it was, so that audit verification can check the
// channel against them.
func recordCopy(org *Organization, sub *Submission, i int, route Route, b built, enc encodings) (recorded, error) {
	var rc recorded
	cp := b.cp
	if b.err != nil {
		cp = Copy{Route: route, Status: StatusWithheld, Notice: "Withheld: the hub could not build a valid copy for this channel; it is queued for review."}
		rc.audit = append(rc.audit, AuditEvent{Actor: "hub", Action: AuditWithheld, Subject: sub.ID,
			Detail: map[string]any{"channel": string(route.Channel), "error": b.err.Error()}})
	}
	rc.stored = StoredCopy{SubmissionID: sub.ID, Index: i, Route: route, Status: cp.Status, Hits: cp.Hits, Notice: cp.Notice}
	var err error
	if rc.entries, err = entriesOf(cp, sub, enc); err != nil {
		return rc, err
	}
	detail := map[string]any{"channel": string(route.Channel), "copy": i, "named": route.Named, "recipients": route.Recipients,
		"objects": len(route.Objects), "status": string(cp.Status)}
	if cp.Bundle != nil {
		// The copy as stored is its objects' canonical JSON, encoded once
		// for the entries and shared with them: the store keeps each
		// distinct object once.
		rc.stored.BundleID = cp.Bundle.ID
		rc.stored.Objects = make([][]byte, len(rc.entries))
		for i, e := range rc.entries {
			rc.stored.Objects[i] = e.JSON
		}
		if detail["digest"], err = RawBundleDigest(rc.stored.BundleID, rc.stored.Objects); err != nil {
			return rc, fmt.Errorf("encode copy: %w", err)
		}
		if route.Profile == anonymize.ProfileIdentified {
			for _, o := range cp.Bundle.Objects {
				if o.Type == "note" && o.CreatedByRef == stix.HubIdentityID {
					rc.hubClaims = append(rc.hubClaims, o.ID)
				}
			}
		}
	}
	action := AuditRelease
	if cp.Status == StatusWithheld {
		action = AuditWithheld
		var pointers []string
		for _, h := range cp.Hits {
			pointers = append(pointers, h.Pointer+" ("+string(h.Kind)+")")
		}
		detail["hits"] = pointers
	}
	rc.audit = append(rc.audit, AuditEvent{Actor: org.Actor(), Action: action, Subject: sub.ID, Detail: detail})
	return rc, nil
}

// entryKey names an object in a channel.
type entryKey struct {
	channel  Channel
	objectID string
}

// revocationAudit records each earlier entry a version withdraws and each
// tombstone it releases, with the readers and the digest audit verification
// checks.
func revocationAudit(org *Organization, sub *Submission, revoked, tombstones []ChannelEntry) []AuditEvent {
	var out []AuditEvent
	for _, r := range revoked {
		out = append(out, AuditEvent{Actor: org.Actor(), Action: AuditRevoked, Subject: r.ObjectID,
			Detail: map[string]any{"channel": string(r.Channel), "version": r.Version, "by_submission": sub.ID, "recipients": r.Recipients, "entry": r.Seq}})
	}
	for _, t := range tombstones {
		sum := sha256.Sum256(t.JSON)
		out = append(out, AuditEvent{Actor: org.Actor(), Action: AuditTombstone, Subject: sub.ID,
			Detail: map[string]any{"channel": string(t.Channel), "object": t.ObjectID, "version": t.Version, "recipients": t.Recipients, "digest": hex.EncodeToString(sum[:])}})
	}
	return out
}

// built is the copy of one route, or why it could not be made.
type built struct {
	cp  Copy
	err error
}

// buildCopies builds the copies of the routes idx of the plan, into a slice
// by plan index. The routes that share an anonymizing profile are built
// from one anonymization (Copier.BuildShared) when they can be; the other
// copies are independent of each other and built in parallel.
func (in *Intake) buildCopies(rr RouteRequest, plan Plan, idx []int, hold bool) []built {
	out := make([]built, len(plan.Channels))
	alsoVisible := make([][]string, len(plan.Channels))
	for i, route := range plan.Channels {
		if route.Named {
			for _, other := range plan.Channels {
				if other.Channel == route.Channel && !other.Named {
					alsoVisible[i] = other.Objects
				}
			}
		}
	}
	var shared, alone []int
	for _, i := range idx {
		if plan.Channels[i].Profile == anonymize.ProfileCEPTOAR {
			shared = append(shared, i)
		} else {
			alone = append(alone, i)
		}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	build := func(idx []int) {
		for _, i := range idx {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				out[i].cp, out[i].err = in.Copier.Build(rr, plan.Channels[i], hold, alsoVisible[i])
			}()
		}
	}
	build(alone)
	if len(shared) > 1 {
		routes := make([]Route, len(shared))
		visible := make([][]string, len(shared))
		for k, i := range shared {
			routes[k], visible[k] = plan.Channels[i], alsoVisible[i]
		}
		copies, ok, err := in.Copier.BuildShared(rr, routes, hold, visible)
		switch {
		case err != nil:
			for _, i := range shared {
				out[i].err = err
			}
			shared = nil
		case ok:
			for k, i := range shared {
				out[i].cp = copies[k]
			}
			shared = nil
		}
	}
	build(shared) // one by one: no shared copy could be made
	wg.Wait()
	return out
}

// checkAttribution refuses objects that speak for an organization (incidents,
// notes, reports, groupings, observed data, opinions) and name anyone but the
// submitter as their author (PROFILE.md §1): nobody reports on behalf of
// another. The rule reads no registry, so the answer is the same whether the
// named identity belongs to a member, to nobody, or to the hub.
func checkAttribution(org *Organization, b *stix.Bundle) []stix.Violation {
	var v []stix.Violation
	for i, o := range b.Objects {
		if !attributedTypes[o.Type] || o.CreatedByRef == "" || o.CreatedByRef == org.Identity {
			continue
		}
		v = append(v, stix.Violation{Path: fmt.Sprintf("/objects/%d/created_by_ref", i),
			Message: fmt.Sprintf("this %s must be authored by your own organization: set created_by_ref to %s or leave it out (nobody reports on behalf of another)", o.Type, org.Identity)})
	}
	return v
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
