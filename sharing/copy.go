package sharing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kakehashi-hub/kakehashi/anonymize"
	"github.com/kakehashi-hub/kakehashi/reporting"
	"github.com/kakehashi-hub/kakehashi/stix"
)

// Release statuses of a channel copy (SHARING.md §6).
type ReleaseStatus string

// The statuses of a copy.
const (
	StatusReleased ReleaseStatus = "released" // in the channel, readable by its recipients
	StatusHeld     ReleaseStatus = "held"     // waiting for the submitter's release (hold_for_review)
	StatusWithheld ReleaseStatus = "withheld" // the leak check found registry terms: never released
)

// Copy is what one route of a plan delivers: the bundle made for that
// audience, its status, and why it was withheld.
type Copy struct {
	Route  Route
	Status ReleaseStatus
	Bundle *stix.Bundle // the copy; for a withheld copy, nil
	// Hits are the leak-check findings of a withheld copy (JSON pointers and
	// the kind of term, never the term).
	Hits []anonymize.Hit
	// Notice tells the submitter what this channel means for the marking.
	Notice string
	// anonymized are the objects the anonymizer made for the copy, each
	// carrying its canonical JSON as Raw; those the copy carries unchanged
	// are served as those bytes, the ones the leak check scanned
	// (encodings.adopt).
	anonymized []*stix.Object
}

// errNoAnonymizer is why a community copy is withheld by a Copier without an
// anonymizer (a hub opened for an operator's command, which takes nothing in).
var errNoAnonymizer = errors.New("the hub runs without its anonymizer: no community copy can be made")

// Copier builds the copy of each route (SHARING.md §4, §6).
type Copier struct {
	// Anonymizer makes the community copies; without one, every copy but
	// the identified one is withheld (fail closed).
	Anonymizer *anonymize.Anonymizer
	Policy     Policy // nil: DefaultPolicy; decides which granular markings a copy may keep
	// NoteKey keys the ids of the hub's classification notes, so that no
	// member can compute one and claim it first (docs/threat-model.md).
	NoteKey []byte
}

// standardMarking lets copies reference well-known TLP markings; their
// definitions are added to every copy that uses them.
func standardMarking(id string) bool {
	_, ok := stix.StandardMarkingObject(id)
	return ok
}

// Build makes the copy of one route. Statutory copies are the original
// objects (identified) with the classification note of every incident;
// community copies are anonymized and leak-checked, and withheld on a hit.
// hold asks community copies to wait for the submitter's release.
//
// alsoVisible lists the objects the same recipients receive through another
// copy of the same channel (a named copy's readers also read the channel's
// whole-audience copy): references to them are kept.
func (c *Copier) Build(req RouteRequest, route Route, hold bool, alsoVisible []string) (Copy, error) {
	cp := Copy{Route: route}
	bundleID := copyBundleID(req.Bundle.ID, route)
	if route.Profile == anonymize.ProfileIdentified {
		// The submitted objects themselves: finishing changes none of them
		// (PruneReferencesShared clones what it prunes).
		objs := pickObjects(req.Bundle, route.Objects)
		for _, res := range req.Incidents {
			if slices.ContainsFunc(objs, func(o *stix.Object) bool { return o.ID == res.IncidentID }) {
				note, err := classificationNote(res, c.NoteKey)
				if err != nil {
					return cp, err
				}
				objs = append(objs, note)
			}
		}
		cp.Notice = "Statutory channel: the regulator receives this report whatever its TLP, because the law requires it; the TLP marking travels with the copy and binds the recipient."
		return c.finish(cp, bundleID, objs, hold, alsoVisible, nil)
	}
	objs := c.prepare(req, route, selectObjects(req.Bundle, route.Objects))
	if c.Anonymizer == nil {
		return cp, errNoAnonymizer // fail closed: the copy is withheld
	}
	res, err := c.Anonymizer.Anonymize(&stix.Bundle{ID: bundleID, Objects: objs}, req.Submitter.ID, route.Profile)
	if err != nil {
		return cp, fmt.Errorf("anonymize for %s: %w", route.Channel, err)
	}
	if res.Withheld {
		return withheld(cp, res.Hits), nil
	}
	cp.anonymized = res.Bundle.Objects
	return c.finish(communityNotice(cp), bundleID, res.Bundle.Objects, hold, alsoVisible, nil)
}

// BuildShared builds the copies of several routes of one anonymizing
// profile (the four ceptoar channels, say) from one anonymization of the
// union of their objects, then gives each route the anonymized form of its
// own objects: the cost of anonymizing and leak-checking is paid once per
// profile, not once per channel. Every object of every copy has been through
// the anonymizer and the leak check; a copy adds only the hub's constant
// definitions, as Build does. It reports false, and builds nothing, when the
// copies could differ object by object — an object with granular markings,
// which are stripped per channel — or when the union is withheld, so that
// the caller builds each copy on its own and a leak withholds only the
// copies that carry it.
func (c *Copier) BuildShared(req RouteRequest, routes []Route, hold bool, alsoVisible [][]string) ([]Copy, bool, error) {
	if len(routes) < 2 || c.Anonymizer == nil {
		return nil, false, nil // one by one (Build withholds without an anonymizer)
	}
	profile := routes[0].Profile
	union := map[string]bool{}
	for _, r := range routes {
		if r.Profile != profile || profile == anonymize.ProfileIdentified {
			return nil, false, nil
		}
		for _, id := range r.Objects {
			union[id] = true
		}
	}
	var ids []string
	for _, o := range req.Bundle.Objects {
		if union[o.ID] {
			if _, ok := o.Props["granular_markings"]; ok {
				return nil, false, nil
			}
			ids = append(ids, o.ID)
		}
	}
	objs := c.prepare(req, routes[0], selectObjects(req.Bundle, ids))
	res, err := c.Anonymizer.Anonymize(&stix.Bundle{ID: req.Bundle.ID, Objects: objs}, req.Submitter.ID, profile)
	if err != nil || res.Withheld || len(res.Origins) != len(res.Bundle.Objects) {
		return nil, false, nil
	}
	out := make([]Copy, len(routes))
	errs := make([]error, len(routes))
	// The objects valid on their own, checked on every core: finishing the
	// first copy then walks only the others and those it always walks
	// (stix.ValidateKnown), and the other copies what the first did not carry.
	validated := validAlone(res.Bundle.Objects)
	finish := func(i int) {
		r := routes[i]
		mine := map[string]bool{}
		for _, id := range r.Objects {
			mine[id] = true
		}
		var sel []*stix.Object
		for j, o := range res.Bundle.Objects {
			if origin := res.Origins[j]; origin == "" || mine[origin] {
				// Shared with the other copies: finishing a copy clones what
				// it prunes (PruneReferencesShared), so an object no copy
				// changes is one object, encoded once (Intake.route).
				sel = append(sel, o)
			}
		}
		out[i], errs[i] = c.finish(communityNotice(Copy{Route: r, anonymized: res.Bundle.Objects}), copyBundleID(req.Bundle.ID, r), sel, hold, alsoVisible[i], validated)
	}
	// The first copy validates the objects it carries; the others, which
	// then only read what it validated, are finished on every core.
	finish(0)
	if errs[0] != nil {
		return nil, false, errs[0]
	}
	for _, o := range out[0].Bundle.Objects {
		validated[o] = true
	}
	var wg sync.WaitGroup
	for i := 1; i < len(routes); i++ {
		wg.Go(func() { finish(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, false, err // the first, as when they were finished one by one
		}
	}
	return out, true, nil
}

// validAlone returns the objects that pass every rule of STIX validation
// that does not need the rest of the bundle (stix.ValidateObject), checked on
// every core. Those rules are what stix.ValidateKnown skips for a known
// object; the objects that feed its checks over the whole bundle it walks
// whether known or not.
func validAlone(objs []*stix.Object) map[*stix.Object]bool {
	ok := make([]bool, len(objs))
	onEveryCore(len(objs), 64, func(i int) { ok[i] = len(stix.ValidateObject(objs[i], "")) == 0 })
	valid := make(map[*stix.Object]bool, len(objs))
	for i, o := range objs {
		if ok[i] {
			valid[o] = true
		}
	}
	return valid
}

// selectObjects returns copies of the bundle's objects with the given ids, in
// bundle order, to be changed for an audience.
func selectObjects(b *stix.Bundle, ids []string) []*stix.Object {
	objs := pickObjects(b, ids)
	onEveryCore(len(objs), 64, func(i int) { objs[i] = cloneObject(objs[i]) })
	return objs
}

// pickObjects returns the bundle's objects with the given ids, in bundle
// order, themselves: not to be changed.
func pickObjects(b *stix.Bundle, ids []string) []*stix.Object {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var objs []*stix.Object
	for _, o := range b.Objects {
		if want[o.ID] {
			objs = append(objs, o)
		}
	}
	return objs
}

func cloneObject(o *stix.Object) *stix.Object {
	return &stix.Object{Type: o.Type, ID: o.ID, SpecVersion: o.SpecVersion, Created: o.Created, Modified: o.Modified,
		CreatedByRef: o.CreatedByRef, ObjectMarkingRefs: slices.Clone(o.ObjectMarkingRefs), Props: stix.CloneProps(o.Props)}
}

// prepare readies a community copy's objects for anonymization: every object
// says the TLP it travels under, also those that relied on the organization's
// default (PROFILE.md §2), and properties under a stricter granular TLP than
// the route's audience may see are removed.
func (c *Copier) prepare(req RouteRequest, route Route, objs []*stix.Object) []*stix.Object {
	policy := c.Policy
	if policy == nil {
		policy = DefaultPolicy()
	}
	// Each object is the route's own clone (selectObjects): they are
	// readied on every core.
	drop := make([]bool, len(objs))
	onEveryCore(len(objs), 64, func(i int) {
		o := objs[i]
		if _, marked := o.TLP(); !marked {
			t := TLPOf(o, req.Submitter)
			o.ObjectMarkingRefs = append(o.ObjectMarkingRefs, stix.MarkingOf(t))
			o.Props["object_marking_refs"] = append(anySlice(o.Props["object_marking_refs"]), stix.MarkingOf(t))
		}
		// A property it cannot do without is not for this audience: the
		// object stays out.
		drop[i] = stripGranular(o, func(t stix.TLP) bool { return allows(policy.Rule(route.Channel, t), route.Named) }) &&
			len(stix.ValidateObject(o, "")) > 0
	})
	kept := objs[:0:0]
	for i, o := range objs {
		if !drop[i] {
			kept = append(kept, o)
		}
	}
	return kept
}

func withheld(cp Copy, hits []anonymize.Hit) Copy {
	cp.Status, cp.Hits = StatusWithheld, hits
	cp.Notice = "Withheld: the leak check found your organization's terms in the anonymized copy; it will not be released. Review the listed places."
	return cp
}

func communityNotice(cp Copy) Copy {
	if cp.Route.Named {
		cp.Notice = "Shared only with the organizations you named in share_with."
	}
	return cp
}

// finish completes a copy: the definitions it needs, references to what it
// does not carry removed, validated (a copy that is not valid STIX goes
// nowhere), released or held. validated holds objects another copy of the
// same submission carried, and that passed its validation unchanged: the
// copy's validation does not walk them again (stix.ValidateKnown).
func (c *Copier) finish(cp Copy, bundleID string, objs []*stix.Object, hold bool, alsoVisible []string, validated map[*stix.Object]bool) (Copy, error) {
	objs = withSupport(objs)
	visible := make(map[string]bool, len(alsoVisible))
	for _, id := range alsoVisible {
		visible[id] = true
	}
	// The objects may be shared with other copies or be the submitted ones:
	// what loses a reference is cloned first.
	objs = stix.PruneReferencesShared(objs, func(id string) bool { return standardMarking(id) || visible[id] })
	out := &stix.Bundle{ID: bundleID, Objects: objs}
	if err := stix.ValidateKnown(out, func(o *stix.Object) bool { return validated[o] }); err != nil {
		// Fail closed: a copy that is not valid STIX is not sent anywhere.
		return cp, fmt.Errorf("copy for %s is not valid STIX: %w", cp.Route.Channel, err)
	}
	// No second leak check is needed here: after the anonymizer's own check
	// (which withholds above) the copy only lost references and gained the
	// hub's constant definitions (TLP markings, the extension definition and
	// the hub identity), none of which carries anything of a submitter.
	cp.Bundle = out
	cp.Status = StatusReleased
	if hold && !cp.Route.Channel.Statutory() {
		cp.Status = StatusHeld
	}
	return cp, nil
}

// allows reports whether a rule lets content of a TLP into a copy: a
// whole-audience copy needs an unconditional yes; a copy for named
// recipients may also carry what the rule gives to named organizations.
func allows(r Rule, named bool) bool {
	switch r {
	case RuleAlways, RuleIfObligation:
		return true
	case RuleIfNamed, RuleNamedOnly:
		return named
	}
	return false
}

// stripGranular removes from o the properties that granular TLP markings
// (STIX 2.1 §7.2.3) put under a TLP the copy's audience may not see, and the
// granular markings that pointed at them (PROFILE.md §2). A selector into a
// nested value removes the whole top-level property: fail closed.
//
// It reports whether it removed anything.
func stripGranular(o *stix.Object, ok func(stix.TLP) bool) bool {
	gms, _ := o.Props["granular_markings"].([]any)
	if len(gms) == 0 {
		return false
	}
	removed := map[string]bool{}
	for _, g := range gms {
		gm, _ := g.(map[string]any)
		ref, _ := gm["marking_ref"].(string)
		t, isTLP := stix.TLPOfMarking(ref)
		if !isTLP || ok(t) {
			continue
		}
		for _, sel := range anySlice(gm["selectors"]) {
			if path, _ := sel.(string); path != "" {
				top, _, _ := strings.Cut(path, ".")
				switch top {
				case "type", "id", "spec_version", "created", "modified", "granular_markings":
					continue // never removable: the object would not be valid
				}
				delete(o.Props, top)
				removed[top] = true
			}
		}
	}
	if len(removed) == 0 {
		return false
	}
	var kept []any
	for _, g := range gms {
		gm, _ := g.(map[string]any)
		points := false
		for _, sel := range anySlice(gm["selectors"]) {
			if path, _ := sel.(string); removed[strings.SplitN(path, ".", 2)[0]] {
				points = true
			}
		}
		if !points {
			kept = append(kept, g)
		}
	}
	if len(kept) == 0 {
		delete(o.Props, "granular_markings")
	} else {
		o.Props["granular_markings"] = kept
	}
	return true
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// withSupport adds the definitions the copy's objects use: standard TLP
// marking definitions and, for the telecom extension, its definition and the
// hub identity that authors it (PROFILE.md §3–4).
func withSupport(objs []*stix.Object) []*stix.Object {
	have := map[string]bool{}
	for _, o := range objs {
		have[o.ID] = true
	}
	add := func(props map[string]any) {
		id, _ := props["id"].(string)
		if have[id] {
			return
		}
		o, err := stix.NewObject(props)
		if err != nil {
			return
		}
		have[id] = true
		objs = append(objs, o)
	}
	var markings []string
	telecom := false
	for _, o := range objs {
		markings = append(markings, o.ObjectMarkingRefs...)
		if gm, ok := o.Props["granular_markings"].([]any); ok {
			for _, g := range gm {
				if m, ok := g.(map[string]any); ok {
					if ref, ok := m["marking_ref"].(string); ok {
						markings = append(markings, ref)
					}
				}
			}
		}
		if exts, ok := o.Props["extensions"].(map[string]any); ok {
			if _, ok := exts[stix.TelecomExtensionID]; ok {
				telecom = true
			}
		}
	}
	slices.Sort(markings)
	for _, m := range slices.Compact(markings) {
		if props, ok := stix.StandardMarkingObject(m); ok {
			add(props)
		}
	}
	if telecom {
		add(stix.HubIdentity())
		add(stix.TelecomExtensionDefinition())
	}
	return objs
}

// classificationNote is the hub's note on an incident carrying its
// classification (PROFILE.md §4), delivered to the submitter and the
// statutory channels only. Its id is derived from the incident version under
// the hub's key, so the same version always has the same note and nobody
// without the key can predict it.
func classificationNote(res reporting.Result, key []byte) (*stix.Object, error) {
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("encode classification: %w", err)
	}
	var cls map[string]any
	if err := json.Unmarshal(raw, &cls); err != nil {
		return nil, fmt.Errorf("decode classification: %w", err)
	}
	var lines []string
	lines = append(lines, fmt.Sprintf("Classification under the Telecommunications Business Act (%s): %s", ruleSetOf(res), res.Classification))
	if res.Provisional {
		lines = append(lines, "Provisional: the incident has not recovered; it is classified on the time elapsed so far.")
	}
	for _, o := range res.Obligations {
		due := "without a date"
		if o.Due != nil {
			due = "due " + o.Due.String()
		}
		l := fmt.Sprintf("- %s to %s, %s, %s", o.Kind, o.Recipient, due, o.Status)
		if o.SubsumedBy != "" {
			l += " (subsumed by " + string(o.SubsumedBy) + ": " + o.Reason + ")"
		}
		lines = append(lines, l)
	}
	modified := res.Modified
	if _, err := stix.ParseTimestamp(modified); err != nil {
		modified = stix.FormatTimestamp(time.Now())
	}
	return stix.NewObject(map[string]any{
		"type": "note", "spec_version": stix.SpecVersion, "id": "note--" + derivedUUID("classification", string(key), res.IncidentID, res.Modified),
		"created": modified, "modified": modified, "created_by_ref": stix.HubIdentityID,
		"abstract": "Statutory classification", "content": strings.Join(lines, "\n"),
		"object_refs":                []any{res.IncidentID},
		"x_kakehashi_classification": cls,
		"x_kakehashi_classified_for": res.Organization,
	})
}

func ruleSetOf(res reporting.Result) string {
	if res.RuleSet != "" {
		return res.RuleSet
	}
	return reporting.DefaultRuleSet
}

// derivedUUID makes a stable RFC 4122 version-4-shaped UUID from parts, so
// that ids the hub mints are the same every time for the same input.
func derivedUUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// copyBundleID names the bundle of one copy: stable per submission bundle and route.
func copyBundleID(src string, r Route) string {
	return "bundle--" + derivedUUID(src, string(r.Channel), strings.Join(r.Recipients, ","))
}
