package stix

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The hub's own validator (PROFILE.md §1). It walks the decoded objects once,
// driven by the type tables of spec.go, and covers everything the OASIS JSON
// schemas check plus the rules the schemas cannot express (modified >= created,
// reference target types, pattern syntax, TLP marking content, the telecom
// extension). It is written for the intake hot path: no regular expressions
// except for two rarely present SCO properties, and no allocation unless a
// violation is reported — JSON pointers are built from a chain of stack
// frames (loc) only when a message is emitted.

// Validate checks every object of b against the STIX 2.1 profile of the hub
// and returns nil or a *ValidationError listing every violation, each with a
// JSON pointer into the submitted bundle (/objects/3/created) and a sentence
// saying what is wrong and how to fix it. Bundle-wide rules (telecom
// sensitive_design_refs must name artifacts of the same bundle) are checked
// here, not in ValidateObject.
func Validate(b *Bundle) error {
	return validate(b, nil)
}

func validate(b *Bundle, known func(*Object) bool) error {
	c := checker{segs: make([]seg, 0, 16)}
	root := loc{}
	objs := c.at(root, "objects")
	for i, o := range b.Objects {
		ol := c.idx(objs, i)
		n := len(c.vs)
		if o == nil || o.Props == nil {
			c.fail(ol, "must be a JSON object")
			continue
		}
		if known != nil && known(o) && !bundleWide(o) {
			continue // checked before, unchanged (ValidateKnown)
		}
		c.object(ol, o.Props)
		sortViolations(c.vs[n:])
	}
	if len(c.sensitive) > 0 {
		artifacts := make(map[string]bool)
		for _, o := range b.Objects {
			if o != nil && o.Type == "artifact" {
				artifacts[o.ID] = true
			}
		}
		for _, s := range c.sensitive {
			if !artifacts[s.id] {
				c.vs = append(c.vs, Violation{Path: s.path, Message: fmt.Sprintf("%q is not an artifact of this bundle: sensitive_design_refs must name artifact objects submitted in the same bundle", s.id)})
			}
		}
	}
	if len(c.markings) > 1 {
		c.vs = append(c.vs, markingCycles(c.markings)...)
	}
	if len(c.vs) == 0 {
		return nil
	}
	return &ValidationError{Violations: c.vs}
}

// ValidateObject checks one object and returns its violations, their JSON
// pointers starting with prefix (for example "/objects/3"). It applies every
// rule of Validate except those that need the rest of the bundle.
func ValidateObject(o *Object, prefix string) []Violation {
	c := checker{prefix: prefix}
	root := loc{}
	if o == nil || o.Props == nil {
		c.fail(root, "must be a JSON object")
		return c.vs
	}
	c.object(root, o.Props)
	sortViolations(c.vs)
	return c.vs
}

func sortViolations(vs []Violation) {
	if len(vs) > 1 {
		slices.SortStableFunc(vs, func(a, b Violation) int { return cmp.Compare(a.Path, b.Path) })
	}
}

// loc is a position in the walk: the first n segments of the checker's path
// stack. The walk is depth-first, so a child overwrites the segments of its
// finished siblings only. Keeping the segments in one reusable slice, rather
// than chaining stack frames, keeps the recursive walk free of allocations
// (Go's escape analysis moves address-linked frames of a recursion to the
// heap); the pointer string is built only when a violation is reported.
type loc struct{ n int }

// seg is one JSON pointer token: an object key or a list index.
type seg struct {
	key   string
	idx   int
	isIdx bool
}

// at returns the position of key inside the object at l.
func (c *checker) at(l loc, key string) loc {
	c.segs = append(c.segs[:l.n], seg{key: key})
	return loc{n: l.n + 1}
}

// idx returns the position of item i of the list at l.
func (c *checker) idx(l loc, i int) loc {
	c.segs = append(c.segs[:l.n], seg{idx: i, isIdx: true})
	return loc{n: l.n + 1}
}

// path renders l as an RFC 6901 JSON pointer.
func (c *checker) path(l loc) string {
	b := make([]byte, 0, 48)
	b = append(b, c.prefix...)
	for _, s := range c.segs[:l.n] {
		b = append(b, '/')
		if s.isIdx {
			b = strconv.AppendInt(b, int64(s.idx), 10)
			continue
		}
		for i := 0; i < len(s.key); i++ {
			switch ch := s.key[i]; ch {
			case '~':
				b = append(b, '~', '0')
			case '/':
				b = append(b, '~', '1')
			default:
				b = append(b, ch)
			}
		}
	}
	return string(b)
}

type sensitiveRef struct{ path, id string }

// checker accumulates the violations of one validation run.
type checker struct {
	vs        []Violation
	sensitive []sensitiveRef
	markings  []markingEdge  // references between marking definitions, for the cycle check of Validate
	prefix    string         // pointer of the walk's root
	segs      []seg          // path stack, see loc
	root      map[string]any // the object being walked, for granular-marking selectors

	// Warnings (warning.go) reuses the walk's pointer machinery.
	ws         []Warning
	markingIDs map[string]bool      // marking definitions of the bundle
	resolves   func(id string) bool // the caller's marking lookup, asked once per id
	resolved   map[string]bool      // its answers
}

func (c *checker) fail(l loc, msg string) {
	c.vs = append(c.vs, Violation{Path: c.path(l), Message: msg})
}

func (c *checker) failf(l loc, format string, args ...any) {
	c.fail(l, fmt.Sprintf(format, args...))
}

func (c *checker) failAt(l loc, key, msg string) {
	k := c.at(l, key)
	c.fail(k, msg)
}

// jsonType names the JSON type of a decoded value for messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, float32, int, int64, int32, int16, int8, uint, uint64, uint32, uint16, uint8:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func (c *checker) typeErr(l loc, want string, v any) {
	if v == nil {
		c.failf(l, "must be %s, not null: omit the property instead of sending null", want)
		return
	}
	c.failf(l, "must be %s, not %s", want, jsonType(v))
}

// article prefixes a type name with its indefinite article. A leading u is
// read "you" in every STIX name (url, user-account, unix-account-ext), a
// leading x "ex" (x509-certificate, x-acme-thing).
func article(name string) string {
	switch name[0] {
	case 'a', 'e', 'i', 'o', 'x':
		return "an " + name
	}
	return "a " + name
}

// customSCO reports whether an object of an unknown (custom) type is treated
// as a custom cyber-observable rather than a custom SDO/SRO: STIX 2.1 §11.2
// custom objects with created/modified follow the core rules (core.json),
// others the cyber-observable rules (cyber-observable-core.json). The strict
// schema path dispatches the same way.
func customSCO(props map[string]any) bool {
	_, c := props["created"]
	_, m := props["modified"]
	return !c && !m
}

// object validates a top-level (or observed-data embedded) STIX object.
func (c *checker) object(l loc, m map[string]any) {
	tv, ok := m["type"]
	if !ok {
		c.failAt(l, "type", "is required: every STIX object names its type (STIX 2.1 §3.1)")
		return
	}
	typ, ok := tv.(string)
	if !ok {
		tl := c.at(l, "type")
		c.typeErr(tl, "a string naming the object type", tv)
		return
	}
	spec := specFor[typ]
	if spec == nil {
		if !ValidTypeName(typ) {
			c.failAt(l, "type", fmt.Sprintf("%q is not a valid type name: use 3–250 characters of a–z, 0–9 and single hyphens, starting with a letter (STIX 2.1 §3.1)", typ))
			return
		}
		if typ == "action" {
			c.failAt(l, "type", `"action" is a reserved type name (STIX 2.1 §3.1)`)
			return
		}
		if customSCO(m) {
			spec = customSCOSpec
		} else {
			spec = customCoreSpec
		}
	}
	saved := c.root
	c.root = m
	c.identity(l, m, typ, spec)
	c.walk(l, spec, m, typ)
	switch spec.class {
	case classSDO, classSRO, classMetaCore, classCustomCore:
		c.order(l, m, "created", "modified", false)
	case classSCO:
		c.randomSCOID(l, m, typ)
	}
	c.root = saved
}

// randomSCOID enforces the one MUST on the form of an SCO id beyond §2.9's
// syntax: an SCO none of whose ID contributing properties is present (and
// a process, which has none, §6.13) cannot have a deterministic id, so its
// id must be a random UUIDv4 (STIX 2.1 §2.9). That the other SCO ids are the
// UUIDv5 of their contributing properties is a SHOULD (see Warnings).
func (c *checker) randomSCOID(l loc, m map[string]any, typ string) {
	id, _ := m["id"].(string)
	if !ValidID(id, typ) || uuidVersion(id) == '4' {
		return
	}
	props := idContributing[typ]
	for _, k := range props {
		if _, ok := m[k]; ok {
			return
		}
	}
	if len(props) == 0 {
		c.failAt(l, "id", fmt.Sprintf("%q must be a random UUIDv4, not version %c: a process has no ID contributing properties to derive a UUIDv5 from (STIX 2.1 §2.9, §6.13)", id, uuidVersion(id)))
		return
	}
	c.failAt(l, "id", fmt.Sprintf("%q must be a random UUIDv4, not version %c: none of the ID contributing properties of %s (%s) is present to derive a UUIDv5 from (STIX 2.1 §2.9)", id, uuidVersion(id), article(typ), strings.Join(props, ", ")))
}

// uuidVersion returns the version digit of the UUID of a valid identifier.
func uuidVersion(id string) byte { return id[len(id)-36+14] }

// identity checks id and spec_version, the properties every object carries.
func (c *checker) identity(l loc, m map[string]any, typ string, spec *objSpec) {
	if v, ok := m["id"]; !ok {
		c.failAt(l, "id", fmt.Sprintf("is required: use %s--<UUID> (STIX 2.1 §2.9)", typ))
	} else if id, ok := v.(string); !ok {
		il := c.at(l, "id")
		c.typeErr(il, "a string", v)
	} else if !ValidID(id, typ) {
		c.failAt(l, "id", idProblem(id, typ))
	}
	sco := spec.class == classSCO || spec.class == classCustomSCO
	if v, ok := m["spec_version"]; !ok {
		if !sco {
			c.failAt(l, "spec_version", `is required: the hub accepts STIX 2.1 objects ("spec_version": "2.1")`)
		}
	} else if s, ok := v.(string); !ok {
		sl := c.at(l, "spec_version")
		c.typeErr(sl, `the string "2.1"`, v)
	} else if s != SpecVersion {
		c.failAt(l, "spec_version", fmt.Sprintf(`%q is not accepted: the hub takes STIX 2.1 content only ("2.1")`, s))
	}
}

// idProblem explains why id is not a valid identifier of type typ.
func idProblem(id, typ string) string {
	i := strings.Index(id, "--")
	if i <= 0 {
		if typ == "" {
			return fmt.Sprintf("%q is not a STIX identifier: use <type>--<RFC 4122 UUID> (STIX 2.1 §2.9)", id)
		}
		return fmt.Sprintf("%q is not a STIX identifier: use %s--<RFC 4122 UUID> (STIX 2.1 §2.9)", id, typ)
	}
	if typ != "" && id[:i] != typ {
		return fmt.Sprintf("%q must start with %q: an identifier names the type of its object (STIX 2.1 §2.9)", id, typ+"--")
	}
	if typ == "" && !ValidTypeName(id[:i]) {
		return fmt.Sprintf("%q does not start with a valid type name (STIX 2.1 §2.9)", id)
	}
	return fmt.Sprintf("%q does not end in an RFC 4122 UUID: %s (STIX 2.1 §2.9)", id, uuidProblem(id[i+2:]))
}

func uuidProblem(u string) string {
	if len(u) != 36 {
		return "a UUID has 36 characters (8-4-4-4-12 hex digits)"
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if u[i] != '-' {
				return "a UUID is written 8-4-4-4-12 hex digits"
			}
		default:
			if !isHex(u[i]) {
				return "a UUID holds hex digits only"
			}
		}
	}
	if v := u[14]; v < '1' || v > '5' {
		return fmt.Sprintf("version %c is not an RFC 4122 version (1–5; use a random UUIDv4)", v)
	}
	return fmt.Sprintf("variant digit %c is not the RFC 4122 variant (8, 9, a or b)", u[19])
}

// walk validates the properties of m against spec: declared properties by
// kind, other properties by the custom-property rules, then required
// properties, at-least-one groups and cross-property rules.
func (c *checker) walk(l loc, spec *objSpec, m map[string]any, typ string) {
	top := spec.class != classNested && spec.class != classTelecomRoot
	for k, v := range m {
		kl := c.at(l, k)
		p, ok := spec.props[k]
		if !ok {
			c.other(kl, k, v, spec, top)
			continue
		}
		switch p.kind {
		case kSkip:
		case kExtensions:
			c.extensions(kl, v, spec, typ)
		default:
			c.value(kl, &p, v)
		}
	}
	for _, r := range spec.required {
		if _, ok := m[r]; !ok {
			c.failAt(l, r, "is required on "+article(spec.name))
		}
	}
	if len(spec.anyOf) > 0 {
		found := false
		for _, k := range spec.anyOf {
			if _, ok := m[k]; ok {
				found = true
				break
			}
		}
		if !found {
			c.failf(l, "%s must carry at least one of: %s", article(spec.name), strings.Join(spec.anyOf, ", "))
		}
	}
	if spec.cross != xNone {
		c.cross(l, spec, m)
	}
}

// other checks a property that spec does not declare: a custom property
// (STIX 2.1 §11.1, properties.json) or, in a closed object, an error.
func (c *checker) other(l loc, k string, v any, spec *objSpec, top bool) {
	if spec.closed {
		c.failf(l, "is not a property of %s: remove it", article(spec.name))
		return
	}
	if !spec.checkNames {
		return
	}
	if top && spec.class != classMarking {
		for _, r := range reservedNames {
			if k == r {
				c.failf(l, "%q is reserved by STIX 2.1 and may not be used as a property name (STIX 2.1 §3.1): rename it, e.g. x_%s", k, k)
				return
			}
		}
	}
	if !validPropertyName(k) {
		c.failf(l, "%q is not a valid property name: use 3–250 characters of a–z, 0–9 and _, starting with a letter (STIX 2.1 §3.1, §11.1)", k)
	}
	switch x := v.(type) {
	case nil:
		c.fail(l, "must not be null: omit the property instead")
		return
	case []any:
		if len(x) == 0 {
			c.fail(l, "must not be an empty list: omit the property instead (STIX 2.1 §3.1)")
		}
	}
	if strings.HasSuffix(k, "_bin") {
		c.binary(l, v)
	} else if strings.HasSuffix(k, "_hex") {
		c.hex(l, v)
	}
}

// validPropertyName is the property-name rule of STIX 2.1 §3.1: 3–250
// characters of a–z, 0–9 and underscore, starting with a letter ("id" is
// the one shorter name STIX defines).
func validPropertyName(k string) bool {
	if k == "id" {
		return true
	}
	if len(k) < 3 || len(k) > 250 || k[0] < 'a' || k[0] > 'z' {
		return false
	}
	for i := 1; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// value checks one value against its declared kind.
func (c *checker) value(l loc, p *prop, v any) {
	switch p.kind {
	case kAny:
		switch x := v.(type) {
		case nil:
			c.fail(l, "must not be null: omit the property instead")
		case []any:
			if len(x) == 0 {
				c.fail(l, "must not be an empty list: omit the property instead (STIX 2.1 §3.1)")
			}
		}
	case kString:
		s, ok := v.(string)
		if !ok {
			c.typeErr(l, "a string", v)
			return
		}
		if p.rule != sNone {
			c.lexical(l, p.rule, s)
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			c.typeErr(l, "true or false", v)
		}
	case kInt, kNumber:
		c.number(l, p, v)
	case kTimestamp, kTimestampMilli, kTimestampSec:
		c.timestamp(l, p.kind, v)
	case kHex:
		c.hex(l, v)
	case kBinary:
		c.binary(l, v)
	case kEnum:
		c.enum(l, p.enum, v)
	case kEnumList:
		items, _ := c.listOf(l, v, "a list")
		for i, item := range items {
			il := c.idx(l, i)
			c.enum(il, p.enum, item)
		}
	case kRef:
		c.ref(l, &p.ref, v)
	case kRefList:
		items, ok := c.listOf(l, v, "a list of identifiers")
		for i, item := range items {
			il := c.idx(l, i)
			c.ref(il, &p.ref, item)
		}
		_ = ok
	case kStringList:
		items, _ := c.listOf(l, v, "a list of strings")
		for i, item := range items {
			s, ok := item.(string)
			if !ok || p.rule != sNone {
				il := c.idx(l, i)
				if !ok {
					c.typeErr(il, "a string", item)
				} else {
					c.lexical(il, p.rule, s)
				}
			}
		}
	case kHashes:
		c.hashes(l, v, false)
	case kDict:
		c.dict(l, p.dict, v)
	case kObject:
		o, ok := v.(map[string]any)
		if !ok {
			c.typeErr(l, "an object", v)
			return
		}
		if p.sub.nonEmpty && len(o) == 0 {
			c.failf(l, "must not be empty: omit the property instead")
			return
		}
		c.walk(l, p.sub, o, "")
	case kObjectList:
		c.objects(l, p.sub, v)
	case kExternalRefs:
		c.externalRefs(l, v)
	case kKillChains:
		c.objects(l, killChainPhase, v)
	case kGranularMarkings:
		c.objects(l, granularMarking, v)
	case kExtensions:
		// Only meaningful at the top level; walk handles it there.
		if _, ok := v.(map[string]any); !ok {
			c.typeErr(l, "an object", v)
		}
	}
}

// listOf returns v as a non-empty list, reporting otherwise (STIX 2.1 §3.1:
// empty lists are prohibited).
func (c *checker) listOf(l loc, v any, want string) ([]any, bool) {
	items, ok := v.([]any)
	if !ok {
		c.typeErr(l, want, v)
		return nil, false
	}
	if len(items) == 0 {
		c.fail(l, "must not be an empty list: omit the property instead (STIX 2.1 §3.1)")
		return nil, false
	}
	return items, true
}

func (c *checker) objects(l loc, sub *objSpec, v any) {
	items, _ := c.listOf(l, v, "a list of objects")
	for i, item := range items {
		il := c.idx(l, i)
		o, ok := item.(map[string]any)
		if !ok {
			c.typeErr(il, article(sub.name)+" object", item)
			continue
		}
		c.walk(il, sub, o, "")
	}
}

func (c *checker) enum(l loc, vals []string, v any) {
	s, ok := v.(string)
	if !ok {
		c.typeErr(l, "a string", v)
		return
	}
	for _, e := range vals {
		if s == e {
			return
		}
	}
	c.failf(l, "%q is not one of the allowed values: %s", s, strings.Join(vals, ", "))
}

// numberOf returns the value of a decoded JSON number and whether it is
// integral (JSON Schema "integer": 1.0 counts).
func numberOf(v any) (f float64, integral, ok bool) {
	switch x := v.(type) {
	case json.Number:
		s := string(x)
		if n, ok := smallInt(s); ok {
			return float64(n), true, true
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return 0, false, false
		}
		return f, f == math.Trunc(f) && !math.IsInf(f, 0), true
	case float64:
		return x, x == math.Trunc(x) && !math.IsInf(x, 0), true
	case float32:
		f := float64(x)
		return f, f == math.Trunc(f), true
	case int:
		return float64(x), true, true
	case int64:
		return float64(x), true, true
	case int32:
		return float64(x), true, true
	case uint64:
		return float64(x), true, true
	case uint32:
		return float64(x), true, true
	case uint:
		return float64(x), true, true
	}
	return 0, false, false
}

// smallInt parses an optionally negative decimal integer of up to 18 digits.
func smallInt(s string) (int64, bool) {
	neg := false
	if len(s) > 0 && s[0] == '-' {
		neg, s = true, s[1:]
	}
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func (c *checker) number(l loc, p *prop, v any) {
	f, integral, ok := numberOf(v)
	if !ok {
		if p.kind == kInt {
			c.typeErr(l, "an integer", v)
		} else {
			c.typeErr(l, "a number", v)
		}
		return
	}
	if p.kind == kInt && !integral {
		c.failf(l, "must be an integer, not %v", v)
		return
	}
	switch {
	case p.hasMin && p.hasMax && (f < p.min || f > p.max):
		c.failf(l, "must be between %v and %v, not %v", p.min, p.max, v)
	case p.hasMin && f < p.min:
		c.failf(l, "must be at least %v, not %v", p.min, v)
	}
}

func (c *checker) timestamp(l loc, k kind, v any) {
	s, ok := v.(string)
	if !ok {
		c.typeErr(l, "a timestamp string such as 2026-07-10T01:00:00.000Z", v)
		return
	}
	if !validTimestampStrict(s) {
		c.failf(l, "%q is not an RFC 3339 UTC timestamp such as 2026-07-10T01:00:00.000Z (STIX 2.1 §2.16)", s)
		return
	}
	switch k {
	case kTimestampMilli:
		if len(s) < 24 {
			c.failf(l, "%q must be precise to at least the millisecond, e.g. %s.000Z (STIX 2.1 §3.2)", s, s[:19])
		}
	case kTimestampSec:
		if len(s) != 20 {
			c.failf(l, "%q must have no fractional seconds, e.g. %sZ", s, s[:19])
		}
	}
}

// order reports when timestamp property later precedes earlier (or equals it,
// when strict). Malformed values are reported by the property check itself.
func (c *checker) order(l loc, m map[string]any, earlier, later string, strict bool) {
	a, ok1 := m[earlier].(string)
	b, ok2 := m[later].(string)
	if !ok1 || !ok2 || !validTimestampStrict(a) || !validTimestampStrict(b) {
		return
	}
	d := compareTimestamps(a, b)
	if d > 0 || (strict && d == 0) {
		word := "equal to or later than"
		if strict {
			word = "later than"
		}
		c.failAt(l, later, fmt.Sprintf("%q must be %s %s (%q)", b, word, earlier, a))
	}
}

func (c *checker) ref(l loc, r *refRule, v any) {
	s, ok := v.(string)
	if !ok {
		c.typeErr(l, "an identifier string", v)
		return
	}
	i := strings.Index(s, "--")
	if i <= 0 || !ValidID(s, "") {
		c.fail(l, idProblem(s, ""))
		return
	}
	t := s[:i]
	if !refAllowed(r, t) {
		c.failf(l, "must reference %s, not %s (%q)", r.want, article(t), s)
	}
}

func refAllowed(r *refRule, t string) bool {
	switch r.class {
	case refAny:
		return true
	case refTypes:
		return slices.Contains(r.types, t)
	case refNotTypes:
		return !slices.Contains(r.types, t)
	}
	fam, known := typeFamily[t]
	switch r.class {
	case refSCO:
		return !known || fam == classSCO
	case refSDO:
		return !known || fam == classSDO
	case refSCOorSRO:
		return !known || fam == classSCO || fam == classSRO
	}
	return false
}

func (c *checker) hex(l loc, v any) {
	s, ok := v.(string)
	if !ok {
		c.typeErr(l, "a hex string", v)
		return
	}
	if !isHexString(s) {
		c.failf(l, "%q is not hex: use an even number of digits 0–9, a–f (STIX 2.1 §2.7)", s)
	}
}

func (c *checker) binary(l loc, v any) {
	s, ok := v.(string)
	if !ok {
		c.typeErr(l, "a base64 string", v)
		return
	}
	if !isBase64(s) {
		c.fail(l, "is not base64: use RFC 4648 base64 with padding (STIX 2.1 §2.1)")
	}
}

// hashKnown gives the lexical rule of the hash-algorithm-ov names (STIX 2.1
// §10.7, hashes-type.json).
func hashOK(alg, h string) (known, ok bool) {
	switch alg {
	case "MD5":
		return true, len(h) == 32 && isHexDigits(h)
	case "SHA-1":
		return true, len(h) == 40 && isHexDigits(h)
	case "SHA-256", "SHA3-256":
		return true, len(h) == 64 && isHexDigits(h)
	case "SHA-512", "SHA3-512":
		return true, len(h) == 128 && isHexDigits(h)
	case "SSDEEP":
		if len(h) < 1 || len(h) > 128 {
			return true, false
		}
		for i := 0; i < len(h); i++ {
			c := h[i]
			if !(isASCIIAlnum(c) || c == '/' || c == '+' || c == ':' || c == '.') {
				return true, false
			}
		}
		return true, true
	case "TLSH":
		if len(h) != 70 {
			return true, false
		}
		for i := 0; i < len(h); i++ {
			if !isASCIIAlnum(h[i]) {
				return true, false
			}
		}
		return true, true
	}
	return false, false
}

func (c *checker) hashes(l loc, v any, externalRef bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.typeErr(l, `an object mapping hash algorithm names to values, e.g. {"SHA-256": "…"}`, v)
		return
	}
	if len(m) == 0 {
		c.fail(l, "must hold at least one hash: omit the property instead")
		return
	}
	for alg, hv := range m {
		hl := c.at(l, alg)
		h, ok := hv.(string)
		if !ok {
			c.typeErr(hl, "a string", hv)
			continue
		}
		known, good := hashOK(alg, h)
		switch {
		case known && !good:
			c.failf(hl, "%q is not a well-formed %s value", h, alg)
		case !known && externalRef:
			c.failf(hl, "%q is not a hash algorithm of hash-algorithm-ov (MD5, SHA-1, SHA-256, SHA-512, SHA3-256, SHA3-512, SSDEEP, TLSH), which external references require", alg)
		case !known && !validDictKey(alg, 3):
			c.failf(hl, "%q is not a valid hash algorithm name: use 3–250 characters of A–Z, a–z, 0–9, _ and - (STIX 2.1 §2.7)", alg)
		}
	}
}

// validDictKey is the dictionary key rule of STIX 2.1 §2.4 (dictionary.json).
func validDictKey(k string, minLen int) bool {
	if len(k) < minLen || len(k) > 250 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(isASCIIAlnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (c *checker) dict(l loc, dk dictKind, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		c.typeErr(l, "an object (a STIX dictionary)", v)
		return
	}
	if len(m) == 0 {
		c.fail(l, "must hold at least one entry: omit the property instead (STIX 2.1 §2.4)")
		return
	}
	for k, dv := range m {
		kl := c.at(l, k)
		if !validDictKey(k, 0) {
			c.failf(kl, "%q is not a valid dictionary key: use up to 250 characters of A–Z, a–z, 0–9, _ and - (STIX 2.1 §2.4)", k)
		}
		switch dk {
		case dAny:
			c.value(kl, &prop{kind: kAny}, dv)
		case dString:
			if _, ok := dv.(string); !ok {
				c.typeErr(kl, "a string", dv)
			}
		case dStringOrInt, dExif:
			if dk == dExif && !exifKey(k) {
				c.failf(kl, "%q is not an EXIF tag name (an uppercase letter, then letters, digits, _ or -)", k)
			}
			if _, ok := dv.(string); ok {
				continue
			}
			if _, integral, ok := numberOf(dv); !ok || !integral {
				c.typeErr(kl, "a string or an integer", dv)
			}
		case dStringList:
			items, _ := c.listOf(kl, dv, "a list of strings")
			for i, it := range items {
				if _, ok := it.(string); !ok {
					il := c.idx(kl, i)
					c.typeErr(il, "a string", it)
				}
			}
		case dHeader:
			if _, ok := dv.(string); ok {
				continue
			}
			items, ok := dv.([]any)
			if !ok || len(items) < 2 {
				c.fail(kl, "must be a string, or a list of at least two strings for a repeated header")
				continue
			}
			for i, it := range items {
				if _, ok := it.(string); !ok {
					il := c.idx(kl, i)
					c.typeErr(il, "a string", it)
				}
			}
		case dSocketOption:
			if !socketOptionKey(k) {
				c.failf(kl, "%q is not a socket option name such as SO_RCVBUF (STIX 2.1 §6.12.4)", k)
			}
			if _, integral, ok := numberOf(dv); !ok || !integral {
				c.typeErr(kl, "an integer", dv)
			}
		case dObject:
			if _, ok := dv.(map[string]any); !ok {
				c.typeErr(kl, "an object", dv)
			}
		case dLangContents:
			c.langContents(kl, k, dv)
		case dStartupInfo:
			c.startupInfo(kl, k, dv)
		}
	}
}

// langContents checks one entry of language-content contents (STIX 2.1
// §7.1): the key is an RFC 5646 language tag, the value an object whose keys
// are property names of the translated object, following the property-name
// rule (§3.1).
func (c *checker) langContents(l loc, tag string, v any) {
	if problem := languageTagProblem(tag); problem != "" {
		c.failf(l, "%q is not an RFC 5646 language tag such as ja or en-US: %s; contents is keyed by language (STIX 2.1 §7.1)", tag, problem)
	}
	m, ok := v.(map[string]any)
	if !ok {
		c.typeErr(l, "an object mapping property names to their translations", v)
		return
	}
	if len(m) == 0 {
		c.fail(l, "must hold at least one translated property: omit the language instead (STIX 2.1 §7.1)")
		return
	}
	for k, tv := range m {
		if !validPropertyName(k) {
			kl := c.at(l, k)
			c.failf(kl, "%q is not a property name: translations are keyed by the names of the object's properties, 3–250 characters of a–z, 0–9 and _ (STIX 2.1 §3.1, §7.1)", k)
			continue
		}
		if tv == nil {
			kl := c.at(l, k)
			c.fail(kl, "must not be null: omit the property instead")
		}
	}
}

// startupInfo checks one member of windows-process-ext startup_info: the
// STARTUPINFO structure (STIX 2.1 §6.13.2, process.json startup-info-dictionary).
// lpReserved and lpReserved2 would have to be null, which dictionaries forbid.
func (c *checker) startupInfo(l loc, k string, v any) {
	switch k {
	case "lpDesktop", "lpTitle", "dwFillAttribute", "dwFlags", "wShowWindow", "hStdInput", "hStdOutput", "hStdError":
		if _, ok := v.(string); !ok {
			c.typeErr(l, "a string", v)
		}
	case "cb", "dwX", "dwY", "dwXSize", "dwYSize", "dwXCountChars", "dwYCountChars", "cbReserved2":
		f, integral, ok := numberOf(v)
		if !ok || !integral {
			c.typeErr(l, "an integer", v)
		} else if k == "cbReserved2" && f != 0 {
			c.fail(l, "must be 0")
		}
	default:
		c.failf(l, "%q is not a member of the STARTUPINFO structure (STIX 2.1 §6.13.2)", k)
	}
}

// externalRefs checks external references (STIX 2.1 §2.5, external-reference.json).
func (c *checker) externalRefs(l loc, v any) {
	items, _ := c.listOf(l, v, "a list of external references")
	for i, item := range items {
		il := c.idx(l, i)
		m, ok := item.(map[string]any)
		if !ok {
			c.typeErr(il, "an external reference object", item)
			continue
		}
		src, hasSrc := m["source_name"]
		srcS, srcOK := src.(string)
		if !hasSrc {
			c.failAt(il, "source_name", "is required on an external reference (STIX 2.1 §2.5)")
		} else if !srcOK {
			sl := c.at(il, "source_name")
			c.typeErr(sl, "a string", src)
		}
		eid, hasEID := m["external_id"]
		eidS, eidOK := eid.(string)
		if hasEID && !eidOK {
			el := c.at(il, "external_id")
			c.typeErr(el, "a string", eid)
		}
		for _, k := range [...]string{"description", "url"} {
			if x, ok := m[k]; ok {
				if _, isS := x.(string); !isS {
					kl := c.at(il, k)
					c.typeErr(kl, "a string", x)
				}
			}
		}
		if h, ok := m["hashes"]; ok {
			hl := c.at(il, "hashes")
			c.hashes(hl, h, true)
		}
		switch {
		case srcOK && srcS == "cve":
			if !hasEID {
				c.failAt(il, "external_id", `is required when source_name is "cve": give the CVE id, e.g. CVE-2021-44228`)
			} else if eidOK && !isCVE(eidS) {
				c.failAt(il, "external_id", fmt.Sprintf("%q is not a CVE id such as CVE-2021-44228", eidS))
			}
		case srcOK && srcS == "capec":
			if !hasEID {
				c.failAt(il, "external_id", `is required when source_name is "capec": give the CAPEC id, e.g. CAPEC-163`)
			} else if eidOK && !isCAPEC(eidS) {
				c.failAt(il, "external_id", fmt.Sprintf("%q is not a CAPEC id such as CAPEC-163", eidS))
			}
		default:
			if eidOK && (isCVE(eidS) || isCAPEC(eidS)) {
				c.failAt(il, "source_name", fmt.Sprintf(`must be "cve" or "capec" when external_id is %q (STIX 2.1 §2.5)`, eidS))
			}
			_, d := m["description"]
			_, u := m["url"]
			if !hasEID && !d && !u {
				c.fail(il, "an external reference needs at least one of external_id, description or url (STIX 2.1 §2.5)")
			}
		}
	}
}

// extensions checks the extensions dictionary (STIX 2.1 §3.2 and §7.3,
// extension.json): keys are extension-definition ids or predefined "-ext"
// names, entries are non-empty objects; entries of extension definitions
// carry extension_type. The telecom and TLP 2.0 extensions get their tables.
// Unknown extensions are allowed (PROFILE.md §1).
func (c *checker) extensions(l loc, v any, spec *objSpec, typ string) {
	m, ok := v.(map[string]any)
	if !ok {
		c.typeErr(l, "an object mapping extension ids to their contents", v)
		return
	}
	if len(m) == 0 {
		c.fail(l, "must hold at least one extension: omit the property instead")
		return
	}
	for k, ev := range m {
		kl := c.at(l, k)
		isDef := strings.HasPrefix(k, "extension-definition--")
		if isDef && !ValidID(k, "extension-definition") {
			c.failf(kl, "%q is not a valid extension key: %s", k, idProblem(k, "extension-definition"))
			continue
		}
		if !isDef && (spec.class == classMarking || !validExtName(k)) {
			if spec.class == classMarking {
				c.failf(kl, "%q is not a valid extension key: a marking-definition takes only extension-definition--<UUID> keys (STIX 2.1 §7.2.1)", k)
			} else {
				c.failf(kl, "%q is not a valid extension key: use extension-definition--<UUID> or a predefined extension name ending in -ext (STIX 2.1 §7.3)", k)
			}
			continue
		}
		em, ok := ev.(map[string]any)
		if !ok {
			c.typeErr(kl, "an object", ev)
			continue
		}
		if len(em) == 0 {
			c.fail(kl, "must not be empty")
			continue
		}
		if !isDef {
			if es := spec.exts[k]; es != nil {
				c.walk(kl, es, em, "")
			} else {
				c.walk(kl, predefinedExtSpec, em, "")
			}
			continue
		}
		switch k {
		case TelecomExtensionID:
			if typ != "incident" {
				c.failf(kl, "the Kakehashi telecom extension belongs on incident objects, not on %s (PROFILE.md §3)", article(typ))
				continue
			}
			c.walk(kl, telecomSpec, em, "")
		case TLP20ExtensionID:
			if typ != "marking-definition" {
				c.failf(kl, "the TLP 2.0 extension belongs on marking-definition objects, not on %s", article(typ))
				continue
			}
			c.walk(kl, tlp20Spec, em, "")
		default:
			c.walk(kl, extensionSpec, em, "")
		}
	}
}

var (
	// extensionSpec is an entry keyed by an extension-definition id (extension.json).
	extensionSpec = &objSpec{name: "extension", class: classTelecomRoot, checkNames: true, required: []string{"extension_type"},
		props: map[string]prop{"extension_type": pEnum(extensionTypeEnum...).req()}}
	// predefinedExtSpec is an unknown "-ext" entry: names follow properties.json.
	predefinedExtSpec = &objSpec{name: "extension", class: classTelecomRoot, checkNames: true, required: []string{}}
)

// validExtName is the predefined extension name rule of core.json:
// ^([a-z][a-z0-9]*)+(-[a-z0-9]+)*-ext$.
func validExtName(k string) bool {
	base, ok := strings.CutSuffix(k, "-ext")
	if !ok || base == "" || base[0] < 'a' || base[0] > 'z' {
		return false
	}
	prevHyphen := false
	for i := 0; i < len(base); i++ {
		c := base[i]
		switch {
		case c == '-':
			if prevHyphen {
				return false
			}
			prevHyphen = true
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			prevHyphen = false
		default:
			return false
		}
	}
	return !prevHyphen
}

// cross applies the rules that relate several properties of one object.
func (c *checker) cross(l loc, s *objSpec, m map[string]any) {
	switch s.cross {
	case xSeen:
		c.order(l, m, "first_seen", "last_seen", false)
	case xMalware:
		c.order(l, m, "first_seen", "last_seen", false)
		if f, _ := m["is_family"].(bool); f {
			if _, ok := m["name"]; !ok {
				c.failAt(l, "name", "is required when is_family is true: a malware family has a name (STIX 2.1 §4.11)")
			}
		}
	case xIndicator:
		c.order(l, m, "valid_from", "valid_until", true)
		if pt, _ := m["pattern_type"].(string); pt == "stix" {
			if p, ok := m["pattern"].(string); ok {
				if err := ValidatePattern(p); err != nil {
					c.failAt(l, "pattern", "is not a valid STIX pattern (STIX 2.1 §9): "+err.Error())
				}
			}
		}
	case xLocation:
		_, lat := m["latitude"]
		_, lon := m["longitude"]
		_, region := m["region"]
		_, country := m["country"]
		_, prec := m["precision"]
		if lat != lon {
			c.fail(l, "latitude and longitude go together: give both or neither (STIX 2.1 §4.10)")
		}
		if !region && !country && !(lat && lon) {
			c.fail(l, "a location needs region, country, or latitude and longitude (STIX 2.1 §4.10)")
		}
		if prec && !(lat && lon) {
			c.failAt(l, "precision", "requires latitude and longitude (STIX 2.1 §4.10)")
		}
	case xMalwareAnalysis:
		_, r := m["result"]
		_, a := m["analysis_sco_refs"]
		if !r && !a {
			c.fail(l, "a malware-analysis needs result or analysis_sco_refs (STIX 2.1 §4.12)")
		}
		c.order(l, m, "analysis_started", "analysis_ended", false)
	case xObservedData:
		c.order(l, m, "first_observed", "last_observed", false)
		objs, hasObjs := m["objects"]
		_, hasRefs := m["object_refs"]
		switch {
		case hasObjs && hasRefs:
			c.fail(l, "give object_refs or the deprecated objects, not both (STIX 2.1 §4.14)")
		case !hasObjs && !hasRefs:
			c.failAt(l, "object_refs", "is required: list the observed SCOs (STIX 2.1 §4.14)")
		}
		if om, ok := objs.(map[string]any); ok {
			ol := c.at(l, "objects")
			for k, v := range om {
				kl := c.at(ol, k)
				sco, ok := v.(map[string]any)
				if !ok {
					continue // reported by the dictionary check
				}
				if t, _ := sco["type"].(string); t != "" {
					if fam, known := typeFamily[t]; known && fam != classSCO {
						c.failf(kl, "observed-data objects may hold only cyber-observable objects, not %s", article(t))
						continue
					}
				}
				c.object(kl, sco)
			}
		}
	case xRelationship:
		c.order(l, m, "start_time", "stop_time", true)
	case xSighting:
		c.order(l, m, "first_seen", "last_seen", false)
	case xExtensionDefinition:
		if _, ok := m["extension_properties"]; ok {
			types, _ := m["extension_types"].([]any)
			if !slices.Contains(types, any("toplevel-property-extension")) {
				c.failAt(l, "extension_properties", `is allowed only with extension_types "toplevel-property-extension" (STIX 2.1 §7.3)`)
			}
		}
	case xMarkingDefinition:
		c.marking(l, m)
	case xArtifact:
		_, payload := m["payload_bin"]
		_, url := m["url"]
		_, hashes := m["hashes"]
		_, alg := m["encryption_algorithm"]
		_, key := m["decryption_key"]
		switch {
		case payload && url:
			c.fail(l, "an artifact carries payload_bin or url, not both (STIX 2.1 §6.1)")
		case !payload && !url:
			c.fail(l, "an artifact needs payload_bin, or url with hashes (STIX 2.1 §6.1)")
		case url && !hashes:
			c.failAt(l, "hashes", "is required when the artifact is given by url (STIX 2.1 §6.1)")
		}
		if key && !alg {
			c.failAt(l, "encryption_algorithm", "is required when decryption_key is present (STIX 2.1 §6.1)")
		}
	case xEmailMessage:
		mp, _ := m["is_multipart"].(bool)
		_, body := m["body"]
		_, parts := m["body_multipart"]
		if mp && body {
			c.failAt(l, "body", "must not be present when is_multipart is true: use body_multipart (STIX 2.1 §6.6)")
		}
		if !mp && parts {
			c.failAt(l, "body_multipart", "must not be present when is_multipart is false: use body (STIX 2.1 §6.6)")
		}
	case xMimePart:
		_, body := m["body"]
		_, raw := m["body_raw_ref"]
		if body == raw {
			c.fail(l, "a MIME part carries exactly one of body or body_raw_ref (STIX 2.1 §6.6.2)")
		}
	case xNetworkTraffic:
		if a, _ := m["is_active"].(bool); a {
			if _, ok := m["end"]; ok {
				c.failAt(l, "end", "must not be present while is_active is true (STIX 2.1 §6.12)")
			}
		}
		c.order(l, m, "start", "end", false)
	case xGranularMarking:
		_, ref := m["marking_ref"]
		_, lang := m["lang"]
		if ref == lang {
			c.fail(l, "a granular marking carries exactly one of marking_ref or lang (STIX 2.1 §7.2.3)")
		}
		if sel, ok := m["selectors"].([]any); ok {
			sl := c.at(l, "selectors")
			for i, s := range sel {
				str, ok := s.(string)
				switch {
				case !ok:
				case !validSelector(str):
					il := c.idx(sl, i)
					c.failf(il, "%q is not a selector such as description or external_references.[0].url (STIX 2.1 §7.2.3.1)", str)
				case c.root != nil && !selects(c.root, str):
					il := c.idx(sl, i)
					c.failf(il, "%q selects nothing in this object: a selector must name a property or list item the object has (STIX 2.1 §7.2.3.1)", str)
				}
			}
		}
	case xTelecom:
		// An outage-signal carries a signal block instead of the outage
		// facts (PROFILE.md §3, INTERFACES §9): nothing else is required.
		if kind, _ := m["report_kind"].(string); kind == KindOutageSignal {
			if _, ok := m["signal"]; !ok {
				c.failAt(l, "signal", "is required on an outage-signal: add {\"observed_at\", \"symptom\"} (INTERFACES §9)")
			}
		} else if _, ok := m["occurred_at"]; !ok {
			c.failAt(l, "occurred_at", "is required on a telecom extension")
		}
		c.order(l, m, "occurred_at", "aware_at", false)
		c.order(l, m, "occurred_at", "recovered_at", false)
		if refs, ok := m["sensitive_design_refs"].([]any); ok {
			rl := c.at(l, "sensitive_design_refs")
			for i, r := range refs {
				if s, ok := r.(string); ok && strings.HasPrefix(s, "artifact--") {
					il := c.idx(rl, i)
					c.sensitive = append(c.sensitive, sensitiveRef{path: c.path(il), id: s})
				}
			}
		}
	case xUserStep:
		c.order(l, m, "start", "end", true)
	}
}

// marking checks a marking-definition (STIX 2.1 §7.2.1, marking-definition.json).
// A marking with a well-known TLP id must be the standard object: the hub
// maps TLP by id, so a bundle may not redefine those ids.
func (c *checker) marking(l loc, m map[string]any) {
	id, _ := m["id"].(string)
	if d, ok := tlpDefinitions[id]; ok {
		c.standardTLP(l, m, d)
		return
	}
	c.markingRefs(l, m, id)
	for _, k := range [...]string{"modified", "revoked"} {
		if _, ok := m[k]; ok {
			c.failAt(l, k, "is not a property of a marking-definition: marking definitions are never versioned or revoked; publish a new one with a new id instead (STIX 2.1 §7.2.1)")
		}
	}
	dt, hasDT := m["definition_type"]
	def, hasDef := m["definition"]
	exts, hasExt := m["extensions"].(map[string]any)
	dts, _ := dt.(string)
	switch {
	case dts == "tlp":
		c.failAt(l, "definition_type", `"tlp" is reserved for the four TLP 1.0 markings of STIX 2.1 §7.2.1.4: use their standard ids, or the TLP 2.0 markings`)
	case dts == "statement":
		if dm, ok := def.(map[string]any); ok {
			st, ok := dm["statement"]
			if !ok {
				dl := c.at(l, "definition")
				c.failAt(dl, "statement", "is required for a statement marking (STIX 2.1 §7.2.2.2)")
			} else if _, ok := st.(string); !ok {
				dl := c.at(l, "definition")
				sl := c.at(dl, "statement")
				c.typeErr(sl, "a string", st)
			}
		}
	case hasDT && (strings.HasPrefix(dts, "statement") || strings.HasSuffix(dts, "tlp")):
		// marking-definition.json excludes the unanchored pattern
		// ^(statement)|(tlp)$ from custom definition types; follow it.
		c.failAt(l, "definition_type", fmt.Sprintf("%q is too close to the reserved definition types statement and tlp: choose another name", dts))
	}
	if !hasExt {
		if !hasDT {
			c.failAt(l, "definition_type", "is required unless the marking is defined by an extension (STIX 2.1 §7.2.1)")
		}
		if !hasDef {
			c.failAt(l, "definition", "is required unless the marking is defined by an extension (STIX 2.1 §7.2.1)")
		}
	} else if hasDT != hasDef {
		c.fail(l, "definition_type and definition go together: give both or neither (STIX 2.1 §7.2.1)")
	}
	if e, ok := exts[TLP20ExtensionID].(map[string]any); ok {
		if lvl, ok := e["tlp_2_0"].(string); ok {
			if t, err := ParseTLP(lvl); err == nil {
				c.failAt(l, "id", fmt.Sprintf("a TLP 2.0 marking must use the standard id of its level: %s for TLP:%s", MarkingOf(t), strings.ToUpper(lvl)))
			}
		}
	}
}

// markingRefs applies STIX 2.1 §3.2 (object_marking_refs, granular_markings)
// to a marking definition: it must not reference itself, "no circular
// references". References to other marking definitions are recorded so that
// Validate can refuse longer cycles within the bundle (A marks B, B marks A),
// which the same rule forbids in spirit and no consumer could resolve.
func (c *checker) markingRefs(l loc, m map[string]any, id string) {
	edge := func(rl loc, ref string) {
		if ref == id {
			c.failf(rl, "a marking definition must not mark itself (%q): no circular references (STIX 2.1 §3.2)", ref)
			return
		}
		if id != "" && strings.HasPrefix(ref, "marking-definition--") {
			c.markings = append(c.markings, markingEdge{from: id, to: ref, path: c.path(rl)})
		}
	}
	if refs, ok := m["object_marking_refs"].([]any); ok {
		rl := c.at(l, "object_marking_refs")
		for i, r := range refs {
			if s, ok := r.(string); ok {
				il := c.idx(rl, i)
				edge(il, s)
			}
		}
	}
	if gms, ok := m["granular_markings"].([]any); ok {
		gl := c.at(l, "granular_markings")
		for i, g := range gms {
			gm, _ := g.(map[string]any)
			if s, ok := gm["marking_ref"].(string); ok {
				il := c.idx(gl, i)
				rl := c.at(il, "marking_ref")
				edge(rl, s)
			}
		}
	}
}

// markingEdge is a reference from one marking definition to another.
type markingEdge struct{ from, to, path string }

// markingCycles reports every reference that closes a cycle among the
// marking definitions of one bundle (STIX 2.1 §3.2, see markingRefs).
func markingCycles(edges []markingEdge) []Violation {
	out := make(map[string][]markingEdge)
	for _, e := range edges {
		out[e.from] = append(out[e.from], e)
	}
	const (
		unseen = iota
		active
		done
	)
	state := make(map[string]int, len(out))
	var vs []Violation
	var visit func(id string)
	visit = func(id string) {
		state[id] = active
		for _, e := range out[id] {
			switch state[e.to] {
			case active:
				vs = append(vs, Violation{Path: e.path, Message: fmt.Sprintf("%q closes a cycle of marking definitions that mark each other (through %q): no circular references (STIX 2.1 §3.2)", e.to, e.from)})
			case unseen:
				visit(e.to)
			}
		}
		state[id] = done
	}
	for _, e := range edges {
		if state[e.from] == unseen {
			visit(e.from)
		}
	}
	return vs
}

func (c *checker) standardTLP(l loc, m map[string]any, d tlpMarkingDefinition) {
	std := "the standard " + d.name + " marking"
	expect := func(key, want string) {
		if got, ok := m[key].(string); !ok || got != want {
			c.failAt(l, key, fmt.Sprintf("must be %q in %s: a well-known TLP marking id may not be redefined (PROFILE.md §2)", want, std))
		}
	}
	expect("name", d.name)
	expect("created", d.created)
	for k := range m {
		switch k {
		case "type", "id", "spec_version", "name", "created":
		case "definition_type", "definition":
			if d.tlp1 == "" {
				c.failAt(l, k, "is not part of "+std+" (a TLP 2.0 marking is defined by its extension): remove it")
			}
		case "extensions":
			if d.tlp2 == "" {
				c.failAt(l, k, "is not part of "+std+" of STIX 2.1 §7.2.1.4: remove it")
			}
		case "created_by_ref":
			if d.tlp1 != "" {
				c.failAt(l, k, "is not part of "+std+" of STIX 2.1 §7.2.1.4: remove it")
			}
		default:
			c.failAt(l, k, "is not part of "+std+": remove it")
		}
	}
	if d.tlp1 != "" {
		expect("definition_type", "tlp")
		def, ok := m["definition"].(map[string]any)
		if t, _ := def["tlp"].(string); !ok || len(def) != 1 || t != d.tlp1 {
			c.failAt(l, "definition", fmt.Sprintf(`must be {"tlp": %q} in %s (STIX 2.1 §7.2.1.4)`, d.tlp1, std))
		}
		return
	}
	exts, _ := m["extensions"].(map[string]any)
	e, ok := exts[TLP20ExtensionID].(map[string]any)
	if et, _ := e["extension_type"].(string); !ok || len(exts) != 1 || len(e) != 2 || et != "property-extension" || e["tlp_2_0"] != d.tlp2 {
		c.failAt(l, "extensions", fmt.Sprintf(`must be {%q: {"extension_type": "property-extension", "tlp_2_0": %q}} in %s`, TLP20ExtensionID, d.tlp2, std))
	}
}

// selects reports whether a syntactically valid selector names a property or
// list item present in root (STIX 2.1 §7.2.3.1): "description",
// "external_references.[0].url".
func selects(root map[string]any, sel string) bool {
	var cur any = root
	for sel != "" {
		var seg string
		seg, sel, _ = strings.Cut(sel, ".")
		if len(seg) > 2 && seg[0] == '[' && seg[len(seg)-1] == ']' {
			list, ok := cur.([]any)
			if !ok {
				return false
			}
			n, err := strconv.Atoi(seg[1 : len(seg)-1])
			if err != nil || n >= len(list) {
				return false
			}
			cur = list[n]
			continue
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = obj[seg]; !ok {
			return false
		}
	}
	return true
}
