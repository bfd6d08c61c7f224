package anonymize

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Object families of STIX 2.1 (§4–§7, §18); anything else is dropped from
// anonymized copies (custom objects and new SDOs may carry anything).
var (
	sdoTypes = set("attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident", "indicator",
		"infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note", "observed-data",
		"opinion", "report", "threat-actor", "tool", "vulnerability", "relationship", "sighting")
	scoTypes = set("artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file",
		"ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url",
		"user-account", "windows-registry-key", "x509-certificate")
	// Predefined SCO extensions (STIX 2.1 §6): they carry no more than the
	// object itself, so they are kept and scrubbed like it.
	scoExtensions = set("archive-ext", "ntfs-ext", "pdf-ext", "raster-image-ext", "windows-pebinary-ext",
		"http-request-ext", "icmp-ext", "socket-ext", "tcp-ext", "unix-account-ext", "windows-process-ext",
		"windows-service-ext")
	// Properties that are never scrubbed: identifiers and timestamps, and the
	// indicator pattern (judged whole, see taintedPattern).
	verbatim = set("type", "id", "spec_version", "created", "modified", "pattern", "pattern_type", "pattern_version",
		"valid_from", "valid_until", "first_seen", "last_seen", "first_observed", "last_observed", "published",
		"object_modified", "lang", "extension_type")
)

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// PseudonymProperty is the custom property that carries the source pseudonym
// on every SDO and SRO of an anonymized copy.
const PseudonymProperty = "x_kakehashi_source_pseudonym"

// RedactedProperty is the custom property set on a scrubbed observable whose
// value had to be replaced by a syntactically valid stand-in (0.0.0.0, ::,
// redacted.invalid …); it holds the placeholder of what was there.
const RedactedProperty = "x_kakehashi_redacted"

// Stand-in values for observables whose value property must keep its syntax.
const (
	standInIPv4   = "0.0.0.0"
	standInIPv6   = "::"
	standInDomain = "redacted.invalid"
	standInEmail  = "redacted@redacted.invalid"
	standInURL    = "https://redacted.invalid/"
	standInMAC    = "00:00:00:00:00:00"
)

// rec is one object of the bundle during the transform.
type rec struct {
	orig   *stix.Object
	props  map[string]any
	drop   bool
	newID  string // set when the object is renamed
	victim bool
	kind   Kind // placeholder kind of a victim-side observable
	sco    bool
}

type transform struct {
	a         *Anonymizer
	s         *scrubber
	submitter int
	period    string
	recs      []*rec
	byID      map[string][]*rec
	dropped   map[string]bool // ids whose every reference is removed
}

// Anonymize builds the copy of b for profile p, b having been submitted by
// the registry party submitter. identified returns b's objects unchanged.
// ceptoar and public return a new bundle (b is not modified) built as
// docs/anonymize.md describes, then run the leak check over it for the terms
// of every registry party: on any hit the copy is withheld (Result.Withheld,
// Result.Hits with the JSON pointers) and Result.Bundle is nil. The error is
// non-nil only for an unknown submitter or profile, or an object that cannot
// be encoded.
func (a *Anonymizer) Anonymize(b *stix.Bundle, submitter string, p Profile) (*Result, error) {
	pi, err := a.party(submitter)
	if err != nil {
		return nil, err
	}
	switch p {
	case ProfileIdentified:
		return &Result{Bundle: &stix.Bundle{ID: b.ID, Objects: append([]*stix.Object(nil), b.Objects...)}}, nil
	case ProfileCEPTOAR, ProfilePublic:
	default:
		return nil, fmt.Errorf("%q is not an anonymization profile; use identified, ceptoar or public", p)
	}
	now := a.now()
	s := a.getScrubber()
	defer a.putScrubber(s)
	t := &transform{a: a, s: s, submitter: pi, period: a.rotation.Period(now), byID: map[string][]*rec{}, dropped: map[string]bool{}}
	pseudonym := a.Pseudonym(submitter, now)
	out, origins, err := t.run(b, p, pseudonym)
	if err != nil {
		return nil, err
	}
	if hits := a.leakCheck(out, -1, s); len(hits) > 0 {
		return &Result{Withheld: true, Hits: hits, Pseudonym: pseudonym}, nil
	}
	return &Result{Bundle: out, Origins: origins, Pseudonym: pseudonym}, nil
}

func (t *transform) run(b *stix.Bundle, p Profile, pseudonym string) (*stix.Bundle, []string, error) {
	for id := range t.a.identities {
		t.dropped[id] = true
	}
	t.dropped[t.a.ceptoar] = false
	sensitive := t.collect(b)
	t.s.extra = t.s.extra[:0]
	clear(t.s.scrubMemo) // results depend on the bundle's extra terms
	defer func() { t.s.extra = t.s.extra[:0]; clear(t.s.scrubMemo); clear(t.s.runMemo) }()
	t.findVictims(sensitive)
	t.cleanAll(sensitive)
	if p == ProfilePublic {
		for _, r := range t.recs {
			if !r.drop && !t.publicKeeps(r) {
				r.drop = true
				t.dropped[r.orig.ID] = true
			}
		}
	}
	t.dropUnsatisfied()
	t.renameDerived()
	return t.assembleAll(b, p, pseudonym)
}

// collect makes a rec of every object of b and returns the ids the bundle's
// incidents name as sensitive designs.
func (t *transform) collect(b *stix.Bundle) map[string]bool {
	sensitive := map[string]bool{}
	for _, o := range b.Objects {
		r := &rec{orig: o, sco: scoTypes[o.Type]}
		t.recs = append(t.recs, r)
		t.byID[o.ID] = append(t.byID[o.ID], r)
		if o.Type == "incident" {
			if ext, ok := extensionOf(o.Props, stix.TelecomExtensionID); ok {
				for _, id := range stringList(ext["sensitive_design_refs"]) {
					sensitive[id] = true
				}
			}
		}
	}
	return sensitive
}

// findVictims is pass 0: the victim-side observables, whose values are then
// scrubbed from every text of the bundle as well (the scrubber's extra terms).
func (t *transform) findVictims(sensitive map[string]bool) {
	for _, r := range t.recs {
		if !r.sco || sensitive[r.orig.ID] {
			continue
		}
		r.victim, r.kind = t.victimSide(r.orig)
		if !r.victim {
			continue
		}
		for _, k := range []string{"value", "account_login", "user_id", "display_name", "name"} {
			v, _ := r.orig.Props[k].(string)
			if n := normalizeValue(t.s.n, v); len(n) >= 4 && n != "0.0.0.0" {
				t.s.extra = append(t.s.extra, extraTerm{n, r.kind})
			}
		}
	}
}

// cleanAll is pass 1: what goes, and the cleaned properties of the rest.
// Cleaning an object reads only the object and what pass 0 found, so the
// objects are cleaned on every core (eachRec).
func (t *transform) cleanAll(sensitive map[string]bool) {
	var clean []*rec
	for _, r := range t.recs {
		o := r.orig
		switch {
		case o.ID == t.a.ceptoar:
			r.drop = true // re-added by assembleAll in its canonical form
		case sensitive[o.ID]:
			r.drop = true
		case o.Type == "marking-definition":
			if _, std := stix.TLPOfMarking(o.ID); std {
				r.props = o.Props // standard TLP definitions pass through as they are
				continue
			}
		case o.Type == "extension-definition":
			if o.ID != stix.TelecomExtensionID && o.ID != stix.TLP20ExtensionID {
				r.drop = true
			} else {
				r.props = o.Props
			}
			continue
		case o.Type == "language-content":
		case !sdoTypes[o.Type] && !r.sco:
			r.drop = true
		}
		if !r.drop {
			clean = append(clean, r)
		}
	}
	t.eachRec(len(clean), func(t *transform, i int) {
		if r := clean[i]; r.sco {
			t.observable(r)
		} else {
			t.domainObject(r)
		}
	})
	for _, r := range t.recs {
		if r.drop {
			t.dropped[r.orig.ID] = true
		}
	}
}

// dropUnsatisfied is pass 2: drop what lost a required reference, until
// nothing changes.
func (t *transform) dropUnsatisfied() {
	for changed := true; changed; {
		changed = false
		for _, r := range t.recs {
			if !r.drop && r.props != nil && !t.refsSatisfied(r) {
				r.drop, changed = true, true
				t.dropped[r.orig.ID] = true
			}
		}
	}
}

// renameDerived is pass 3: rename observables whose identifier derives from
// a renamed, dropped or unknown observable (STIX SCO ids are UUIDv5 over
// their contributing properties, references included).
func (t *transform) renameDerived() {
	for changed := true; changed; {
		changed = false
		for _, r := range t.recs {
			if r.drop || !r.sco || r.newID != "" {
				continue
			}
			if t.refersToRewritten(r.props) {
				r.newID = t.renamed(r.orig)
				changed = true
			}
		}
	}
}

// assembleAll is pass 4: the copy, the CEPTOAR identity first, then each
// kept object with its references rewritten from what passes 1 to 3 decided,
// encoded on every core and put in order; and the original id of each
// object of the copy ("" for the identity).
func (t *transform) assembleAll(b *stix.Bundle, p Profile, pseudonym string) (*stix.Bundle, []string, error) {
	a := t.a
	out := &stix.Bundle{ID: "bundle--" + a.derivedUUID("bundle", a.parties[t.submitter].ID, t.period, string(p), b.ID)}
	ceptoar, err := newObject(t.ceptoarIdentity())
	if err != nil {
		return nil, nil, err
	}
	out.Objects = append(out.Objects, ceptoar)
	origins := []string{""}
	var kept []*rec
	for _, r := range t.recs {
		if !r.drop {
			kept = append(kept, r)
		}
	}
	objs := make([]*stix.Object, len(kept))
	errs := make([]error, len(kept))
	t.eachRec(len(kept), func(t *transform, i int) { objs[i], errs[i] = t.assemble(kept[i], p, pseudonym) })
	for i, r := range kept {
		if errs[i] != nil {
			return nil, nil, fmt.Errorf("encode %s: %w", r.orig.ID, errs[i])
		}
		out.Objects = append(out.Objects, objs[i])
		origins = append(origins, r.orig.ID)
	}
	return out, origins, nil
}

// assemble makes the object a kept rec becomes in the copy: its references
// renamed or removed, its id, attribution and pseudonym set, encoded.
func (t *transform) assemble(r *rec, p Profile, pseudonym string) (*stix.Object, error) {
	props := r.props
	std := r.orig.Type == "extension-definition" || r.orig.Type == "marking-definition" && isStdMarking(r.orig.ID)
	if !std {
		t.rewriteRefs(props)
		if r.newID != "" {
			props["id"] = r.newID
		}
		if !r.sco {
			props["created_by_ref"] = t.a.ceptoar
			props[PseudonymProperty] = pseudonym
		}
		cleanGranular(props)
	}
	if p == ProfilePublic && r.orig.Type == "incident" {
		props = t.publicIncident(r, props)
	}
	return newObject(props)
}

// parallelRecs is the number of objects from which a transform cleans and
// encodes them, and a leak check scans them, on every core; below it, one
// core does it sooner. An Anonymizer's parallelFrom, when set (tests), takes
// its place (perCore).
const parallelRecs = 256

// eachRec calls fn(t, i) for every i in [0, n), on every core when n is
// large. Each goroutine gets a transform of its own, whose scrubber (with its
// buffers and memos) knows this bundle's extra terms; fn may change only
// what belongs to i, and reads the rest of t, which nothing changes
// meanwhile. The memos only cache what a scrubber would compute again, so
// every object comes out as on one core (TestAnonymizeOnEveryCore).
func (t *transform) eachRec(n int, fn func(t *transform, i int)) {
	t.a.onEveryCore(n, t.s, func(s *scrubber, i int) {
		tw := t
		if s != t.s {
			own := *t
			own.s = s
			tw = &own
		}
		fn(tw, i)
	})
}

// perCore is the number of objects from which a transform or a leak check
// works on every core: parallelRecs, or parallelFrom when a test sets it.
func (a *Anonymizer) perCore() int {
	if a.parallelFrom > 0 {
		return a.parallelFrom
	}
	return parallelRecs
}

// onEveryCore calls fn(s, i) for every i in [0, n), on as many goroutines
// as there are cores when n is at least perCore, each taking a contiguous
// run of indexes. The first goroutine uses s; each other one a scrubber of
// its own from the pool, with s's extra terms (the bundle's victim-side
// values) and empty memos, given back afterwards.
func (a *Anonymizer) onEveryCore(n int, s *scrubber, fn func(s *scrubber, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/a.perCore()+1)
	if workers <= 1 {
		for i := range n {
			fn(s, i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		wg.Go(func() {
			ws := s
			if w > 0 {
				ws = a.getScrubber()
				clear(ws.scrubMemo)
				clear(ws.runMemo)
				ws.extra = append(ws.extra[:0], s.extra...)
				defer func() {
					ws.extra = ws.extra[:0]
					clear(ws.scrubMemo)
					clear(ws.runMemo)
					a.putScrubber(ws)
				}()
			}
			for i := lo; i < hi; i++ {
				fn(ws, i)
			}
		})
	}
	wg.Wait()
}

func isStdMarking(id string) bool { _, ok := stix.TLPOfMarking(id); return ok }

// ceptoarIdentity is the identity every SDO and SRO of a copy is attributed to.
func (t *transform) ceptoarIdentity() map[string]any {
	return map[string]any{
		"type": "identity", "spec_version": stix.SpecVersion, "id": t.a.ceptoar,
		"created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
		"name": "Telecom CEPTOAR (T-CEPTOAR)", "identity_class": "organization", "sectors": []any{"communications"},
	}
}

// renamed returns the new identifier of a victim-side observable.
func (t *transform) renamed(o *stix.Object) string {
	return o.Type + "--" + t.a.derivedUUID("observable", t.a.parties[t.submitter].ID, t.period, o.ID)
}

// domainObject cleans an SDO, SRO or SMO.
func (t *transform) domainObject(r *rec) {
	o := r.orig
	switch o.Type {
	case "identity":
		if _, reg := t.a.identities[o.ID]; reg {
			r.drop = true
			return
		}
		// An identity named after a registry party or person is the party.
		if name, _ := o.Props["name"].(string); name != "" && t.tainted(name) {
			r.drop = true
			return
		}
	case "indicator":
		if pat, _ := o.Props["pattern"].(string); pat != "" && t.tainted(pat) {
			// Decision (docs/anonymize.md): a pattern naming a victim value is
			// dropped whole; rewriting it would corrupt the detection logic.
			r.drop = true
			return
		}
	}
	props, _ := t.clean(o.Props, 0, false).(map[string]any)
	if props == nil {
		r.drop = true
		return
	}
	switch o.Type {
	case "marking-definition":
		if _, ok := props["definition"]; !ok && props["extensions"] == nil {
			// Defined only by an extension the copy does not carry: it
			// cannot stand (STIX 2.1 §7.2.1) and is dropped (found by fuzzing).
			r.drop = true
			return
		}
	case "location":
		for _, k := range []string{"street_address", "postal_code", "latitude", "longitude", "precision"} {
			delete(props, k)
		}
		if props["region"] == nil && props["country"] == nil {
			r.drop = true
			return
		}
	case "incident":
		if ext, ok := extensionOf(props, stix.TelecomExtensionID); ok {
			telecomFigures(ext)
		}
	}
	r.props = props
}

// observable cleans an SCO. Attacker-side observables are kept as they are
// (minus unknown custom content); victim-side ones are scrubbed, get stand-in
// values where the value must keep its syntax, lose what could reveal the
// original (hashes, size, payload) and get a new identifier.
func (t *transform) observable(r *rec) {
	o := r.orig
	kind := r.kind
	if !r.victim {
		props, _ := t.clean(o.Props, 0, true).(map[string]any)
		r.props = props
		return
	}
	switch o.Type {
	case "autonomous-system", "artifact":
		// The number of a registered AS is the secret itself; an artifact's
		// payload cannot be scrubbed. Both are dropped.
		r.drop = true
		return
	}
	props, _ := t.clean(o.Props, 0, false).(map[string]any)
	delete(props, "hashes")
	delete(props, "size")
	switch o.Type {
	case "ipv4-addr":
		props["value"] = standInIPv4
	case "ipv6-addr":
		props["value"] = standInIPv6
	case "domain-name":
		props["value"] = standInDomain
	case "email-addr":
		props["value"] = standInEmail
	case "url":
		props["value"] = standInURL
	case "mac-addr":
		props["value"] = standInMAC
	case "user-account":
		for _, k := range []string{"user_id", "account_login", "display_name"} {
			if _, ok := props[k]; ok {
				props[k] = KindPerson.Placeholder()
			}
		}
		delete(props, "credential")
		kind = KindPerson
	case "x509-certificate":
		delete(props, "serial_number")
	}
	if v, ok := props["value"].(string); ok && strings.Contains(v, "redacted") {
		props[RedactedProperty] = kind.Placeholder()
	}
	r.props = props
	r.newID = t.renamed(o)
}

// victimSide reports whether an observable belongs to a registry party or to
// a private network, and which placeholder stands for it.
func (t *transform) victimSide(o *stix.Object) (bool, Kind) {
	switch o.Type {
	case "user-account":
		return true, KindPerson
	case "mac-addr":
		return true, KindInternalIP
	case "autonomous-system":
		if n, ok := o.Props["number"].(json.Number); ok {
			if v, err := n.Int64(); err == nil {
				if _, reg := t.a.asns[v]; reg {
					return true, KindASN
				}
			}
		}
	case "ipv4-addr", "ipv6-addr":
		if v, ok := o.Props["value"].(string); ok {
			if pr, err := netip.ParsePrefix(v); err == nil {
				if _, hit := t.a.ipInternal(pr.Addr(), modeScrub); hit {
					return true, KindInternalIP
				}
				// A network that contains a registered network reveals it too.
				for _, n := range t.a.networks {
					if pr.Overlaps(n.prefix) && pr.Bits() >= 8 {
						return true, KindInternalIP
					}
				}
			} else if addr, err := netip.ParseAddr(v); err == nil {
				if _, hit := t.a.ipInternal(addr, modeScrub); hit {
					return true, KindInternalIP
				}
			}
		}
	case "artifact":
		if enc, ok := o.Props["payload_bin"].(string); ok {
			raw, err := base64.StdEncoding.DecodeString(enc)
			if err != nil || t.tainted(string(raw)) {
				return true, KindCarrier
			}
		}
	}
	var kind Kind
	found := false
	walkStrings(o.Props, func(k, v string) bool {
		if verbatim[k] || strings.HasSuffix(k, "_ref") || strings.HasSuffix(k, "_refs") {
			return true
		}
		if k, ok := t.taint(v); ok {
			found, kind = true, k
			return false
		}
		return true
	})
	return found, kind
}

// tainted reports whether text holds a registry term of any party or an
// address in a registered or private network.
func (t *transform) tainted(text string) bool {
	_, ok := t.taint(text)
	return ok
}

// taint returns the kind of the first registry term or internal address in
// text, as the scrubber's detector or the leak check's matcher sees it. What
// is judged whole (a pattern, an observable) asks both: whatever the leak
// check would find must make the object victim-side or dropped here, else
// the whole copy would be withheld for it.
func (t *transform) taint(text string) (Kind, bool) {
	if _, spans := t.s.detect(text, modeTaint); len(spans) > 0 {
		return spans[0].kind, true
	}
	return t.a.leak.find(&t.s.sk, text, -1, t.a.hub, classText)
}

// walkStrings calls fn on every string value (with its key) until fn says
// stop, visiting an object's members in the order of their keys: what stops
// the walk (the kind of the first registry term victimSide finds) must not
// depend on Go's map order, or the same bundle would get different copies.
func walkStrings(v any, fn func(k, v string) bool) bool {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			e := x[k]
			if s, ok := e.(string); ok {
				if !fn(k, s) {
					return false
				}
				continue
			}
			if !walkStrings(e, fn) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				if !fn("", s) {
					return false
				}
				continue
			}
			if !walkStrings(e, fn) {
				return false
			}
		}
	}
	return true
}

// clean deep-copies a decoded value, dropping custom properties and unknown
// extensions and, unless keep is set, scrubbing every string. A map in which
// something was scrubbed loses its hashes and size, which could confirm a
// guess of the original.
func (t *transform) clean(v any, depth int, keep bool) any {
	out, _ := t.cleanValue(v, "", depth, keep)
	return out
}

func (t *transform) cleanValue(v any, key string, depth int, keep bool) (any, bool) {
	switch x := v.(type) {
	case string:
		if keep || verbatim[key] || strings.HasSuffix(key, "_ref") || strings.HasSuffix(key, "_refs") {
			return x, false
		}
		return t.s.scrubMemoized(x)
	case map[string]any:
		m := make(map[string]any, len(x))
		changed := false
		for k, e := range x {
			if strings.HasPrefix(k, "x_") {
				continue // unknown custom property (STIX 2.1 §11.1)
			}
			if k == "extensions" && depth == 0 {
				exts, ok := e.(map[string]any)
				if !ok {
					continue
				}
				ne := map[string]any{}
				for id, ev := range exts {
					if id == stix.TelecomExtensionID || id == stix.TLP20ExtensionID || scoExtensions[id] {
						c, ch := t.cleanValue(ev, "", depth+1, keep)
						changed = changed || ch
						ne[id] = c
					}
				}
				if len(ne) > 0 {
					m[k] = ne
				}
				continue
			}
			if !keep && depth > 0 && !strings.HasSuffix(k, "_ref") && !strings.HasSuffix(k, "_refs") {
				// Dictionary keys are text too (header names, hash names …).
				if _, spans := t.s.detect(k, modeScrub); len(spans) > 0 {
					changed = true
					continue
				}
			}
			c, ch := t.cleanValue(e, k, depth+1, keep)
			changed = changed || ch
			m[k] = c
		}
		if changed {
			delete(m, "hashes")
			delete(m, "size")
		}
		return m, changed
	case []any:
		a := make([]any, len(x))
		changed := false
		for i, e := range x {
			c, ch := t.cleanValue(e, key, depth+1, keep)
			changed = changed || ch
			a[i] = c
		}
		return a, changed
	default:
		return v, false
	}
}

func extensionOf(props map[string]any, id string) (map[string]any, bool) {
	exts, _ := props["extensions"].(map[string]any)
	ext, ok := exts[id].(map[string]any)
	return ext, ok
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// isRefKey reports the reference properties that the transform rewrites;
// created_by_ref is set separately and markings are kept.
func isRefKey(k string) bool {
	if k == "created_by_ref" || k == "object_marking_refs" || k == "marking_ref" {
		return false
	}
	return strings.HasSuffix(k, "_ref") || strings.HasSuffix(k, "_refs")
}

// live returns what a reference becomes in the copy, and false when it is removed.
func (t *transform) live(id string) (string, bool) {
	if t.dropped[id] {
		return "", false
	}
	if !stix.ValidID(id, "") {
		return "", false // a reference must be an identifier; anything else is unscrubbed text
	}
	if _, named := t.a.leak.find(&t.s.sk, id, -1, t.a.hub, classStructure); named {
		return "", false // a custom type or UUID spelling a registry term
	}
	if i := strings.Index(id, "--"); i >= 0 {
		if _, reg := t.a.identityUUIDs[strings.ToLower(id[i+2:])]; reg {
			return "", false // a registry party's id under any type name
		}
	}
	rs, present := t.byID[id]
	if !present {
		// An observable outside the bundle cannot be judged: fail closed.
		if scoTypes[stix.IDType(id)] {
			return "", false
		}
		return id, true
	}
	for _, r := range rs {
		if r.drop {
			return "", false
		}
		if r.newID != "" {
			return r.newID, true
		}
	}
	return id, true
}

func (t *transform) anyLive(v any) bool {
	for _, id := range stringList(v) {
		if _, ok := t.live(id); ok {
			return true
		}
	}
	return false
}

// refsSatisfied checks the references an object cannot exist without (STIX 2.1).
func (t *transform) refsSatisfied(r *rec) bool {
	p := r.props
	one := func(k string) bool {
		id, _ := p[k].(string)
		_, ok := t.live(id)
		return ok
	}
	switch r.orig.Type {
	case "relationship":
		return one("source_ref") && one("target_ref")
	case "sighting":
		return one("sighting_of_ref")
	case "observed-data":
		return t.anyLive(p["object_refs"]) || p["objects"] != nil
	case "report", "grouping", "note", "opinion":
		return t.anyLive(p["object_refs"])
	case "language-content":
		return one("object_ref")
	case "network-traffic":
		return one("src_ref") || one("dst_ref")
	}
	return true
}

// refersToRewritten reports whether an observable refers to one that is
// renamed or removed, which its derived identifier would give away.
func (t *transform) refersToRewritten(v any) bool {
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if found {
					return
				}
				if isRefKey(k) {
					ids := stringList(e)
					if s, ok := e.(string); ok {
						ids = []string{s}
					}
					for _, id := range ids {
						if n, ok := t.live(id); !ok || n != id {
							found = true
						}
					}
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return found
}

// rewriteRefs renames and removes references in place.
func (t *transform) rewriteRefs(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if !isRefKey(k) {
				t.rewriteRefs(e)
				continue
			}
			switch ref := e.(type) {
			case string:
				if n, ok := t.live(ref); ok {
					x[k] = n
				} else {
					delete(x, k)
				}
			case []any:
				l := make([]any, 0, len(ref))
				for _, id := range ref {
					s, _ := id.(string)
					if n, ok := t.live(s); ok {
						l = append(l, n)
					}
				}
				if len(l) == 0 {
					delete(x, k)
				} else {
					x[k] = l
				}
			default:
				delete(x, k)
			}
		}
	case []any:
		for _, e := range x {
			t.rewriteRefs(e)
		}
	}
}

// cleanGranular keeps granular markings whose selectors still point at a
// property of the copy.
func cleanGranular(props map[string]any) {
	gms, ok := props["granular_markings"].([]any)
	if !ok {
		return
	}
	var keep []any
	for _, g := range gms {
		gm, _ := g.(map[string]any)
		var sels []any
		for _, s := range stringList(gm["selectors"]) {
			top, _, _ := strings.Cut(s, ".")
			if _, ok := props[top]; ok && top != "granular_markings" {
				sels = append(sels, s)
			}
		}
		if len(sels) > 0 {
			gm["selectors"] = sels
			keep = append(keep, gm)
		}
	}
	if len(keep) == 0 {
		delete(props, "granular_markings")
	} else {
		props["granular_markings"] = keep
	}
}

// Affected-user bands (SHARING.md §4); the thresholds follow the 30,000 and
// 100,000-user steps of the accident rules and a million for national scale.
func band(n int64) string {
	switch {
	case n < 30000:
		return "<30,000"
	case n < 100000:
		return "30,000–99,999"
	case n < 1000000:
		return "100,000–999,999"
	default:
		return "≥1,000,000"
	}
}

// BandProperty replaces services[].affected_users in the telecom extension of
// anonymized copies: the banded figure.
const BandProperty = "affected_users_band"

// telecomFigures coarsens the telecom extension in place: affected users
// banded, user profiles removed, occurred_at rounded down to the hour and the
// other times moved with it, keeping each duration from occurred_at to the
// minute; sensitive-design references removed.
func telecomFigures(ext map[string]any) {
	delete(ext, "sensitive_design_refs")
	if svcs, ok := ext["services"].([]any); ok {
		for _, sv := range svcs {
			m, ok := sv.(map[string]any)
			if !ok {
				continue
			}
			delete(m, "user_profile")
			if n, ok := m["affected_users"].(json.Number); ok {
				if v, err := n.Int64(); err == nil {
					m[BandProperty] = band(v)
				}
				delete(m, "affected_users")
			}
		}
	}
	occS, _ := ext["occurred_at"].(string)
	occ, err := stix.ParseTimestamp(occS)
	if err != nil {
		return
	}
	base := occ.Truncate(time.Hour)
	shift := func(m map[string]any, k string) {
		s, ok := m[k].(string)
		if !ok {
			return
		}
		ts, err := stix.ParseTimestamp(s)
		if err != nil {
			delete(m, k)
			return
		}
		d := ts.Sub(occ).Truncate(time.Minute)
		m[k] = stix.FormatTimestamp(base.Add(d))
	}
	ext["occurred_at"] = stix.FormatTimestamp(base)
	shift(ext, "aware_at")
	shift(ext, "recovered_at")
	if d, ok := ext["disaster"].(map[string]any); ok {
		shift(d, "emergency_measures_completed_at")
	}
}
