package stix

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Warnings for the SHOULDs of STIX 2.1. Validate refuses what breaks a MUST;
// what only departs from a SHOULD (a best practice) is accepted and reported
// back to the submitter, so that what the hub passes on to its members gets
// better over time. The checks follow the best-practice checks of the OASIS
// reference validator (cti-stix-validator, v21/shoulds.py) that matter for a
// sharing hub: identifier UUID versions, open vocabularies, the x_ / x-
// prefixes of custom content, hash algorithm names, kill-chain phase names,
// marking references that resolve, and deprecated properties.

// Warning is one departure from a STIX 2.1 SHOULD: where (a JSON pointer,
// RFC 6901, into the submitted bundle) and what, in a sentence saying what
// the specification recommends. A warning never makes a bundle invalid.
type Warning struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Warnings returns the best-practice warnings of a bundle, sorted by object
// and then by pointer, or nil when there are none. It is meant to be called
// after Validate accepted b (on an invalid bundle it still returns what it
// finds, skipping values of the wrong type). It is one pass over the decoded
// objects that allocates only for the warnings it reports.
//
// A marking reference (object_marking_refs, granular_markings marking_ref)
// resolves when it names a marking-definition of b, one of the standard TLP
// markings, or an id for which resolves returns true: the intake passes a
// lookup of the marking definitions it already holds. resolves may be nil.
func Warnings(b *Bundle, resolves func(id string) bool) []Warning {
	if b == nil {
		return nil
	}
	c := checker{segs: make([]seg, 0, 16), resolves: resolves}
	for _, o := range b.Objects {
		if o != nil && o.Type == "marking-definition" {
			if c.markingIDs == nil {
				c.markingIDs = map[string]bool{}
			}
			c.markingIDs[o.ID] = true
		}
	}
	root := loc{}
	if b.ID != "" && ValidID(b.ID, "bundle") && uuidVersion(b.ID) != '4' {
		il := c.at(root, "id")
		c.warnf(il, "%q should use a random UUIDv4 (STIX 2.1 §2.9, §8)", b.ID)
	}
	objs := c.at(root, "objects")
	for i, o := range b.Objects {
		if o == nil || o.Props == nil {
			continue
		}
		ol := c.idx(objs, i)
		n := len(c.ws)
		c.advise(ol, o.Props)
		if len(c.ws)-n > 1 {
			slices.SortStableFunc(c.ws[n:], func(a, b Warning) int { return cmp.Compare(a.Path, b.Path) })
		}
		if len(c.ws) >= MaxWarnings {
			more := len(c.ws) - MaxWarnings
			c.ws = c.ws[:MaxWarnings]
			c.ws = append(c.ws, Warning{Path: c.path(ol), Message: fmt.Sprintf("%d warnings shown; %d more at this object and the rest of the bundle were not checked", MaxWarnings, more)})
			break
		}
	}
	return c.ws
}

// MaxWarnings caps the warnings of one bundle: they are advice, and a
// 50,000-object bundle with the same slip everywhere must not answer with a
// 50,000-item list. Past the cap a last warning says so.
const MaxWarnings = 1000

func (c *checker) warnf(l loc, format string, args ...any) {
	c.ws = append(c.ws, Warning{Path: c.path(l), Message: fmt.Sprintf(format, args...)})
}

// advise checks one top-level object against the SHOULDs. It makes one
// lookup in the type's property table per property: the table says which
// vocabulary or SHOULD applies (spec.go), and a property it lacks is custom.
func (c *checker) advise(l loc, m map[string]any) {
	typ, _ := m["type"].(string)
	if typ == "" {
		return
	}
	spec := specFor[typ]
	custom := spec == nil
	if custom {
		if !strings.HasPrefix(typ, "x-") && ValidTypeName(typ) {
			tl := c.at(l, "type")
			c.warnf(tl, "custom object type %q should start with x- (STIX 2.1 §11.2), and new object types should be defined by an extension-definition (§7.3)", typ)
		}
		// The common properties of custom objects still carry SHOULDs;
		// their other properties are the custom type's own business.
		spec = customCoreSpec
		if customSCO(m) {
			spec = customSCOSpec
		}
	}
	c.adviseID(l, m, typ, custom, spec)
	if typ == "extension-definition" {
		c.adviseExtensionDefinition(l, m)
	}
	toplevel := false
	if _, ok := m["extensions"]; ok {
		toplevel = usesExtensionType(m, "toplevel-property-extension")
	}
	for k, v := range m {
		p, ok := spec.props[k]
		if !ok {
			// A custom property. Under a toplevel-property-extension the
			// extension-definition names its properties; no prefix then.
			if !custom && !toplevel && !strings.HasPrefix(k, "x_") && validPropertyName(k) {
				kl := c.at(l, k)
				c.warnf(kl, "custom property %q should start with x_ (STIX 2.1 §11.1), or be defined by a property extension (§7.3)", k)
			}
			continue
		}
		if p.vocab != nil {
			kl := c.at(l, k)
			c.adviseVocab(kl, p.vocab, v)
		}
		switch p.kind {
		case kHashes:
			kl := c.at(l, k)
			c.adviseHashes(kl, v)
		case kKillChains:
			kl := c.at(l, k)
			c.adviseKillChain(kl, v)
		case kGranularMarkings:
			if gms, ok := v.([]any); ok {
				kl := c.at(l, k)
				for i, g := range gms {
					gm, _ := g.(map[string]any)
					if s, ok := gm["marking_ref"].(string); ok && !c.markingResolves(s) {
						il := c.idx(kl, i)
						rl := c.at(il, "marking_ref")
						c.warnUnresolved(rl, s)
					}
				}
			}
		case kExtensions:
			if spec.class == classSCO {
				kl := c.at(l, k)
				c.adviseSCOExtensions(kl, spec, v)
			}
		}
		switch p.warn {
		case wMarkingRefs:
			if refs, ok := v.([]any); ok {
				kl := c.at(l, k)
				for i, r := range refs {
					if s, ok := r.(string); ok && !c.markingResolves(s) {
						il := c.idx(kl, i)
						c.warnUnresolved(il, s)
					}
				}
			}
		case wCountry:
			if s, ok := v.(string); ok && !isCountryCode(s) {
				kl := c.at(l, k)
				c.warnf(kl, "%q should be an ISO 3166-1 alpha-2 country code such as JP (STIX 2.1 §4.10)", s)
			}
		case wDeprecated:
			kl := c.at(l, k)
			c.warnf(kl, "is deprecated in STIX 2.1: submit the cyber-observable objects in the bundle and list them in object_refs (STIX 2.1 §4.14)")
		}
	}
}

// adviseID reports identifiers of the wrong UUID version (STIX 2.1 §2.9):
// SDOs, SROs and meta objects SHOULD use a random UUIDv4; an SCO with ID
// contributing properties SHOULD use the UUIDv5 derived from them (without
// any, a UUIDv4 is a MUST, checked by Validate). Custom types are left
// alone: the hub does not know their contributing properties.
func (c *checker) adviseID(l loc, m map[string]any, typ string, custom bool, spec *objSpec) {
	id, _ := m["id"].(string)
	if custom || !ValidID(id, typ) {
		return
	}
	v := uuidVersion(id)
	if spec.class != classSCO {
		if v != '4' {
			il := c.at(l, "id")
			c.warnf(il, "%q should use a random UUIDv4, not version %c (STIX 2.1 §2.9)", id, v)
		}
		return
	}
	if v == '5' || typ == "process" {
		return
	}
	for _, k := range idContributing[typ] {
		if _, ok := m[k]; ok {
			il := c.at(l, "id")
			c.warnf(il, "%q should be the UUIDv5 of the ID contributing properties of %s (%s), not a version %c UUID, so that the same observable gets the same id everywhere (STIX 2.1 §2.9)", id, article(typ), strings.Join(idContributing[typ], ", "), v)
			return
		}
	}
}

// usesExtensionType reports whether one of the extensions of m has the
// given extension_type.
func usesExtensionType(m map[string]any, et string) bool {
	exts, ok := m["extensions"].(map[string]any)
	if !ok {
		return false
	}
	for _, e := range exts {
		if em, ok := e.(map[string]any); ok && em["extension_type"] == et {
			return true
		}
	}
	return false
}

// lowerHyphenated reports whether s follows the convention of open
// vocabularies and kill-chain names: no upper-case letters, and hyphens
// rather than spaces or underscores between words.
func lowerHyphenated(s string) bool {
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch >= 'A' && ch <= 'Z', ch == '_', ch == ' ', ch == '\t':
			return false
		}
	}
	return true
}

// hyphenate is the lower-case, hyphenated form of s, for suggestions.
func hyphenate(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '_' || r == '\t' || r == '-' }), "-")
}

// adviseVocab reports values of an open-vocabulary property (a string or a
// list of strings) that are not in the vocabulary (STIX 2.1 §10).
func (c *checker) adviseVocab(l loc, voc *vocab, v any) {
	one := func(l loc, s string) {
		if voc.values[s] {
			return
		}
		if h := hyphenate(s); voc.values[h] {
			c.warnf(l, "%q should be written %q, as in %s (STIX 2.1 §10)", s, h, voc.name)
			return
		}
		if !lowerHyphenated(s) {
			c.warnf(l, "%q is not a value of %s; a value outside the vocabulary should still be lowercase with hyphens between words, e.g. %q (STIX 2.1 §10)", s, voc.name, hyphenate(s))
			return
		}
		c.warnf(l, "%q is not a value of %s: it is allowed, but a vocabulary value should be used where one fits (STIX 2.1 §10)", s, voc.name)
	}
	switch x := v.(type) {
	case string:
		one(l, x)
	case []any:
		for i, it := range x {
			if s, ok := it.(string); ok {
				il := c.idx(l, i)
				one(il, s)
			}
		}
	}
}

// adviseHashes reports hash algorithm names that are neither in
// hash-algorithm-ov nor custom names prefixed x_ (STIX 2.1 §2.7, §10).
// Values of the listed algorithms are checked by Validate.
func (c *checker) adviseHashes(l loc, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for alg := range m {
		if hashAlgorithmOV.values[alg] || strings.HasPrefix(alg, "x_") {
			continue
		}
		al := c.at(l, alg)
		if std := standardHashName(alg); std != "" {
			c.warnf(al, "%q should be written %q, as in hash-algorithm-ov (STIX 2.1 §2.7, §10)", alg, std)
			continue
		}
		c.warnf(al, "%q is not a hash-algorithm-ov name (MD5, SHA-1, SHA-256, SHA-512, SHA3-256, SHA3-512, SSDEEP, TLSH): a custom algorithm name should start with x_ (STIX 2.1 §2.7, §10)", alg)
	}
}

// standardHashName returns the hash-algorithm-ov spelling of alg when alg is
// one of them written differently (sha256, SHA_1), else "".
func standardHashName(alg string) string {
	squash := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r == '-' || r == '_' || r == ' ':
				return -1
			case r >= 'a' && r <= 'z':
				return r - 'a' + 'A'
			}
			return r
		}, s)
	}
	a := squash(alg)
	for std := range hashAlgorithmOV.values {
		if squash(std) == a {
			return std
		}
	}
	return ""
}

// adviseKillChain reports kill-chain names and phase names that are not
// lowercase and hyphenated (STIX 2.1 §2.8).
func (c *checker) adviseKillChain(l loc, v any) {
	phases, ok := v.([]any)
	if !ok {
		return
	}
	for i, p := range phases {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		for _, k := range [...]string{"kill_chain_name", "phase_name"} {
			if s, ok := pm[k].(string); ok && !lowerHyphenated(s) {
				il := c.idx(l, i)
				kl := c.at(il, k)
				c.warnf(kl, "%q should be all lowercase with hyphens between words, e.g. %q (STIX 2.1 §2.8)", s, hyphenate(s))
			}
		}
	}
}

// markingResolves reports whether a marking reference can be resolved by a
// recipient: the marking definition is in the bundle, is a standard TLP
// marking, or is known to the caller of Warnings. Malformed references are
// Validate's business.
func (c *checker) markingResolves(id string) bool {
	if !ValidID(id, "marking-definition") {
		return true
	}
	if _, ok := tlpDefinitions[id]; ok {
		return true
	}
	if c.markingIDs[id] {
		return true
	}
	if c.resolves == nil {
		return false
	}
	ok, asked := c.resolved[id]
	if !asked {
		if c.resolved == nil {
			c.resolved = map[string]bool{}
		}
		ok = c.resolves(id)
		c.resolved[id] = ok
	}
	return ok
}

func (c *checker) warnUnresolved(l loc, id string) {
	c.warnf(l, "%q is neither in this bundle nor a marking definition the hub holds: include the marking-definition object so that every recipient can apply the marking (STIX 2.1 §7.2)", id)
}

// adviseSCOExtensions reports, in the extensions of an SCO, custom
// extension names without the x- prefix and custom properties without the
// x_ prefix inside the predefined extensions (STIX 2.1 §6, §11.1), and
// applies the hash-name check inside the file extensions.
func (c *checker) adviseSCOExtensions(l loc, spec *objSpec, v any) {
	exts, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, ev := range exts {
		if strings.HasPrefix(k, "extension-definition--") {
			continue
		}
		kl := c.at(l, k)
		es := spec.exts[k]
		if es == nil {
			if !strings.HasPrefix(k, "x-") {
				c.warnf(kl, "custom extension %q should be named x-…-ext (STIX 2.1 §11.1), or better be an extension-definition (§7.3)", k)
			}
			continue
		}
		em, ok := ev.(map[string]any)
		if !ok {
			continue
		}
		for pk, pv := range em {
			if _, ok := es.props[pk]; !ok {
				if !strings.HasPrefix(pk, "x_") && validPropertyName(pk) {
					pl := c.at(kl, pk)
					c.warnf(pl, "custom property %q of %s should start with x_ (STIX 2.1 §11.1)", pk, k)
				}
				continue
			}
			pl := c.at(kl, pk)
			switch pk {
			case "file_header_hashes":
				c.adviseHashes(pl, pv)
			case "optional_header":
				if oh, ok := pv.(map[string]any); ok {
					hl := c.at(pl, "hashes")
					c.adviseHashes(hl, oh["hashes"])
				}
			case "sections", "alternate_data_streams":
				items, _ := pv.([]any)
				for i, it := range items {
					if im, ok := it.(map[string]any); ok {
						il := c.idx(pl, i)
						hl := c.at(il, "hashes")
						c.adviseHashes(hl, im["hashes"])
					}
				}
			}
			if p := es.props[pk]; p.vocab != nil {
				c.adviseVocab(pl, p.vocab, pv)
			}
		}
	}
}

// isCountryCode reports whether s is an ISO 3166-1 alpha-2 code of a
// country, as the region data of golang.org/x/text/language (from the IANA
// Language Subtag Registry and CLDR) knows them; case-insensitive, as the
// OASIS reference validator checks it. Numeric and three-letter codes, and
// macro-regions such as EU or 419, are not alpha-2 country codes.
func isCountryCode(s string) bool {
	if len(s) != 2 || !isASCIILetter(s[0]) || !isASCIILetter(s[1]) {
		return false
	}
	r, err := language.ParseRegion(s)
	return err == nil && r.IsCountry()
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// adviseExtensionDefinition reports the SHOULDs of an extension-definition
// (STIX 2.1 §7.3): a description of what the extension conveys, and for a
// toplevel-property-extension the list of the properties it adds.
func (c *checker) adviseExtensionDefinition(l loc, m map[string]any) {
	if _, ok := m["description"]; !ok {
		dl := c.at(l, "description")
		c.warnf(dl, "is missing: an extension-definition should describe what its extension conveys and how it is used (STIX 2.1 §7.3)")
	}
	types, _ := m["extension_types"].([]any)
	if _, ok := m["extension_properties"]; !ok && slices.Contains(types, any("toplevel-property-extension")) {
		pl := c.at(l, "extension_properties")
		c.warnf(pl, "is missing: a toplevel-property-extension should list the top-level properties it defines (STIX 2.1 §7.3)")
	}
}
