package anonymize

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ikawaha/kagome/v2/tokenizer"
	"golang.org/x/text/unicode/norm"

	"github.com/kakehashi-hub/kakehashi/stix"
)

// Party is what the anonymizer knows of one registry organization
// (SHARING.md §1, INTERFACES.md §2): every value in it is a secret that must
// not reach a community copy. The sharing package converts its Organization
// into a Party.
type Party struct {
	ID       string         // registry id, e.g. "carrier-a"
	Identity string         // STIX identity id of the organization
	Names    []string       // name and aliases, Japanese and English
	Domains  []string       // registered domains; their subdomains are covered
	Networks []netip.Prefix // IPv4 and IPv6 networks
	ASNs     []int64        // autonomous system numbers
	Contacts []Contact      // people to contact
}

// Contact is a person of a Party; name, e-mail and phone are all scrubbed.
type Contact struct {
	Name  string
	Email string
	Phone string
}

// Rotation is how often source pseudonyms change (SHARING.md §4: "stable per
// source and per rotation period").
type Rotation string

// The rotation periods. The period is computed in Japan Standard Time
// (UTC+9), the hub's operating zone, from Options.Now.
const (
	RotationMonthly   Rotation = "monthly"   // period label "2026-07" (the default)
	RotationQuarterly Rotation = "quarterly" // period label "2026-Q3"
	RotationYearly    Rotation = "yearly"    // period label "2026"
)

// Options configure an Anonymizer.
type Options struct {
	// PseudonymKey is the secret HMAC key for source pseudonyms and for the
	// new identifiers of scrubbed observables; at least 16 bytes.
	PseudonymKey []byte
	// Rotation is the pseudonym rotation period; empty means RotationMonthly.
	Rotation Rotation
	// CEPTOARIdentity is the identity that becomes created_by_ref of every
	// SDO and SRO of an anonymized copy; empty means stix.CEPTOARIdentityID.
	CEPTOARIdentity string
	// Now returns the current time (for the rotation period); nil means time.Now.
	Now func() time.Time
}

// Profile is an anonymization profile (SHARING.md §4).
type Profile string

// The profiles of SHARING.md §4.
const (
	ProfileIdentified Profile = "identified" // statutory channels: the original objects
	ProfileCEPTOAR    Profile = "ceptoar"    // community channels: the submitter removed, defenders' content kept
	ProfilePublic     Profile = "public"     // public channel: ceptoar, then CLEAR objects only, incidents reduced
)

// ParseProfile reads a profile name.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(s); p {
	case ProfileIdentified, ProfileCEPTOAR, ProfilePublic:
		return p, nil
	}
	return "", fmt.Errorf("%q is not an anonymization profile; use identified, ceptoar or public", s)
}

// Kind names what sort of secret a hit or a placeholder stands for. Kinds, not
// the matched text, are what messages and placeholders show.
type Kind string

// The kinds of scrubbed values; the placeholder of a kind is "[" + kind + "]",
// except KindIdentity whose placeholder is "[carrier]".
const (
	KindCarrier    Kind = "carrier"     // organization name or alias
	KindPerson     Kind = "person"      // contact name, user account
	KindDomain     Kind = "domain"      // registered domain or a subdomain of it
	KindEmail      Kind = "email"       // e-mail address
	KindPhone      Kind = "phone"       // telephone number
	KindASN        Kind = "asn"         // autonomous system number
	KindInternalIP Kind = "internal-ip" // address in a registered network or a private range
	KindAddress    Kind = "address"     // postal code or postal address
	KindIdentity   Kind = "identity"    // STIX identity id of a registry organization
	kindPrefecture Kind = "prefecture"  // not a secret: anchors address detection and public regions
)

// Placeholder returns the typed placeholder that replaces a value of kind k.
func (k Kind) Placeholder() string {
	if k == KindIdentity {
		return "[carrier]"
	}
	return "[" + string(k) + "]"
}

// Hit is one registry term found where it must not be: the JSON pointer
// (RFC 6901) of the string that holds it in the serialized copy, and the kind
// of term. The term itself is never carried, so a Hit can be shown to anyone.
type Hit struct {
	Pointer string `json:"pointer"`
	Kind    Kind   `json:"kind"`
}

// Result is the outcome of Anonymize. When Withheld is true, Bundle is nil and
// Hits says where the leak check found registry terms: nothing may be released.
type Result struct {
	Bundle *stix.Bundle
	// Origins holds, for each object of Bundle, the id of the submitted
	// object it was made from ("" for objects the copy adds, such as the
	// T-CEPTOAR identity), so that a caller can take the copies of several
	// audiences from one anonymization of their union (sharing.Copier).
	Origins   []string
	Withheld  bool
	Hits      []Hit
	Pseudonym string // the source pseudonym attached to the copy; empty for identified
}

// ErrUnknownParty is returned when the submitter is not a registry party.
var ErrUnknownParty = errors.New("submitter is not in the registry")

// boundary rules of a term: where a match may start and end.
const (
	boundWord   = iota // ASCII letters or digits may not continue the term on either side
	boundDomain        // hostname characters may not continue it; subdomain labels are absorbed
	boundNumber        // as boundWord on the left, no digit on the right
	boundNone          // anywhere: long Latin names, and terms in scripts without spaces
)

// longTerm is the length from which a Latin name matches inside other words.
// Shorter ones (SKT, sato) need a word boundary: a non-letter, a change of
// case (noc01SKT, SKTCore) or between letters and digits (SKT01).
const longTerm = 6

// protectedTerm is one spelling of a registry value that must not reach a
// community copy; the leak check compiles its own matcher from these.
type protectedTerm struct {
	text string
	kind Kind
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// domainLabel returns a domain without its public suffix: sakura-telecom for
// sakura-telecom.example, foo for foo.co.jp. Empty when nothing is left.
func domainLabel(d string) string {
	labels := strings.Split(strings.ToLower(d), ".")
	if len(labels) < 2 {
		return ""
	}
	cut := len(labels) - 1
	if len(labels) >= 3 && len(labels[cut]) == 2 && len(labels[cut-1]) <= 3 {
		cut-- // second-level public suffix: co.jp, ne.jp, or.jp, co.uk …
	}
	return strings.Join(labels[:cut], ".")
}

// loadTokenizer returns the morphological analyser; a variable so that a
// test can make loading fail.
var loadTokenizer = ipaTokenizer

type term struct {
	norm  string
	kind  Kind
	party int // index into Anonymizer.parties; -1 for helper terms
	bound uint8
	role  roleKind // for kindRole
}

type network struct {
	prefix netip.Prefix
	party  int
}

type phone struct {
	digits string // national significant number: no trunk 0, no country code
	party  int
}

// Anonymizer applies the profiles of SHARING.md §4 for one registry. It is
// built once (the automaton over every term of every party in every
// normalized form) and is safe for concurrent use.
type Anonymizer struct {
	parties       []Party
	byID          map[string]int
	identities    map[string]int // identity id → party
	identityUUIDs map[string]int // lowercase UUID of a party's identity → party
	terms         []term
	ac            *automaton
	networks      []network
	phones        []phone
	asns          map[int64]int
	key           []byte
	rotation      Rotation
	ceptoar       string
	hub           int // party whose identity is the CEPTOAR identity, -1 if none
	tk            *tokenizer.Tokenizer
	protected     [][]protectedTerm // per party: what the leak check looks for
	leak          *skeletonMatcher  // the leak check's own matcher
	now           func() time.Time
	pool          sync.Pool // *scrubber
	parallelFrom  int       // objects a core in a transform (parallelRecs when 0; tests lower it)
}

// NewAnonymizer compiles the registry parties into an Anonymizer.
func NewAnonymizer(parties []Party, opts Options) (*Anonymizer, error) {
	if len(opts.PseudonymKey) < 16 {
		return nil, errors.New("pseudonym key must be at least 16 bytes: set a random secret in the configuration")
	}
	switch opts.Rotation {
	case "":
		opts.Rotation = RotationMonthly
	case RotationMonthly, RotationQuarterly, RotationYearly:
	default:
		return nil, fmt.Errorf("rotation %q is not monthly, quarterly or yearly", opts.Rotation)
	}
	if opts.CEPTOARIdentity == "" {
		opts.CEPTOARIdentity = stix.CEPTOARIdentityID
	}
	if !stix.ValidID(opts.CEPTOARIdentity, "identity") {
		return nil, fmt.Errorf("CEPTOAR identity %q is not an identity id", opts.CEPTOARIdentity)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &Anonymizer{
		parties: parties, byID: map[string]int{}, identities: map[string]int{}, identityUUIDs: map[string]int{}, asns: map[int64]int{},
		key: append([]byte(nil), opts.PseudonymKey...), rotation: opts.Rotation, ceptoar: opts.CEPTOARIdentity, now: opts.Now,
	}
	n := newNormalizer()
	seen := map[string]bool{}
	// suffixed: a name with a corporate form after it. Only the bare name
	// matches inside words; "sakuratelecominc" found anywhere would eat
	// the start of "Sakura Telecom incident".
	suffixed := false
	add := func(s string, k Kind, party int, bound uint8) {
		t := normalizeTerm(n, s)
		if utf8.RuneCountInString(t) < 2 || isASCII(t) && len(t) < 3 && k != KindIdentity {
			return
		}
		if bound == boundWord && !suffixed && len(t) >= longTerm && isASCII(t) && (k == KindCarrier || k == KindPerson) {
			// A long Latin name is a name wherever it stands, also run
			// together with other words (SakuraTelecomCore, sakuratelecomvpn).
			bound = boundNone
		}
		key := t + "\x00" + string(k) + "\x00" + strconv.Itoa(party)
		if seen[key] {
			return
		}
		seen[key] = true
		a.terms = append(a.terms, term{norm: t, kind: k, party: party, bound: bound})
	}
	// The analyser reads the registry's kanji names here and finds person
	// names in free text later; loading it now surfaces a failure at start.
	tk, err := loadTokenizer()
	if err != nil {
		return nil, fmt.Errorf("load the morphological dictionary: %w", err)
	}
	a.tk = tk
	a.protected = make([][]protectedTerm, len(parties))
	protect := func(pi int, s string, k Kind) {
		a.protected[pi] = append(a.protected[pi], protectedTerm{s, k})
	}
	for pi, p := range parties {
		if p.ID == "" {
			return nil, errors.New("party without id")
		}
		if _, dup := a.byID[p.ID]; dup {
			return nil, fmt.Errorf("party %s listed twice", p.ID)
		}
		a.byID[p.ID] = pi
		if p.Identity != "" {
			a.identities[p.Identity] = pi
			if i := strings.Index(p.Identity, "--"); i > 0 && p.Identity != opts.CEPTOARIdentity {
				a.identityUUIDs[strings.ToLower(p.Identity[i+2:])] = pi
			}
			add(p.Identity, KindIdentity, pi, boundWord)
			if i := strings.Index(p.Identity, "--"); i > 0 {
				add(p.Identity[i+2:], KindIdentity, pi, boundWord)
				protect(pi, p.Identity[i+2:], KindIdentity)
			}
		}
		for _, name := range p.Names {
			for _, f := range nameForms(tk, name) {
				protect(pi, f, KindCarrier)
				base, variants := nameVariants(n, f)
				add(base, KindCarrier, pi, boundWord)
				suffixed = true
				for _, v := range variants {
					add(v, KindCarrier, pi, boundWord)
				}
				suffixed = false
			}
		}
		for _, d := range p.Domains {
			d = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(d), "*."), ".")
			add(d, KindDomain, pi, boundDomain)
			protect(pi, d, KindDomain)
			if l := domainLabel(d); l != "" {
				// The name part alone (sakura-telecom), as in host names of
				// another zone and in addresses with the dot obfuscated.
				add(l, KindDomain, pi, boundDomain)
				protect(pi, l, KindDomain)
			}
		}
		for _, pr := range p.Networks {
			a.networks = append(a.networks, network{pr.Masked(), pi})
		}
		for _, asn := range p.ASNs {
			a.asns[asn] = pi
			num := strconv.FormatInt(asn, 10)
			for _, f := range []string{"as", "asn", "as-", "as:", "asn:", "asn-", "as#", "asn#", "as番号", "as番号:", "as番号は", "asnumber", "asnumber:", "autonomoussystem", "autonomoussystem:"} {
				add(f+num, KindASN, pi, boundNumber)
			}
			for _, f := range []string{"as", "asn", "as番号", "asnumber", "autonomoussystem", "autonomoussystemnumber"} {
				protect(pi, f+num, KindASN)
			}
		}
		for _, c := range p.Contacts {
			if c.Name != "" {
				whole, parts := personForms(tk, c.Name)
				for _, w := range whole {
					add(w, KindPerson, pi, boundWord)
					protect(pi, w, KindPerson)
				}
				for _, part := range parts {
					add(part, KindPerson, pi, boundWord)
					protect(pi, part, KindPerson)
				}
			}
			if c.Email != "" {
				add(c.Email, KindEmail, pi, boundWord)
				protect(pi, c.Email, KindEmail)
			}
			if c.Phone != "" {
				if d := nationalNumber(c.Phone); len(d) >= 6 {
					a.phones = append(a.phones, phone{d, pi})
					protect(pi, d, KindPhone)
				}
			}
		}
	}
	for _, w := range slices.Sorted(maps.Keys(roleWords)) {
		a.terms = append(a.terms, term{norm: normalizeTerm(n, w), kind: kindRole, party: -1, bound: boundWord, role: roleWords[w]})
	}
	for _, pref := range prefectures {
		add(pref.ja, kindPrefecture, -1, boundWord)
		if pref.en != "" {
			add(pref.en, kindPrefecture, -1, boundWord)
		}
	}
	norms := make([]string, len(a.terms))
	for i, t := range a.terms {
		norms[i] = t.norm
	}
	a.ac = newAutomaton(norms)
	a.hub = -1
	if i, ok := a.identities[a.ceptoar]; ok {
		a.hub = i
		delete(a.identities, a.ceptoar)
	}
	a.leak = newSkeletonMatcher(a.protected, a.networks)
	a.pool.New = func() any { return newScrubber(a) }
	return a, nil
}

// corporateForms are the corporate forms added to a base name, in the form
// normalizeTerm gives (no dots or spaces: "co.,ltd." is "co,ltd"), so that
// they compare with normalized names.
var corporateForms = func() []string {
	n := newNormalizer()
	var out []string
	for _, f := range []string{"株式会社", "(株)", "inc.", ",inc.", "co.,ltd.", "corporation", "corp.", "k.k."} {
		out = append(out, normalizeTerm(n, f))
	}
	return out
}()

// nameVariants returns the base name (without corporate forms, from
// baseName, which strips them word by word so that a name merely ending in
// "co" keeps it) in matching form, and the name as written and the base name
// with the common corporate forms before and after it. Only the base may be
// found inside words; every variant ends at a corporate form.
func nameVariants(n *normalizer, name string) (string, []string) {
	base := normalizeTerm(n, baseName(name))
	out := []string{normalizeTerm(n, name)}
	for _, f := range corporateForms {
		out = append(out, base+f)
	}
	out = append(out, "株式会社"+base, "(株)"+base)
	return base, out
}

// nationalNumber reduces a phone number to its national significant number:
// digits only, without the country code 81 or the trunk prefix 0
// (03-1234-5678 and +81-3-1234-5678 both give 312345678).
func nationalNumber(s string) string {
	var d []byte
	plus := false
	for _, r := range norm.NFKC.String(s) {
		switch {
		case r >= '0' && r <= '9':
			d = append(d, byte(r))
		case r == '+' && len(d) == 0:
			plus = true
		}
	}
	ds := string(d)
	if plus && strings.HasPrefix(ds, "81") {
		return ds[2:]
	}
	return strings.TrimPrefix(ds, "0")
}

// party returns the index of a party id.
func (a *Anonymizer) party(id string) (int, error) {
	i, ok := a.byID[id]
	if !ok {
		return -1, fmt.Errorf("%w: %q", ErrUnknownParty, id)
	}
	return i, nil
}

func (a *Anonymizer) getScrubber() *scrubber  { return a.pool.Get().(*scrubber) }
func (a *Anonymizer) putScrubber(s *scrubber) { a.pool.Put(s) }
